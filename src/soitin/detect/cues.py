"""Named dense features ("cues") computed from the raw text, next to the n-grams.

A model lists the cues it uses by name; the names are stored in its artefact, so adding
a cue here never changes an existing model.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from soitin.detect.evidence import extract_evidence, frame_of
from soitin.detect.normalise import clip

__all__ = ["CUES", "STYLE_CUES", "cue_matrix"]

_DIGIT = re.compile(r"\d")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\U0001f000-\U0001f2ff]")
_PUNCT = re.compile(r"[^\w\s]")
_LETTER_REPEAT = re.compile(r"(\w)\1{2,}")
_LETTERS = re.compile(r"[^\W\d_]+")
_VOWEL = re.compile(
    r"[aeiouyàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE
)
_DIACRITIC = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
_URLISH = re.compile(r"(?i)https?://|www\.|\w\.(?:com|vn|net|ly)\b")


#: Writing-style cues (length, symbols, letter repeats, diacritics) for benchmark models.
STYLE_CUES = (
    "log_length",
    "upper_ratio",
    "digit_ratio",
    "log_words",
    "emoji_ratio",
    "punct_ratio",
    "repeat_ratio",
    "long_word_ratio",
    "vowelless_ratio",
    "diacritic_ratio",
    "newlines",
    "url_present",
    "unique_ratio",
)


@lru_cache(maxsize=1024)
def _evidence_cues(text: str) -> dict[str, float]:
    ev = extract_evidence(text)
    return {
        "phone": float(bool(ev.phones)),
        "account": float(bool(ev.accounts)),
        "link": float(bool(ev.links or ev.domains)),
        "money": float(bool(ev.amounts)),
        "organisation": min(len(ev.organisations), 3) / 3.0,
        "lure": min(len(ev.lures), 3) / 3.0,
        "frame_warning": float("warning" in ev.frames),
        "frame_denial": float("denial" in ev.frames),
        "frame_reporting": float("reporting" in ev.frames),
    }


def _shape_cues(text: str) -> dict[str, float]:
    n = max(len(text), 1)
    return {
        "log_length": math.log1p(len(text)) / 8.0,
        # str.isupper: every upper-case letter, accented ones too, and no lower-case one
        "upper_ratio": sum(c.isupper() for c in text) / n,
        "digit_ratio": len(_DIGIT.findall(text)) / n,
    }


def _style_cues(text: str) -> dict[str, float]:
    """How a text is written: keyboard mashing, emoji walls, copy-paste templates."""
    text = unicodedata.normalize("NFC", text)
    n = max(len(text), 1)
    words = text.split()
    n_words = max(len(words), 1)
    letters = _LETTERS.findall(text)
    n_letters = max(len(letters), 1)
    return {
        "log_words": math.log1p(len(words)) / 6.0,
        "emoji_ratio": len(_EMOJI.findall(text)) / n * 10.0,
        "punct_ratio": len(_PUNCT.findall(text)) / n,
        "repeat_ratio": len(_LETTER_REPEAT.findall(text)) / n_words,
        "long_word_ratio": sum(len(w) > 7 for w in letters) / n_letters,
        "vowelless_ratio": sum(len(w) >= 3 and not _VOWEL.search(w) for w in letters) / n_letters,
        "diacritic_ratio": sum(bool(_DIACRITIC.search(w)) for w in letters) / n_letters,
        "newlines": text.count("\n") / 10.0,
        "url_present": float(bool(_URLISH.search(text))),
        "unique_ratio": len(set(words)) / n_words,
    }


@lru_cache(maxsize=4096)
def _frames(text: str) -> dict[str, float]:
    f = frame_of(text)
    return {f"frame_{k}": float(v > 0) for k, v in f.items()}


#: cue name -> (group function, key); one group call yields several cues.
CUES: dict[str, Callable[[str], dict[str, float]]] = {
    name: fn
    for fn, names in (
        (
            _evidence_cues,
            ("phone", "account", "link", "money", "organisation", "lure"),
        ),
        (_frames, ("frame_warning", "frame_denial", "frame_reporting")),
        (_shape_cues, ("log_length", "upper_ratio", "digit_ratio")),
        (_style_cues, STYLE_CUES[3:]),
    )
    for name in names
}


def cue_matrix(texts: Sequence[str], names: Sequence[str]) -> npt.NDArray[np.float32]:
    """(len(texts), len(names)) matrix of cue values."""
    out = np.zeros((len(texts), len(names)), np.float32)
    groups: dict[Callable[[str], dict[str, float]], list[int]] = {}
    for j, name in enumerate(names):
        groups.setdefault(CUES[name], []).append(j)
    for i, text in enumerate(texts):
        raw = clip(text)
        for fn, cols in groups.items():
            values = fn(raw)
            for j in cols:
                out[i, j] = values.get(names[j], 0.0)
    return out
