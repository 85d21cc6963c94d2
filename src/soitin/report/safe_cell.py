"""Spreadsheet formula neutralisation: untrusted text never becomes a formula.

A spreadsheet program treats a cell that begins with `=`, `+`, `-` or `@` (and, in some
programs, a tab or carriage return) as a formula, so a post text like `=HYPERLINK(...)`
would run when a report is opened. Every export (CSV, XLSX) writes text through
`neutralise`, which prefixes such a value with an apostrophe so that it stays text.

A CSV field is one cell only for a program that splits on the comma. Excel splits on `;` where
the decimal mark is a comma (as in Vietnamese regional settings), and a paste may split on
tabs: `a;=HYPERLINK(...)` would then become a second cell starting with `=`. CSV files are
therefore written by `csv_writer`, which also neutralises a formula character right after a
`;` or a tab inside a text (`a;'=HYPERLINK(...)`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

__all__ = ["FORMULA_PREFIXES", "csv_writer", "neutralise", "neutralise_csv", "neutralise_row"]


class _TextOut(Protocol):
    def write(self, text: str, /) -> Any: ...


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


#: A formula character after a separator, and after any double quotes (a field that a reader
#: splitting on `;` sees starting with a quote is read as quoted)
_AFTER_SEPARATOR = re.compile(r"(?<=[;\t])(\"*)(?=[=+\-@\r])")


def neutralise_csv(value: object) -> object:
    """`neutralise`, and a formula character after a `;` or a tab inside text made inert."""
    value = neutralise(value)
    if isinstance(value, str) and (";" in value or "\t" in value):
        return _AFTER_SEPARATOR.sub(r"\1'", value)
    return value


class _SafeWriter:
    """A `csv.writer` whose every cell goes through `neutralise_csv` (None as empty)."""

    def __init__(self, out: _TextOut, lineterminator: str) -> None:
        self._writer = csv.writer(out, lineterminator=lineterminator)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow(["" if v is None else neutralise_csv(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _TextOut, lineterminator: str = "\r\n") -> _SafeWriter:
    """A CSV writer over `out` that neutralises every cell (see the module notes)."""
    return _SafeWriter(out, lineterminator)
