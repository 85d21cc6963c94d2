"""schema.org ClaimReview (JSON-LD) of the fact-checks the team published.

One object per fact-check response that has a verdict (from the claim library entry it names,
or set on the response). The claim reviewed is the library claim's text, else the response's
headline. No post links or authors are exported: the claim is described, not the people who
spread it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.models import Action, ActionKind, Case, Claim, Story, Unit
from soitin.report.labels import label
from soitin.report.periods import Period
from soitin.report.stats import unit_scope

__all__ = ["RATINGS", "claimreview_items", "claimreview_json"]

#: Verdict → (ratingValue on a 1–5 scale where 5 is true).
RATINGS = {"false": 1, "misleading": 2, "unproven": 3, "true": 5}


def _date(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).date().isoformat()


def claimreview_items(
    session: Session, unit_id: int, period: Period | None, *, tz: ZoneInfo
) -> list[dict[str, Any]]:
    """The ClaimReview objects of the fact-checks of `unit_id` (and below) in `period`."""
    scope = unit_scope(session, unit_id)
    stmt = (
        select(Action, Claim, Story, Unit.name)
        .join(Case, Case.id == Action.case_id)
        .join(Story, Story.id == Case.story_id)
        .join(Unit, Unit.id == Case.unit_id)
        .outerjoin(Claim, Claim.id == Action.claim_id)
        .where(Action.kind == ActionKind.FACT_CHECK.value, Case.unit_id.in_(scope.unit_ids))
        .order_by(Action.at, Action.id)
    )
    if period is not None:
        start, end = period.bounds(tz)
        stmt = stmt.where(Action.at >= start, Action.at < end)
    out: list[dict[str, Any]] = []
    for action, claim, story, unit_name in session.execute(stmt):
        verdict = action.verdict or (claim.verdict if claim else None)
        reviewed = (claim.text if claim else None) or action.title
        if not verdict or not reviewed or not action.url:
            continue
        item: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": action.url,
            "datePublished": _date(action.at, tz),
            "inLanguage": "vi",
            "author": {"@type": "Organization", "name": unit_name},
            "claimReviewed": " ".join(reviewed.split())[:500],
            "itemReviewed": {
                "@type": "Claim",
                "datePublished": _date(story.first_seen, tz),
                "appearance": {"@type": "CreativeWork", "name": action.channel or ""},
            },
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": RATINGS.get(verdict, 3),
                "bestRating": 5,
                "worstRating": 1,
                "alternateName": label(verdict, "vi"),
            },
        }
        if action.title:
            item["headline"] = action.title
        out.append(item)
    return out


def claimreview_json(items: list[dict[str, Any]]) -> bytes:
    """JSON-LD bytes (UTF-8; `</` escaped so the text can sit in a script tag)."""
    text = json.dumps(items, ensure_ascii=False, indent=2)
    return text.replace("</", "<\\/").encode("utf-8")
