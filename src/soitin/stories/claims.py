"""The claim library: fact-checked claims added by form, API or file, and exported again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from soitin.db.models import Claim, Verdict
from soitin.db.types import utcnow
from soitin.errors import InvalidInputError, NotFoundError
from soitin.stories.claimreview import (
    ClaimRecord,
    make_record,
    parse_claims,
    to_claimreview,
    to_claims_csv,
)
from soitin.text.fold import fold_for_search

__all__ = [
    "ImportResult",
    "add_claim",
    "claim_record",
    "delete_claim",
    "export_claims",
    "get_claim",
    "import_claims",
    "library_version",
    "list_claims",
    "update_claim",
]


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    added: int
    skipped: int
    claim_ids: list[int]


def claim_record(claim: Claim) -> ClaimRecord:
    """The file form of a stored claim."""
    return ClaimRecord(
        text=claim.text,
        verdict=claim.verdict,
        url=claim.url,
        publisher=claim.publisher,
        reviewed_on=claim.reviewed_on,
        language=claim.language,
    )


def _store(
    session: Session, record: ClaimRecord, unit_id: int | None, created_by_id: int | None
) -> Claim:
    claim = Claim(
        text=record.text,
        text_folded=fold_for_search(record.text),
        verdict=record.verdict,
        url=record.url,
        publisher=record.publisher,
        reviewed_on=record.reviewed_on,
        language=record.language,
        unit_id=unit_id,
        created_by_id=created_by_id,
    )
    session.add(claim)
    return claim


def add_claim(
    session: Session,
    *,
    text: str,
    verdict: str,
    url: str | None = None,
    publisher: str | None = None,
    reviewed_on: str | None = None,
    language: str = "vi",
    unit_id: int | None = None,
    created_by_id: int | None = None,
) -> Claim:
    """Add one claim (validated; raises `InvalidInputError`). The caller commits."""
    record = make_record(
        text, verdict, url=url, publisher=publisher, reviewed_on=reviewed_on, language=language
    )
    claim = _store(session, record, unit_id, created_by_id)
    session.flush()
    return claim


def get_claim(session: Session, claim_id: int) -> Claim:
    """The claim, or `NotFoundError`."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFoundError(key="claims.not_found", claim_id=claim_id)
    return claim


def update_claim(
    session: Session,
    claim_id: int,
    *,
    text: str | None = None,
    verdict: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
    reviewed_on: str | None = None,
    language: str | None = None,
) -> Claim:
    """Change the given fields of a claim (validated like `add_claim`)."""
    claim = get_claim(session, claim_id)
    record = make_record(
        text if text is not None else claim.text,
        verdict if verdict is not None else claim.verdict,
        url=url if url is not None else claim.url,
        publisher=publisher if publisher is not None else claim.publisher,
        reviewed_on=reviewed_on if reviewed_on is not None else claim.reviewed_on,
        language=language if language is not None else claim.language,
    )
    claim.text, claim.verdict = record.text, record.verdict
    claim.text_folded = fold_for_search(record.text)
    claim.url, claim.publisher = record.url, record.publisher
    claim.reviewed_on, claim.language = record.reviewed_on, record.language
    claim.updated_at = utcnow()
    session.flush()
    return claim


def delete_claim(session: Session, claim_id: int) -> None:
    """Remove a claim (its matches go with it)."""
    session.delete(get_claim(session, claim_id))
    session.flush()


def list_claims(
    session: Session,
    *,
    query: str | None = None,
    verdict: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Claim], int]:
    """Claims, newest first, filtered by folded text and verdict; and the total count."""
    stmt = select(Claim)
    if verdict:
        if verdict not in {v.value for v in Verdict}:
            raise InvalidInputError(key="claims.verdict_filter", value=verdict)
        stmt = stmt.where(Claim.verdict == verdict)
    if query:
        folded = fold_for_search(query).strip()
        if folded:
            pattern = "%" + folded.replace("\\", "").replace("%", "").replace("_", "") + "%"
            stmt = stmt.where(or_(Claim.text_folded.like(pattern), Claim.url == query))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Claim.id.desc()).limit(max(1, min(limit, 1000))).offset(max(0, offset))
    ).all()
    return list(rows), int(total)


def import_claims(
    session: Session,
    data: str | bytes | Sequence[ClaimRecord],
    *,
    filename: str = "",
    unit_id: int | None = None,
    created_by_id: int | None = None,
) -> ImportResult:
    """Add the claims of a ClaimReview JSON-LD or CSV file; ones already there are skipped.

    A claim is already there when its folded text and its fact-check URL are the same.
    """
    records = list(data) if not isinstance(data, str | bytes) else parse_claims(data, filename)
    existing = {
        (folded, url or "")
        for folded, url in session.execute(select(Claim.text_folded, Claim.url)).all()
    }
    added: list[Claim] = []
    skipped = 0
    for record in records:
        key = (fold_for_search(record.text), record.url or "")
        if key in existing:
            skipped += 1
            continue
        existing.add(key)
        added.append(_store(session, record, unit_id, created_by_id))
    session.flush()
    return ImportResult(len(added), skipped, [c.id for c in added])


def export_claims(session: Session, fmt: str = "jsonld") -> str:
    """The whole library as ClaimReview JSON-LD (`jsonld`) or CSV (`csv`)."""
    import json

    claims = session.scalars(select(Claim).order_by(Claim.id)).all()
    rows = [(c.id, claim_record(c)) for c in claims]
    if fmt == "csv":
        return to_claims_csv(rows)
    if fmt in {"jsonld", "json"}:
        return json.dumps(to_claimreview(rows), ensure_ascii=False, indent=2) + "\n"
    raise InvalidInputError(key="claims.export_format", value=fmt)


def library_version(session: Session) -> tuple[int, int, str]:
    """Changes whenever a claim is added, edited or removed (for caches)."""
    count, newest, changed = session.execute(
        select(func.count(Claim.id), func.max(Claim.id), func.max(Claim.updated_at))
    ).one()
    return int(count or 0), int(newest or 0), str(changed or "")
