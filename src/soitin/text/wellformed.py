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
    """`value` (JSON-like: dicts, lists, strings, numbers) with every string made well-formed."""
    if isinstance(value, str):
        return well_formed(value)
    if isinstance(value, dict):
        return {well_formed_data(k): well_formed_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [well_formed_data(v) for v in value]
    return value
