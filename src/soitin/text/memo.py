"""Memory for functions of one space-free chunk of text (a syllable, a word, a tag).

Texts are new every time, but the chunks they are made of repeat: a few thousand syllables
and words make up most Vietnamese posts. Functions applied chunk by chunk remember their
answers here, looked up at the speed of a plain dict, which matters for work done on every
chunk of every post.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

__all__ = ["LONG_TEXT", "ChunkMemo"]

#: Texts longer than this are handled in one pass, not chunk by chunk: a whole document, or
#: hostile input whose chunks are all new (then a memo only adds work).
LONG_TEXT = 20_000

T = TypeVar("T")


class ChunkMemo(dict[str, T], Generic[T]):
    """`memo[chunk]` is `fn(chunk)`, remembered for chunks up to `max_chars` long.

    When it holds `max_size` answers it starts afresh (cheaper than keeping an order of use,
    and the common chunks come back at once). Longer chunks (links, runs without a space) are
    computed every time and not kept.
    """

    def __init__(self, fn: Callable[[str], T], *, max_chars: int = 48, max_size: int = 32_768):
        super().__init__()
        self.fn = fn
        self.max_chars = max_chars
        self.max_size = max_size

    def each(self, text: str) -> Iterable[T]:
        """`fn` of each space-separated chunk of `text`, in order; for a text longer than
        `LONG_TEXT`, `fn` of the whole text once (the caller's `fn` must allow both: it
        never looks across a space)."""
        if len(text) > LONG_TEXT:
            return (self.fn(text),)
        return map(self.__getitem__, text.split(" "))

    def __missing__(self, chunk: str) -> T:
        value = self.fn(chunk)
        if len(chunk) <= self.max_chars:
            if len(self) >= self.max_size:
                self.clear()
            self[chunk] = value
        return value
