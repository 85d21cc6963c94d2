"""Claims in and out: schema.org ClaimReview JSON-LD and CSV.

Input files are untrusted: sizes are bounded, only http(s) URLs are kept, text is plain text,
and CSV cells that a spreadsheet would run as a formula are neutralised on export.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from soitin.db.models import Verdict
from soitin.errors import InvalidInputError
from soitin.report.safe_cell import csv_writer
from soitin.text.fold import fold_diacritics

__all__ = [
    "MAX_CLAIM_CHARS",
    "ClaimRecord",
    "parse_claims",
    "parse_claims_csv",
    "parse_claimreview",
    "to_claimreview",
    "to_claims_csv",
    "verdict_from_label",
]

MAX_CLAIM_CHARS = 2_000
MAX_FILE_BYTES = 20 * 1024 * 1024
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

# Rating labels fact-checkers use (folded, lower case) → our verdicts. First match wins.
_LABELS: list[tuple[str, Verdict]] = [
    ("misleading", Verdict.MISLEADING),
    ("gay hieu lam", Verdict.MISLEADING),
    ("sai lech", Verdict.MISLEADING),
    ("missing context", Verdict.MISLEADING),
    ("half", Verdict.MISLEADING),
    ("mostly false", Verdict.MISLEADING),
    ("mot phan", Verdict.MISLEADING),
    ("unproven", Verdict.UNPROVEN),
    ("unverified", Verdict.UNPROVEN),
    ("chua kiem chung", Verdict.UNPROVEN),
    ("chua duoc kiem chung", Verdict.UNPROVEN),
    ("chua xac minh", Verdict.UNPROVEN),
    ("chua ro", Verdict.UNPROVEN),
    ("khong dung", Verdict.FALSE),
    ("khong chinh xac", Verdict.FALSE),
    ("false", Verdict.FALSE),
    ("fake", Verdict.FALSE),
    ("pants on fire", Verdict.FALSE),
    ("tin gia", Verdict.FALSE),
    ("sai", Verdict.FALSE),
    ("mostly true", Verdict.TRUE),
    ("true", Verdict.TRUE),
    ("correct", Verdict.TRUE),
    ("dung", Verdict.TRUE),
    ("chinh xac", Verdict.TRUE),
]
_RATING_OF = {Verdict.FALSE: 1, Verdict.MISLEADING: 2, Verdict.UNPROVEN: 3, Verdict.TRUE: 5}
_LABEL_OF = {
    Verdict.FALSE: "False",
    Verdict.MISLEADING: "Misleading",
    Verdict.UNPROVEN: "Unproven",
    Verdict.TRUE: "True",
}


@dataclass(frozen=True)
class ClaimRecord:
    """One claim as read from or written to a file (no database ids)."""

    text: str
    verdict: str
    url: str | None = None
    publisher: str | None = None
    reviewed_on: str | None = None
    language: str = "vi"
    external_id: str | None = None


def verdict_from_label(label: str) -> str:
    """Our verdict for a rating label ("Sai", "False", "Gây hiểu lầm", ...)."""
    folded = " ".join(fold_diacritics(label or "").split())
    if folded in {v.value for v in Verdict}:
        return folded
    for key, verdict in _LABELS:
        if re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", folded):
            return verdict.value
    raise InvalidInputError(key="claims.unknown_verdict", value=label)


def _clean_text(value: Any, field: str, required: bool = False, limit: int = 2_000) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInputError(key="claims.missing", field=field)
        return None
    if not isinstance(value, str | int | float):
        raise InvalidInputError(key="claims.not_text", field=field)
    text = " ".join(str(value).split())
    return text[:limit]


def clean_url(value: Any) -> str | None:
    """An http(s) URL, or None; anything else is refused."""
    text = _clean_text(value, "URL", limit=2_000)
    if text is None:
        return None
    if not re.match(r"(?i)^https?://[^\s/]+", text):
        raise InvalidInputError(key="claims.bad_url", value=text[:80])
    return text


def clean_date(value: Any) -> str | None:
    """YYYY-MM-DD (the date part of an ISO date-time is kept), or None."""
    text = _clean_text(value, "date", limit=40)
    if text is None:
        return None
    if not _DATE.match(text):
        raise InvalidInputError(key="claims.bad_date", value=text)
    return text[:10]


def make_record(
    text: Any,
    verdict: Any,
    *,
    url: Any = None,
    publisher: Any = None,
    reviewed_on: Any = None,
    language: Any = None,
    external_id: Any = None,
) -> ClaimRecord:
    """A validated record (raises `InvalidInputError` with one sentence)."""
    claim_text = _clean_text(text, "claim text", required=True, limit=MAX_CLAIM_CHARS)
    assert claim_text is not None  # noqa: S101 - required above
    label = _clean_text(verdict, "verdict", required=True, limit=100)
    lang = (_clean_text(language, "language", limit=8) or "vi").lower()
    return ClaimRecord(
        text=claim_text,
        verdict=verdict_from_label(label or ""),
        url=clean_url(url),
        publisher=_clean_text(publisher, "publisher", limit=255),
        reviewed_on=clean_date(reviewed_on),
        language=lang,
        external_id=_clean_text(external_id, "id", limit=100),
    )


def _as_bytes_text(data: str | bytes) -> str:
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise InvalidInputError(key="input.file_too_large")
        return data.decode("utf-8-sig", errors="replace")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(key="input.file_too_large")
    return data.lstrip("\ufeff")


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """ClaimReview objects in a JSON-LD document (single, list, @graph, ItemList)."""
    if isinstance(node, list):
        for child in node:
            yield from _walk(child)
    elif isinstance(node, dict):
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "ClaimReview" in kinds:
            yield node
            return
        for key in ("@graph", "itemListElement", "item", "hasPart"):
            if key in node:
                yield from _walk(node[key])


def _name(node: Any) -> Any:
    if isinstance(node, dict):
        return node.get("name")
    if isinstance(node, list) and node:
        return _name(node[0])
    return node


def parse_claimreview(data: str | bytes) -> list[ClaimRecord]:
    """Claims from schema.org ClaimReview JSON-LD."""
    try:
        doc = json.loads(_as_bytes_text(data))
    except json.JSONDecodeError as exc:
        raise InvalidInputError(key="claims.bad_json", detail=exc.msg, line=exc.lineno) from None
    out: list[ClaimRecord] = []
    for n, review in enumerate(_walk(doc), start=1):
        rating = review.get("reviewRating") or {}
        if isinstance(rating, list):
            rating = rating[0] if rating else {}
        if not isinstance(rating, dict):
            rating = {}
        label = rating.get("alternateName") or rating.get("name")
        if not label and rating.get("ratingValue") is not None:
            label = _verdict_from_value(rating)
        reviewed = review.get("itemReviewed")
        item: dict[str, Any] = reviewed if isinstance(reviewed, dict) else {}
        try:
            out.append(
                make_record(
                    review.get("claimReviewed") or item.get("text") or item.get("name"),
                    label,
                    url=review.get("url"),
                    publisher=_name(review.get("author")) or _name(review.get("publisher")),
                    reviewed_on=review.get("datePublished"),
                    language=review.get("inLanguage") or item.get("inLanguage"),
                    external_id=review.get("identifier") or review.get("@id"),
                )
            )
        except InvalidInputError as exc:
            raise InvalidInputError(key="claims.in_record", n=n, error=exc) from None
    if not out:
        raise InvalidInputError(key="claims.no_claimreview")
    return out


def _verdict_from_value(rating: dict[str, Any]) -> str:
    try:
        value = float(rating["ratingValue"])
        best = float(rating.get("bestRating", 5))
        worst = float(rating.get("worstRating", 1))
    except (TypeError, ValueError):
        return ""
    share = (value - worst) / (best - worst) if best > worst else 0.0
    if share <= 0.25:
        return Verdict.FALSE.value
    if share < 0.75:
        return Verdict.MISLEADING.value
    return Verdict.TRUE.value


def parse_claims_csv(data: str | bytes) -> list[ClaimRecord]:
    """Claims from CSV: columns text (or claim_text) and verdict; optional id (or claim_id),
    url, publisher, reviewed_on, language."""
    reader = csv.DictReader(io.StringIO(_as_bytes_text(data)))
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if not ({"text", "claim_text"} & fields and "verdict" in fields):
        raise InvalidInputError(key="claims.csv_header")
    out: list[ClaimRecord] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): v for k, v in raw.items()}
        try:
            out.append(
                make_record(
                    row.get("text") or row.get("claim_text"),
                    row.get("verdict"),
                    url=row.get("url"),
                    publisher=row.get("publisher"),
                    reviewed_on=row.get("reviewed_on"),
                    language=row.get("language"),
                    external_id=row.get("claim_id") or row.get("id"),
                )
            )
        except InvalidInputError as exc:
            raise InvalidInputError(key="claims.csv_line", line=line, error=exc) from None
    return out


def parse_claims(data: str | bytes, filename: str = "") -> list[ClaimRecord]:
    """ClaimReview JSON-LD or CSV, told apart by the name or the first character."""
    text = _as_bytes_text(data)
    name = filename.lower()
    if name.endswith((".json", ".jsonld")) or text.lstrip()[:1] in {"{", "["}:
        return parse_claimreview(text)
    return parse_claims_csv(text)


def to_claims_csv(rows: Iterable[tuple[str | int, ClaimRecord]]) -> str:
    """CSV with columns id, text, verdict, url, publisher, reviewed_on, language."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["id", "text", "verdict", "url", "publisher", "reviewed_on", "language"])
    for claim_id, r in rows:
        writer.writerow(
            [claim_id, r.text, r.verdict, r.url, r.publisher, r.reviewed_on, r.language]
        )
    return out.getvalue()


def to_claimreview(rows: Iterable[tuple[str | int, ClaimRecord]]) -> list[dict[str, Any]]:
    """schema.org ClaimReview objects (a JSON-LD list)."""
    out: list[dict[str, Any]] = []
    for claim_id, r in rows:
        verdict = Verdict(r.verdict)
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "identifier": str(claim_id),
            "claimReviewed": r.text,
            "inLanguage": r.language,
            "reviewRating": {
                "@type": "Rating",
                "alternateName": _LABEL_OF[verdict],
                "ratingValue": _RATING_OF[verdict],
                "bestRating": 5,
                "worstRating": 1,
            },
            "itemReviewed": {"@type": "Claim"},
        }
        if r.url:
            review["url"] = r.url
        if r.publisher:
            review["author"] = {"@type": "Organization", "name": r.publisher}
        if r.reviewed_on:
            review["datePublished"] = r.reviewed_on
        out.append(review)
    return out
