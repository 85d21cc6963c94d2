"""Word segmentation of Vietnamese (syllables → words: "thành phố" → "thành_phố").

Only features that need words call this (most of soitin works on syllables and folded
text). It uses pyvi's CRF model, shipped inside the pyvi wheel: nothing is downloaded, and
the module is imported on first use (about 4 s, once per process).

Why pyvi and not underthesea (measured on the ViHOS dev comments against their VnCoreNLP
word segmentation, 1,106 comments, one core): pyvi 0.1.1 word F1 0.957 at about 1,770
comments/s; underthesea 9.5.0 word F1 0.906 at about 360 comments/s. underthesea also
depends on requests and huggingface-hub (it downloads its other models from a hub), which we
do not want in the default install. See docs/text-and-places.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import cast

__all__ = ["segment", "segment_text"]

_lock = threading.Lock()
_tokenize: Callable[[str], str] | None = None


def _tokenizer() -> Callable[[str], str]:
    global _tokenize
    with _lock:
        if _tokenize is None:
            from pyvi import ViTokenizer  # heavy import, kept for first use

            _tokenize = cast(Callable[[str], str], ViTokenizer.tokenize)
        return _tokenize


def segment_text(text: str) -> str:
    """The text with the syllables of each word joined by "_" ("Hà_Nội")."""
    if not text.strip():
        return ""
    return _tokenizer()(text)


def segment(text: str) -> list[str]:
    """The words of the text, syllables separated by spaces ("thành phố", "Hà Nội")."""
    return [word.replace("_", " ") for word in segment_text(text).split()]
