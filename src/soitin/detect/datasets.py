"""Reading the public train/dev splits (never copied into the repository)."""

from __future__ import annotations

import ast
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from soitin.errors import NotFoundError
from soitin.settings import shared_data_dir

__all__ = ["Example", "read_csv_columns", "read_examples", "read_spans", "data_file"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True)
class Example:
    """One text with its label (a string) and the row's other columns."""

    text: str
    label: str


def data_file(folder: str, split: str) -> Path:
    """Path of `<shared data>/<folder>/<split>.csv`; refuses the test split."""
    if split not in {"train", "dev"}:
        raise ValueError("only the train and dev splits are used")
    path = shared_data_dir() / folder / f"{split}.csv"
    if not path.is_file():
        raise NotFoundError(f"{path} not found (set SOITIN_SHARED_DATA to the data folder)")
    return path


def read_csv_columns(path: Path, text_column: str, label_column: str) -> list[Example]:
    """Rows of any CSV as examples; empty text is kept (as "") and labels as strings."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        for col in (text_column, label_column):
            if col not in fields:
                raise NotFoundError(f"column {col!r} not in {path.name} (has {fields})")
        out = []
        for row in reader:
            label = (row.get(label_column) or "").strip()
            if label.endswith(".0") and label[:-2].isdigit():
                label = label[:-2]
            out.append(Example(row.get(text_column) or "", label))
    return out


def read_examples(folder: str, split: str, text_column: str, label_column: str) -> list[Example]:
    """Examples of one split of a shared data set."""
    return read_csv_columns(data_file(folder, split), text_column, label_column)


def read_spans(
    path: Path, text_column: str = "content", spans_column: str = "index_spans"
) -> list[tuple[str, list[int]]]:
    """(text, character offsets) rows of a ViHOS-style span file."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        for col in (text_column, spans_column):
            if col not in fields:
                raise NotFoundError(f"column {col!r} not in {path.name} (has {fields})")
        out = []
        for row in reader:
            raw = (row.get(spans_column) or "[]").strip() or "[]"
            offsets = ast.literal_eval(raw)
            if not isinstance(offsets, list):
                raise ValueError(f"{spans_column} must hold a list of offsets")
            out.append((row.get(text_column) or "", [int(x) for x in offsets]))
    return out
