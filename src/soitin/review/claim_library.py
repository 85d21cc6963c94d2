"""Changes to the claim library, as the pages, the API and the CLI make them.

A claim added, changed or imported is matched at once against the recently seen stories
(`soitin.stories.claim_service.rematch_recent_stories`), and those stories are triaged again:
a rumour that is already spreading opens a case (or raises its priority) as soon as the team
records its fact-check, and the next alert pass raises a "repeats a debunked claim" alert.
Removing a claim lowers the priority of the stories that matched it. Every change is audited.
The caller commits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soitin.db.models import Case, Claim, Story, StoryClaimMatch, User
from soitin.errors import PermissionDeniedError
from soitin.review import audit
from soitin.review.policies import Action, can
from soitin.review.queue import snippet_of
from soitin.review.triage import triage_stories
from soitin.settings import Settings
from soitin.stories import claims as library
from soitin.stories.claim_service import RematchResult, rematch_recent_stories, stories_matching

__all__ = [
    "ClaimChange",
    "ClaimListPage",
    "ClaimRow",
    "MatchedStory",
    "add_claim",
    "can_manage_claims",
    "claim_list",
    "import_claims",
    "matched_stories",
    "remove_claim",
    "require_claim_editor",
    "update_claim",
]


def can_manage_claims(user: User | None) -> bool:
    """Leads and admins change the library (`Action.CLAIM_MANAGE`); everyone signed in
    reads it."""
    return can(user, Action.CLAIM_MANAGE)


def require_claim_editor(user: User) -> None:
    """Raise `PermissionDeniedError` unless the user may change the library."""
    if not can_manage_claims(user):
        raise PermissionDeniedError("Only leads and admins change the claim library.")


@dataclass(frozen=True)
class ClaimChange:
    """What a change of the library did: the claims written and the stories met again."""

    claims: tuple[Claim, ...]
    skipped: int  # rows of an imported file already in the library
    rematch: RematchResult
    cases_opened: int
    cases_updated: int

    def summary(self) -> dict[str, int]:
        """The figures a page or an API answer shows."""
        return {
            "stories_scanned": self.rematch.scanned,
            "stories_matched": len(self.rematch.matched_ids),
            "cases_opened": self.cases_opened,
            "cases_updated": self.cases_updated,
        }


def _after_change(
    session: Session,
    settings: Settings,
    claims: Sequence[Claim],
    skipped: int = 0,
    also: Sequence[int] = (),
) -> ClaimChange:
    rematch = rematch_recent_stories(session, settings, [c.id for c in claims], also=also)
    triaged = triage_stories(session, rematch.candidate_ids, settings=settings)
    return ClaimChange(tuple(claims), skipped, rematch, len(triaged.created), len(triaged.updated))


def add_claim(
    session: Session,
    settings: Settings,
    actor: User | None,
    fields: dict[str, Any],
    *,
    ip: str | None = None,
) -> ClaimChange:
    """Add one claim (`fields`: text, verdict, url, publisher, reviewed_on, language) for the
    actor's unit, and match the recent stories against it."""
    claim = library.add_claim(
        session,
        **fields,
        unit_id=actor.unit_id if actor else None,
        created_by_id=actor.id if actor else None,
    )
    change = _after_change(session, settings, [claim])
    audit.record(session, "claim.add", actor=actor, object_type="claim", object_id=claim.id,
                 ip=ip, **change.summary())  # fmt: skip
    return change


def update_claim(
    session: Session,
    settings: Settings,
    actor: User | None,
    claim_id: int,
    fields: dict[str, Any],
    *,
    ip: str | None = None,
) -> ClaimChange:
    """Change the given fields of a claim; the stories that matched it and the recent ones
    that share its words are matched again."""
    before = stories_matching(session, [claim_id])
    claim = library.update_claim(session, claim_id, **fields)
    change = _after_change(session, settings, [claim], also=before)
    audit.record(session, "claim.update", actor=actor, object_type="claim", object_id=claim_id,
                 ip=ip, fields=sorted(fields), **change.summary())  # fmt: skip
    return change


def import_claims(
    session: Session,
    settings: Settings,
    actor: User | None,
    data: bytes | str,
    filename: str,
    *,
    unit_id: int | None = None,
    ip: str | None = None,
) -> ClaimChange:
    """Add the claims of a ClaimReview JSON-LD or CSV file (those already there are skipped)
    for `unit_id` (default: the actor's unit), and match the recent stories against them."""
    result = library.import_claims(
        session,
        data,
        filename=filename,
        unit_id=unit_id if unit_id is not None else (actor.unit_id if actor else None),
        created_by_id=actor.id if actor else None,
    )
    added = [library.get_claim(session, cid) for cid in result.claim_ids]
    change = _after_change(session, settings, added, skipped=result.skipped)
    audit.record(session, "claim.import", actor=actor, object_type="claim", ip=ip,
                 added=result.added, skipped=result.skipped, **change.summary())  # fmt: skip
    return change


def remove_claim(
    session: Session,
    settings: Settings,
    actor: User | None,
    claim_id: int,
    *,
    ip: str | None = None,
) -> ClaimChange:
    """Remove a claim and its matches; the stories that matched it are triaged again (their
    open cases' priority no longer counts it)."""
    before = stories_matching(session, [claim_id])
    library.delete_claim(session, claim_id)
    triaged = triage_stories(session, before, settings=settings)
    change = ClaimChange(
        (), 0, RematchResult(0, tuple(before), ()), len(triaged.created), len(triaged.updated)
    )
    audit.record(session, "claim.delete", actor=actor, object_type="claim", object_id=claim_id,
                 ip=ip, stories=len(before))  # fmt: skip
    return change


# --- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRow:
    """A claim of the list page with the number of stories that match it."""

    claim: Claim
    stories: int


@dataclass(frozen=True)
class ClaimListPage:
    """One page of the library."""

    rows: list[ClaimRow]
    total: int
    page: int
    pages: int


def claim_list(
    session: Session,
    *,
    query: str | None = None,
    verdict: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> ClaimListPage:
    """Claims newest first (`query` searched without diacritics), with their story counts."""

    def fetch(number: int) -> tuple[list[Claim], int]:
        return library.list_claims(
            session, query=query, verdict=verdict, limit=page_size, offset=(number - 1) * page_size
        )

    page = max(1, page)
    found, total = fetch(page)
    pages = max(1, math.ceil(total / page_size))
    if page > pages:  # past the end: the last page
        page = pages
        found, total = fetch(page)
    counts: dict[int, int] = {}
    if found:
        counts = {
            int(cid): int(n)
            for cid, n in session.execute(
                select(StoryClaimMatch.claim_id, func.count())
                .where(StoryClaimMatch.claim_id.in_([c.id for c in found]))
                .group_by(StoryClaimMatch.claim_id)
            )
        }
    return ClaimListPage([ClaimRow(c, counts.get(c.id, 0)) for c in found], total, page, pages)


@dataclass(frozen=True)
class MatchedStory:
    """A story that repeats a claim, seen through its most urgent case the user may open."""

    story_id: int
    case_id: int
    case_status: str
    severity: int
    priority: float
    score: float
    method: str
    passage: str | None
    snippet: str
    item_count: int
    reach: int
    last_seen: datetime


def matched_stories(
    session: Session, claim_id: int, units: frozenset[int], limit: int = 200
) -> tuple[list[MatchedStory], int]:
    """The stories matching `claim_id` that have a case in `units` (best match first), and
    how many stories match it in all (other units' included, as a number only)."""
    total = int(
        session.scalar(
            select(func.count())
            .select_from(StoryClaimMatch)
            .where(StoryClaimMatch.claim_id == claim_id)
        )
        or 0
    )
    visible = (
        select(Case.id)
        .where(Case.story_id == StoryClaimMatch.story_id, Case.unit_id.in_(sorted(units)))
        .exists()
    )
    best = session.execute(
        select(StoryClaimMatch, Story)
        .join(Story, Story.id == StoryClaimMatch.story_id)
        .where(StoryClaimMatch.claim_id == claim_id, visible)
        .order_by(StoryClaimMatch.score.desc(), StoryClaimMatch.story_id)
        .limit(limit)
    ).all()
    # each story through its most urgent case in the user's units
    case_of: dict[int, Case] = {}
    for case in session.scalars(
        select(Case)
        .where(
            Case.story_id.in_([story.id for _m, story in best]),
            Case.unit_id.in_(sorted(units)),
        )
        .order_by(Case.priority.desc(), Case.id)
    ):
        case_of.setdefault(case.story_id, case)
    out = []
    for match, story in best:
        case = case_of[story.id]
        out.append(
            MatchedStory(
                story_id=story.id,
                case_id=case.id,
                case_status=case.status,
                severity=case.severity,
                priority=case.priority,
                score=float(match.score),
                method=match.method,
                passage=match.passage,
                snippet=snippet_of(story.representative_text),
                item_count=story.item_count,
                reach=story.reach,
                last_seen=story.last_seen,
            )
        )
    return out, total
