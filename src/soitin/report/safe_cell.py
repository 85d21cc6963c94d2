"""Spreadsheet formula neutralisation: untrusted text never becomes a formula.

A spreadsheet program treats a cell that begins with `=`, `+`, `-` or `@` (and, in some
programs, a tab or carriage return) as a formula, so a post text like `=HYPERLINK(...)`
would run when a report is opened. Every export (CSV, XLSX) writes text through
`neutralise`, which prefixes such a value with an apostrophe so that it stays text.
"""

from __future__ import annotations

__all__ = ["FORMULA_PREFIXES", "neutralise", "neutralise_row"]

#: First characters that make a spreadsheet cell a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """`value` made safe for a spreadsheet cell.

    Strings that begin with a formula character get a leading apostrophe (the convention
    Excel and LibreOffice show as plain text); numbers, dates, None and booleans pass as they
    are, since they are typed values and never formulas.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_row(values: list[object] | tuple[object, ...]) -> list[object]:
    """Every cell of a row through `neutralise`."""
    return [neutralise(v) for v in values]
