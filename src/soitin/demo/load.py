"""Load the demo data set (written by us) into a new database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soitin.db.engine import Database
from soitin.db.models import Case, Item, Source
from soitin.db.types import utcnow
from soitin.respond.ledger import ResponseInput, record_response
from soitin.respond.publications import (
    PublicationInput,
    SnapshotInput,
    add_snapshot,
    create_publication,
)
from soitin.review import accounts
from soitin.settings import Settings
from soitin.triage.alerts import run_alert_pass
from soitin.triage.rules import create_rule, parse_rule_spec

#: How long after publication a demo post was collected.
DEMO_FETCH_DELAY = timedelta(minutes=4)


@dataclass
class DemoReport:
    """What the demo load created; the shared demo password is printed once."""

    password: str
    usernames: list[str] = field(default_factory=list)
    items: int = 0
    claims: int = 0
    alerts: int = 0
    responses: int = 0
    publications: int = 0


def _read_json(name: str) -> Any:
    return json.loads(resources.files("soitin.demo").joinpath("data", name).read_text("utf-8"))


def _read_jsonl(name: str) -> list[dict[str, Any]]:
    text = resources.files("soitin.demo").joinpath("data", name).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def load_demo(database: Database, settings: Settings) -> DemoReport:
    """Create the demo units, users, sources, items, claims and alert rules in one
    transaction, run one alert pass, then record the team's responses and publications."""
    spec = _read_json("sources.json")
    report = DemoReport(password=accounts.generate_password())
    with database.transaction() as session:
        for unit in spec["units"]:
            accounts.add_unit(
                session,
                unit["code"],
                unit["name"],
                parent_code=unit.get("parent"),
                place_codes=unit.get("place_codes", []),
            )
        for user in spec["users"]:
            if user["username"] == "admin":
                continue
            accounts.add_user(
                session,
                user["username"],
                role=user["role"],
                unit_code=user["unit"],
                password=report.password,
                display_name=user.get("display_name", ""),
            )
            report.usernames.append(user["username"])
        sources: dict[str, Source] = {}
        for src in spec["sources"]:
            unit = accounts.get_unit(session, src["unit"]) if src.get("unit") else None
            source = Source(
                kind=src["kind"],
                name=src["name"],
                url=src.get("url"),
                is_outlet=bool(src.get("outlet")),
                unit_id=unit.id if unit else None,
                # Demo feeds point at an invalid domain: never poll them.
                enabled=src["kind"] != "feed",
            )
            session.add(source)
            sources[src["name"]] = source
        session.flush()
        # the fact-checked claims first: posts are matched against them as they come in
        report.claims = _load_claims(session, _read_jsonl("claims.jsonl"))
        report.items = _load_items(session, sources, _read_jsonl("posts.jsonl"))
        for rule in spec.get("alert_rules", []):
            unit = accounts.get_unit(session, rule["unit"])
            fields = {k: v for k, v in rule.items() if k != "unit"}
            create_rule(session, unit.id, parse_rule_spec(fields, settings))
    # One alert pass now, so the bell and the alerts page show what the demo posts raise
    # (in-app only: the demo rules have no webhooks or e-mail).
    report.alerts = len(run_alert_pass(database, settings=settings, deliver=False).created)
    with database.transaction() as session:
        report.responses = _load_responses(session, spec.get("responses", []))
        report.publications = _load_publications(session, spec.get("publications", []))
    return report


def _case_of(session: Session, external_id: str) -> Case | None:
    """The case of the story a demo post joined (None: the post made no case)."""
    return session.scalars(
        select(Case)
        .join(Item, Item.story_id == Case.story_id)
        .where(Item.external_id == external_id)
        .order_by(Case.id)
        .limit(1)
    ).first()


def _load_responses(session: Session, entries: list[dict[str, Any]]) -> int:
    """The team's open responses to demo cases, each by a named demo user."""
    count = 0
    for entry in entries:
        case = _case_of(session, entry["item"])
        if case is None:
            continue
        fields = {k: v for k, v in entry.items() if k not in ("item", "by")}
        actor = accounts.get_user(session, entry["by"])
        record_response(session, case, ResponseInput(**fields), actor=actor)
        count += 1
    return count


def _load_publications(session: Session, entries: list[dict[str, Any]]) -> int:
    """The units' own publications, with their latest reach figures."""
    now = utcnow()
    for entry in entries:
        cases = [_case_of(session, external_id) for external_id in entry.get("cases_of", [])]
        publication = create_publication(
            session,
            PublicationInput(
                unit_id=accounts.get_unit(session, entry["unit"]).id,
                channel=entry["channel"],
                title=entry["title"],
                url=entry.get("url"),
                topic=entry.get("topic"),
                published_at=now - timedelta(hours=entry["hours_ago"]),
                case_ids=[c.id for c in cases if c is not None],
            ),
            actor=accounts.get_user(session, entry["by"]),
        )
        add_snapshot(session, publication, SnapshotInput(**entry["reach"], at=now))
    return len(entries)


def _load_items(session: Any, sources: dict[str, Source], posts: list[dict[str, Any]]) -> int:
    from soitin.ingest.store import IncomingItem, store_items

    now = utcnow()
    by_source: dict[str, list[IncomingItem]] = {}
    for post in posts:
        engagement = post.get("engagement") or {}
        by_source.setdefault(post["source"], []).append(
            IncomingItem(
                external_id=post["external_id"],
                title=post.get("title"),
                text=post["text"],
                url=post.get("url"),
                author=post.get("author"),
                platform=post.get("platform"),
                published_at=now - timedelta(hours=float(post.get("hours_ago", 0))),
                likes=int(engagement.get("likes", 0)),
                comments=int(engagement.get("comments", 0)),
                shares=int(engagement.get("shares", 0)),
                views=int(engagement.get("views", 0)),
            )
        )
    total = 0
    for name, rows in by_source.items():
        stored = store_items(session, sources[name], rows)
        total += stored.inserted
        # As if soitin had been watching for the month the posts span: each was collected a
        # few minutes after it was published (the charts show a month, not one day's import).
        for item in session.scalars(select(Item).where(Item.id.in_(stored.new_ids))):
            if item.published_at is not None:
                item.fetched_at = min(now, item.published_at + DEMO_FETCH_DELAY)
    session.flush()
    return total


def _load_claims(session: Any, claims: list[dict[str, Any]]) -> int:
    try:
        from soitin.stories.claims import add_claim
    except ImportError:  # the claim library lands with the stories area
        return 0
    for claim in claims:
        add_claim(
            session,
            text=claim["text"],
            verdict=claim["verdict"],
            url=claim.get("url"),
            publisher=claim.get("publisher"),
            reviewed_on=claim.get("date"),
            language=claim.get("language", "vi"),
        )
    return len(claims)


def demo_source_names() -> list[str]:
    """Names of the demo sources (for docs and tests)."""
    return [s["name"] for s in _read_json("sources.json")["sources"]]


__all__ = ["DemoReport", "load_demo", "demo_source_names"]
