"""Well-formed Unicode: lone UTF-16 surrogates become U+FFFD, the standard replacement.

A JSON escape like `\\ud800` with no partner decodes to a lone surrogate, a code point that
UTF-8 cannot encode: it would fail much later (in a hash, a database driver, a CSV export).
Valid pairs never reach Python as surrogates (json combines them into one character).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["REPLACEMENT", "well_formed", "well_formed_data"]

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT, text)


def well_formed_data(value: Any) -> Any:
    """`value` (JSON-like: dicts, lists, strings, numbers) with every string made well-formed.

    Walks with a stack of its own, not by recursion: JSON nested a few hundred levels deep
    parses fine but would exhaust Python's recursion limit here.
    """
    if not isinstance(value, dict | list | tuple):
        return _leaf(value)
    root = _empty_like(value)
    pending: list[tuple[Any, Any]] = [(value, root)]
    while pending:
        original, copy = pending.pop()
        pairs = original.items() if isinstance(original, dict) else enumerate(original)
        for key, child in pairs:
            if isinstance(child, dict | list | tuple):
                new = _empty_like(child)
                pending.append((child, new))  # filled later; its place in `copy` is kept now
            else:
                new = _leaf(child)
            if isinstance(copy, dict):
                copy[_leaf(key)] = new
            else:
                copy.append(new)
    return root


def _leaf(value: Any) -> Any:
    return well_formed(value) if isinstance(value, str) else value


def _empty_like(value: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> dict[Any, Any] | list[Any]:
    return {} if isinstance(value, dict) else []
