"""Shadow mode on live traffic: a candidate's results stored per item, and their report.

With `SOITIN_SHADOW_MODELS_DIR` set, the detect stage scores every batch with the candidate
artefacts found there too and stores one `ShadowScore` row per item and detector (model name
and version of both sides). Nothing else reads these rows: categories, queues and alerts
keep following the active version. `stored_report` compares the two on the stored items,
and against reviewers' decisions where the item's story has a confirmed or dismissed case.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from soitin.db.models import Case, CaseStatus, Item, ShadowScore, Story
from soitin.detect.decisions import CATEGORY_TO_DETECTOR
from soitin.detect.protocol import DetectionResult
from soitin.detect.registry import DetectorSuite
from soitin.detect.shadow import ShadowReport, report_of
from soitin.errors import NotFoundError

__all__ = ["record_shadow", "shadow_versions", "stored_report"]

log = logging.getLogger(__name__)

_CHUNK = 500


def record_shadow(
    session: Session,
    items: Sequence[Item],
    texts: Sequence[str],
    active: dict[str, list[DetectionResult]],
    candidate: DetectorSuite,
) -> int:
    """Score `texts` with the candidate suite and store its results beside the active ones.

    A failing candidate is logged and skipped: it must never disturb the live path. Rows
    already stored (a batch run twice) are left as they are. Returns the rows written.
    """
    try:
        results = candidate.score(texts)
    except Exception:
        log.exception("shadow candidate failed on a batch of %d items; skipped", len(texts))
        return 0
    rows: list[dict[str, Any]] = []
    for name, per_item in results.items():
        live = active.get(name)
        if live is None:
            continue
        for item, cand, act in zip(items, per_item, live, strict=True):
            rows.append(
                {
                    "item_id": item.id,
                    "detector": name,
                    "model": cand.model,
                    "version": cand.version,
                    "label": cand.label,
                    "score": round(cand.score, 6),
                    "active_version": act.version,
                    "active_label": act.label,
                    "active_score": round(act.score, 6),
                }
            )
    if not rows:
        return 0
    table = cast(Table, ShadowScore.__table__)
    dialect = session.get_bind().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).on_conflict_do_nothing(
        index_elements=["item_id", "detector", "version"]
    )
    for start in range(0, len(rows), _CHUNK):
        session.execute(stmt, rows[start : start + _CHUNK])
    return len(rows)


def shadow_versions(session: Session, detector: str) -> list[tuple[str, int]]:
    """The candidate versions stored for `detector`, newest first, with their row counts."""
    stmt = (
        select(ShadowScore.version, func.count(), func.max(ShadowScore.id))
        .where(ShadowScore.detector == detector)
        .group_by(ShadowScore.version)
        .order_by(func.max(ShadowScore.id).desc())
    )
    return [(version, int(n)) for version, n, _ in session.execute(stmt)]


def _decided_labels(session: Session, detector: str, item_ids: list[int]) -> dict[int, str]:
    """Item id → "1"/"0" from the latest confirmed/dismissed case of its story (this detector)."""
    decided = (CaseStatus.CONFIRMED.value, CaseStatus.DISMISSED.value)
    out: dict[int, str] = {}
    for start in range(0, len(item_ids), _CHUNK):
        chunk = item_ids[start : start + _CHUNK]
        stmt = (
            select(Item.id, Case.status, Case.category, Story.category)
            .join(Story, Story.id == Item.story_id)
            .join(Case, Case.story_id == Story.id)
            .where(Item.id.in_(chunk), Case.status.in_(decided))
            .order_by(Case.id)
        )
        for item_id, status, category, story_category in session.execute(stmt):
            if CATEGORY_TO_DETECTOR.get(category or story_category or "") != detector:
                continue
            out[item_id] = "1" if status == CaseStatus.CONFIRMED.value else "0"
    return out


def _result(detector: str, model: str, version: str, label: str, score: float) -> DetectionResult:
    return DetectionResult(
        detector=detector, model=model, version=version, label=label, score=score, probabilities={}
    )


def stored_report(
    session: Session,
    detector: str,
    *,
    version: str | None = None,
    since: datetime | None = None,
    limit: int = 200_000,
) -> ShadowReport:
    """The comparison of the stored candidate results of `detector` with the active ones.

    `version` defaults to the newest candidate version stored; `since` keeps rows stored
    from then on; at most the `limit` newest rows are read.
    """
    if version is None:
        versions = shadow_versions(session, detector)
        if not versions:
            raise NotFoundError(
                f"No shadow results stored for {detector!r}: set SOITIN_SHADOW_MODELS_DIR to a "
                "folder of candidate artefacts and let items come in."
            )
        version = versions[0][0]
    stmt = (
        select(
            ShadowScore.item_id,
            ShadowScore.model,
            ShadowScore.label,
            ShadowScore.score,
            ShadowScore.active_version,
            ShadowScore.active_label,
            ShadowScore.active_score,
        )
        .where(ShadowScore.detector == detector, ShadowScore.version == version)
        .order_by(ShadowScore.id.desc())
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(ShadowScore.created_at >= since)
    rows = session.execute(stmt).all()
    gold_of = _decided_labels(session, detector, [r.item_id for r in rows])
    active_versions = sorted({r.active_version for r in rows})
    active = [
        _result(detector, r.model, r.active_version, r.active_label, r.active_score) for r in rows
    ]
    candidate = [_result(detector, r.model, version, r.label, r.score) for r in rows]
    gold: list[str | None] = [gold_of.get(r.item_id) for r in rows]
    return report_of(
        active,
        candidate,
        gold if any(g is not None for g in gold) else None,
        detector,
        ", ".join(active_versions) or "-",
        version,
    )
