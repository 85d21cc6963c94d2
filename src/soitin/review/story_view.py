"""The story page's data: representative text with highlights, items, timeline, places,
matched claims, detector explanations and the case timeline, in a fixed number of queries.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from soitin.db.models import (
    Case,
    CaseEvent,
    Claim,
    Item,
    StoryClaimMatch,
    StoryTimelineBucket,
    User,
)
from soitin.db.types import utcnow
from soitin.detect.evidence import CONTACTS, FRAMES, LURES, ORGANISATIONS
from soitin.errors import NotFoundError
from soitin.review.policies import UnitTree
from soitin.review.queue import CaseRow, case_row
from soitin.review.triage import category_of_detector, detector_scores

__all__ = [
    "ChartBar",
    "StoryView",
    "TimelineChart",
    "build_story_view",
    "highlight",
    "load_case",
    "story_cases",
    "place_names",
    "safe_url",
]

ITEMS_SHOWN = 200
CHART_W, CHART_H = 640, 140


class Segment(BaseModel):
    """A piece of the representative text; `kind` marks a highlight."""

    text: str
    kind: str | None = None
    label: str | None = None


class ItemRow(BaseModel):
    """One item of the story (its text is shown only on request, and audited)."""

    id: int
    source_name: str
    source_kind: str
    platform: str | None
    title: str | None
    url: str | None
    published_at: datetime | None
    fetched_at: datetime
    likes: int
    comments: int
    shares: int
    views: int
    has_text: bool


class DetectorResult(BaseModel):
    """One detector's verdict on the story and why."""

    name: str
    category: str | None
    score: float
    label: str | None = None
    explanation: list[str] = []
    #: The explanation's words with their weights, for pages (which write the numbers in
    #: their language); not in the JSON, which has `explanation`.
    terms: list[tuple[str, float | None]] = Field(default=[], exclude=True)
    evidence: dict[str, list[str]] = {}


class ClaimMatchRow(BaseModel):
    """A fact-checked claim the story repeats."""

    claim_id: int
    text: str
    verdict: str
    url: str | None
    publisher: str | None
    reviewed_on: str | None
    score: float
    passage: str
    method: str
    #: Cases (in the reader's units) of other stories that repeat this claim, newest first.
    other_cases: list[int] = Field(default_factory=list)


#: At most this many other cases are named under a claim.
OTHER_CASES = 20


class EventRow(BaseModel):
    """One step of the case timeline."""

    id: int
    case_id: int
    kind: str
    at: datetime
    actor: str | None
    note: str | None
    data: dict[str, Any]
    unit_name: str | None = None


class ChartBar(BaseModel):
    """A bar of the timeline chart (SVG user units)."""

    x: float
    y: float
    w: float
    h: float
    label: str
    value: int


class TimelineChart(BaseModel):
    """A tiny server-side SVG bar chart: items per hour (or per day for long stories)."""

    width: int = CHART_W
    height: int = CHART_H
    bars: list[ChartBar] = []
    peak: int = 0
    first_label: str = ""
    last_label: str = ""
    per: str = "hour"


class PlaceRow(BaseModel):
    """A place the story names."""

    code: str
    name: str
    level: str


class RelatedCase(BaseModel):
    """Another case of the same story that the user may see."""

    id: int
    unit_name: str
    status: str


class StoryView(BaseModel):
    """Everything the story page (and `GET /api/v1/cases/{id}`) shows."""

    case: CaseRow
    story_id: int
    first_seen: datetime
    last_seen: datetime
    representative_item_id: int | None
    representative: list[Segment]
    items: list[ItemRow]
    items_total: int
    timeline: TimelineChart
    places: list[PlaceRow]
    claims: list[ClaimMatchRow]
    detectors: list[DetectorResult]
    events: list[EventRow]
    related_cases: list[RelatedCase]


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are shown as links (never javascript: or data:)."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def _fold_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", c)[:1] or c
    low = base.lower()
    return low if len(low) == 1 else base


def _fold_same_length(text: str) -> str:
    return "".join(_fold_char(c) for c in text)


def highlight(text: str, marks: list[tuple[int, int, str, str]]) -> list[Segment]:
    """Cut `text` into plain and highlighted segments; overlapping marks keep the first."""
    segments: list[Segment] = []
    pos = 0
    for start, end, kind, label in sorted(marks, key=lambda m: (m[0], -m[1])):
        start, end = max(start, pos), min(end, len(text))
        if end <= start:
            continue
        if start > pos:
            segments.append(Segment(text=text[pos:start]))
        segments.append(Segment(text=text[start:end], kind=kind, label=label))
        pos = end
    if pos < len(text):
        segments.append(Segment(text=text[pos:]))
    return segments


def _as_text_list(value: Any) -> list[str]:
    """A stored list as text: words, and weighted words as "word (+0.42)"."""
    return [_term_text(n, w) for n, w in _as_terms(value)]


def _term_text(name: str, weight: float | None) -> str:
    return name if weight is None else f"{name} ({weight:+.2f})"


def _as_terms(value: Any) -> list[tuple[str, float | None]]:
    """The words or cues of a stored explanation with their weights (None: none stored)."""
    out: list[tuple[str, float | None]] = []
    if isinstance(value, str):
        return [(value, None)]
    if isinstance(value, dict):
        value = [{"feature": k, "weight": v} for k, v in value.items()]
    for entry in value if isinstance(value, list | tuple) else []:
        if isinstance(entry, str):
            out.append((entry, None))
        elif isinstance(entry, dict):
            name = (
                entry.get("feature") or entry.get("text") or entry.get("term") or entry.get("cue")
            )
            if name is not None:
                weight = entry.get("weight")
                out.append((str(name), weight if isinstance(weight, float) else None))
        elif isinstance(entry, list | tuple) and entry:
            out.append((str(entry[0]), None))
    return out[:12]


def _marks(detail: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of a stored result's highlights: "span" (offending span of the
    span model) or "ngram" (words that raised the score); results stored with bare spans
    only are shown as spans. Scam evidence is marked from the result's `evidence` phrases,
    with their kind, so its stored highlights are not marked twice."""
    stored = detail.get("highlights")
    if isinstance(stored, list) and stored:
        out: list[tuple[int, int, str]] = []
        for entry in stored:
            if isinstance(entry, dict) and entry.get("source") != "evidence":
                kind = "ngram" if entry.get("source") == "ngram" else "span"
                out.extend((a, b, kind) for a, b in _spans([entry]))
        return out
    return [(a, b, "span") for a, b in _spans(detail.get("spans"))]


def _spans(value: Any) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for entry in value if isinstance(value, list | tuple) else []:
        if isinstance(entry, dict):
            start, end = entry.get("start"), entry.get("end")
        elif isinstance(entry, list | tuple) and len(entry) >= 2:
            start, end = entry[0], entry[1]
        else:
            continue
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
            out.append((start, end))
    return out


#: Names of evidence kinds (organisations, lures, calls to action, frames), which scam
#: evidence lists instead of the words found: not marked in the text ("pay" in "zalopay").
KIND_NAMES = frozenset(key for table in (ORGANISATIONS, LURES, CONTACTS, FRAMES) for key in table)


def _evidence(value: Any) -> dict[str, list[str]]:
    if isinstance(value, dict):
        out: dict[str, list[str]] = {}
        for key, entries in value.items():
            if isinstance(entries, dict):  # organisations → {kind: [phrases]}
                out[str(key)] = [str(x) for v in entries.values() for x in _as_text_list(v)]
            else:
                out[str(key)] = [str(x) for x in _as_text_list(entries)]
        return {k: v for k, v in out.items() if v}
    if isinstance(value, list):
        return {"evidence": _as_text_list(value)}
    return {}


def _detectors(
    max_scores: dict[str, Any], item_scores: dict[str, Any], text: str
) -> tuple[list[DetectorResult], list[tuple[int, int, str, str]]]:
    best = detector_scores(max_scores)
    mine = detector_scores(item_scores)
    results: list[DetectorResult] = []
    marks: list[tuple[int, int, str, str]] = []
    folded = _fold_same_length(text)
    for name in sorted(set(best) | set(mine)):
        raw = item_scores.get(name) if isinstance(item_scores, dict) else None
        detail = raw if isinstance(raw, dict) else {}
        terms = _as_terms(
            detail.get("explanation")
            or detail.get("explanations")
            or detail.get("features")
            or detail.get("contributions")
            or []
        )
        evidence = _evidence(detail.get("evidence"))
        for start, end, kind in _marks(detail):
            marks.append((start, end, kind, name))
        for kind, phrases in evidence.items():
            for phrase in phrases:
                if phrase in KIND_NAMES:  # "bank", "prize", "message": a kind, not text
                    continue
                needle = _fold_same_length(phrase.strip())
                if len(needle) < 2:
                    continue
                at = folded.find(needle)
                while at >= 0:
                    marks.append((at, at + len(needle), "evidence", kind))
                    at = folded.find(needle, at + len(needle))
        label = detail.get("label")
        results.append(
            DetectorResult(
                name=name,
                category=category_of_detector(name),
                score=round(best.get(name, mine.get(name, 0.0)), 4),
                label=str(label) if label is not None else None,
                explanation=[_term_text(n, w) for n, w in terms],
                terms=terms,
                evidence=evidence,
            )
        )
    results.sort(key=lambda r: r.score, reverse=True)
    return results, marks


@lru_cache(maxsize=1)
def place_names() -> dict[str, tuple[str, str]]:
    """2025 place code → (name, level) from the shipped gazetteer ({} if it is absent)."""
    path = Path(__file__).resolve().parents[1] / "places" / "data" / "gazetteer.json.gz"
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
        out: dict[str, tuple[str, str]] = {}
        for code, kind, name, *_ in data.get("provinces", []):
            out[str(code)] = (f"{kind} {name}", "province")
        for code, kind, name, *_ in data.get("wards", []):
            out[str(code)] = (f"{kind} {name}", "ward")
        return out
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def _chart(points: list[tuple[datetime, int]], tz: ZoneInfo) -> TimelineChart:
    if not points:
        return TimelineChart()
    points.sort()
    span = points[-1][0] - points[0][0]
    per = "day" if span > timedelta(hours=72) else "hour"
    buckets: dict[datetime, int] = {}
    for at, count in points:
        local = at.astimezone(tz)
        key = local.replace(minute=0, second=0, microsecond=0)
        if per == "day":
            key = key.replace(hour=0)
        buckets[key] = buckets.get(key, 0) + count
    step = timedelta(days=1) if per == "day" else timedelta(hours=1)
    start, end = min(buckets), max(buckets)
    keys: list[datetime] = []
    cursor = start
    while cursor <= end and len(keys) < 400:
        keys.append(cursor)
        cursor += step
    peak = max(buckets.values()) or 1
    width = CHART_W / max(len(keys), 1)
    fmt = "%d/%m" if per == "day" else "%d/%m %H:00"
    bars = []
    for i, key in enumerate(keys):
        value = buckets.get(key, 0)
        h = (CHART_H - 20) * value / peak
        bars.append(
            ChartBar(
                x=round(i * width, 2),
                y=round(CHART_H - h, 2),
                w=round(max(width - 1, 1), 2),
                h=round(h, 2),
                label=key.strftime(fmt),
                value=value,
            )
        )
    return TimelineChart(
        bars=bars,
        peak=peak,
        first_label=keys[0].strftime(fmt),
        last_label=keys[-1].strftime(fmt),
        per=per,
    )


def load_case(session: Session, case_id: int) -> Case:
    """The case with its story, unit and assignee (one query), or NotFoundError."""
    case = session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(joinedload(Case.story), joinedload(Case.unit), joinedload(Case.assignee))
    )
    if case is None:
        raise NotFoundError("Not found.")
    return case


def story_cases(
    session: Session, story_ids: Iterable[int], scope: frozenset[int]
) -> dict[int, int]:
    """Story id → its most urgent case in `scope` (a story may have no case, or none here)."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Case.story_id, Case.id)
        .where(Case.story_id.in_(ids), Case.unit_id.in_(sorted(scope)))
        .order_by(Case.priority, Case.id.desc())  # least urgent first: the last row wins
    ).all()
    return dict(rows)


def build_story_view(
    session: Session, case: Case, tree: UnitTree, scope: frozenset[int], *, tz: ZoneInfo
) -> StoryView:
    """The story page of `case` (loaded by `load_case`, already authorised)."""
    story = case.story
    rep = session.get(Item, story.representative_item_id) if story.representative_item_id else None
    text = (rep.text if rep is not None and rep.text else None) or story.representative_text or ""
    detectors, marks = _detectors(story.max_scores or {}, (rep.scores if rep else {}) or {}, text)
    items = list(
        session.scalars(
            select(Item)
            .where(Item.story_id == story.id)
            .options(joinedload(Item.source))
            .order_by(Item.published_at.desc(), Item.id.desc())
            .limit(ITEMS_SHOWN)
        )
    )
    buckets = session.execute(
        select(StoryTimelineBucket.bucket_start, StoryTimelineBucket.items).where(
            StoryTimelineBucket.story_id == story.id
        )
    ).all()
    points = [(b.bucket_start, int(b.items)) for b in buckets] or [
        (i.published_at or i.fetched_at, 1) for i in items
    ]
    claims = session.execute(
        select(StoryClaimMatch, Claim)
        .join(Claim, Claim.id == StoryClaimMatch.claim_id)
        .where(StoryClaimMatch.story_id == story.id)
        .order_by(StoryClaimMatch.score.desc())
    ).all()
    # the same claim in other words: other stories, whose cases here are worth a look
    others: dict[int, list[int]] = {}
    if claims:
        for claim_id, case_id in session.execute(
            select(StoryClaimMatch.claim_id, Case.id)
            .join(Case, Case.story_id == StoryClaimMatch.story_id)
            .where(
                StoryClaimMatch.claim_id.in_(sorted({c.id for _m, c in claims})),
                StoryClaimMatch.story_id != story.id,
                Case.unit_id.in_(sorted(scope)),
            )
            .order_by(Case.id.desc())
        ):
            listed = others.setdefault(claim_id, [])
            if len(listed) < OTHER_CASES and case_id not in listed:
                listed.append(case_id)
    related = session.execute(
        select(Case.id, Case.unit_id, Case.status).where(
            Case.story_id == story.id, Case.unit_id.in_(sorted(scope))
        )
    ).all()
    case_ids = [r.id for r in related] or [case.id]
    events = session.execute(
        select(CaseEvent, User.display_name, User.username)
        .outerjoin(User, User.id == CaseEvent.actor_id)
        .where(CaseEvent.case_id.in_(case_ids))
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    names = place_names()
    places = [
        PlaceRow(code=c, name=names.get(c, (c, level))[0], level=level)
        for level, codes in (("province", story.province_codes), ("ward", story.ward_codes))
        for c in codes or []
    ]
    now = utcnow()
    return StoryView(
        case=case_row(case, now),
        story_id=story.id,
        first_seen=story.first_seen,
        last_seen=story.last_seen,
        representative_item_id=story.representative_item_id,
        representative=highlight(text, marks),
        items=[
            ItemRow(
                id=i.id,
                source_name=i.source.name,
                source_kind=i.source.kind,
                platform=i.platform,
                title=i.title,
                url=safe_url(i.url),
                published_at=i.published_at,
                fetched_at=i.fetched_at,
                likes=i.likes,
                comments=i.comments,
                shares=i.shares,
                views=i.views,
                has_text=bool(i.text) and i.raw_purged_at is None,
            )
            for i in items
        ],
        items_total=max(story.item_count, len(items)),
        timeline=_chart(points, tz),
        places=places,
        claims=[
            ClaimMatchRow(
                claim_id=c.id,
                text=c.text,
                verdict=c.verdict,
                url=safe_url(c.url),
                publisher=c.publisher,
                reviewed_on=c.reviewed_on,
                score=round(m.score, 3),
                passage=m.passage,
                method=m.method,
                other_cases=others.get(c.id, []),
            )
            for m, c in claims
        ],
        detectors=detectors,
        events=[
            EventRow(
                id=e.id,
                case_id=e.case_id,
                kind=e.kind,
                at=e.at,
                actor=display or username,
                note=e.note,
                data=e.data or {},
                unit_name=tree.name(e.data.get("to_unit_id") or e.data.get("from_unit_id"))
                if e.data
                else None,
            )
            for e, display, username in events
        ],
        related_cases=[
            RelatedCase(id=r.id, unit_name=tree.name(r.unit_id), status=r.status)
            for r in related
            if r.id != case.id
        ],
    )
