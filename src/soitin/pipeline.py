"""The chain every new item goes through, over batches, in-process or as broker tasks.

Ingest stores items exactly once, then calls `process_items` on the new ones. Each stage is a
small callable that enriches a batch of items inside the caller's transaction; the text,
places, stories and detect areas each contribute one stage (see `default_stages`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from soitin.db.bulk import buffered_columns, flush_columns, write_columns
from soitin.db.models import Item
from soitin.db.types import utcnow
from soitin.settings import get_settings


class Stage(Protocol):
    """One step of the pipeline over a batch of items (already in `session`)."""

    name: str

    def __call__(self, session: Session, items: Sequence[Item]) -> None:
        """Enrich `items` in place; may add rows; never commits.

        Item columns are set with `soitin.db.bulk.write_columns`. A stage that reads item
        columns with SQL has a true class attribute `reads_items`: the columns set so far are
        written before it runs.
        """


def default_stages() -> list[Stage]:
    """The stages in order: normalise → places → detect → stories → triage."""
    stages: list[Stage] = []
    # --- stages: one import + append each, in pipeline order ---
    from soitin.text.stage import TextStage

    stages.append(TextStage())
    from soitin.places.stage import PlaceStage

    stages.append(PlaceStage())
    # detect runs before stories: it needs only the text, and the stories stage then holds
    # its story row locks (contended by parallel workers on a hot story) for less time.
    from soitin.detect.stage import DetectStage

    stages.append(DetectStage())
    from soitin.stories.stage import StoryStage

    stages.append(StoryStage())
    # (review) triage stays LAST: it reads stories, claim matches and detector scores.
    from soitin.review.triage import TriageStage

    stages.append(TriageStage())
    # --- end of stages ---
    return stages


PENDING_KEY = "soitin.pending_item_ids"


def process_items(
    session: Session, items: Sequence[Item], stages: Sequence[Stage] | None = None
) -> None:
    """Process new `items`: in-process now (embedded mode), or by the workers after the commit.

    With a broker configured (`SOITIN_BROKER_URL`) and the default stages, the item ids are
    sent to the pipeline queue once the caller's transaction commits (nothing is sent if it
    rolls back); otherwise every stage runs here and the caller commits.
    """
    if not items:
        return
    if stages is None and get_settings().broker_url:
        defer_items(session, [item.id for item in items])
        return
    run_stages(session, items, stages)


def defer_items(session: Session, item_ids: Sequence[int]) -> None:
    """Queue `item_ids` for the workers, sent only after `session` commits."""
    pending: list[int] | None = session.info.get(PENDING_KEY)
    if pending is None:
        pending = session.info[PENDING_KEY] = []
        event.listen(session, "after_commit", _send_pending)
        event.listen(session, "after_soft_rollback", _drop_pending)
    pending.extend(item_ids)


def _send_pending(session: Session) -> None:
    ids: list[int] = session.info.get(PENDING_KEY) or []
    if not ids:
        return
    from soitin.worker import shared_broker

    shared_broker(get_settings()).enqueue_items(ids)
    ids.clear()


def _drop_pending(session: Session, previous_transaction: object) -> None:
    if not session.in_transaction():
        session.info.get(PENDING_KEY, []).clear()


def worker_stages() -> tuple[list[Stage], list[Stage]]:
    """The default stages in two transactions for workers: up to story assignment, the rest.

    Story assignment inserts unique band keys; a second worker adding the same key waits
    until the first commits. Committing right after assignment keeps that wait short; the
    story figures are counted in the second transaction, with the items marked processed.
    """
    from soitin.stories.stage import StoryAssignStage, StoryFiguresStage, StoryStage

    stages = default_stages()
    at = next(i for i, st in enumerate(stages) if isinstance(st, StoryStage))
    return [*stages[:at], StoryAssignStage()], [StoryFiguresStage(), *stages[at + 1 :]]


def run_stages(
    session: Session,
    items: Sequence[Item],
    stages: Sequence[Stage] | None = None,
    *,
    mark_processed: bool = True,
) -> None:
    """Run every stage over `items` here and mark them processed (the caller commits).

    The item columns the stages set with `write_columns` are written once per item
    (`buffered_columns`), together with `processed_at`, at the end, or before the first stage
    with a true `reads_items` (one that reads item columns with SQL; none of ours does).
    """
    if not items:
        return
    now = utcnow() if mark_processed else None
    marked = False
    with buffered_columns(session):
        for stage in default_stages() if stages is None else stages:
            if getattr(stage, "reads_items", False):
                marked = marked or _mark_processed(session, items, now)
                flush_columns(session)
            stage(session, items)
        if not marked:
            _mark_processed(session, items, now)
    session.flush()
    if now is not None:
        # The objects learn it last: stages before still see the items unprocessed.
        for item in items:
            set_committed_value(item, "processed_at", now)


def _mark_processed(session: Session, items: Sequence[Item], now: datetime | None) -> bool:
    if now is None:
        return False
    write_columns(session, items, [{"processed_at": now}] * len(items), objects=False)
    return True
