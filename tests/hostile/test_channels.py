"""Every hostile text through every way in, the pipeline, the pages and the exports.

Ways in: file import (JSONL and CSV), the push API, the tips form (payload as text, note
and an SSRF link). Then the queue, story, case, item text, audit, dashboard and tips pages,
the audit CSV and the report XLSX/CSV. Nothing may answer 5xx, no payload may reach a page
as live markup, no exported cell may be a live formula, and a tip's link is never fetched.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from soitin.db.engine import Database
from soitin.db.models import Case, Item
from soitin.ingest.files import import_file
from soitin.ingest.sources import add_source, issue_token
from soitin.report.safe_cell import FORMULA_PREFIXES
from tests.hostile.corpus import FORMULAS, MEGABYTE, SSRF_URLS, TEMPLATES, TEXTS, XSS, needle
from tests.review.factories import make_case
from tests.web.conftest import csrf_of

#: Inputs sent per channel, filled in by the test (docs/security.md quotes the figures).
COUNTS: Counter[str] = Counter()
RAW_NEEDLES = [needle(t) for t in TEXTS if "<" in needle(t)]


class _Hits(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def trap() -> Iterator[str]:
    """A server on 127.0.0.1 that counts every request it receives."""
    _Hits.hits = 0
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/tip"
    finally:
        server.shutdown()
        server.server_close()


def _assert_escaped(html: str, where: str) -> None:
    for raw in RAW_NEEDLES:
        assert raw not in html, f"{raw!r} raw in {where}"
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def _ingest(db: Database, client: TestClient, tmp_path: Path, trap: str) -> None:
    with db.transaction() as session:
        api = add_source(session, kind="api", name="API hiểm")
        token = issue_token(session, api, name="hostile")
        file_source = add_source(session, kind="file", name="Tệp hiểm")
    # File import: JSONL and CSV.
    rows = [
        {"external_id": f"f{n}", "text": t, "title": t[:200], "author": t[:60]}
        for n, t in enumerate(TEXTS)
    ]
    jsonl = tmp_path / "hostile.jsonl"
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    csv_path = tmp_path / "hostile.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["external_id", "text", "title", "author"])
        writer.writeheader()
        writer.writerows({**r, "external_id": f"c{r['external_id']}"} for r in rows)
    with db.transaction() as session:
        source = session.merge(file_source)
    for path in (jsonl, csv_path):
        result = import_file(db, source, path)
        COUNTS["file"] += len(rows)
        assert result.rows == len(rows) and result.inserted >= len(rows) - 2, result.errors
    # Push API: texts, titles, authors, hostile-but-http links, then one megabyte.
    headers = {"Authorization": f"Bearer {token}"}
    batch = [
        {
            "external_id": f"p{n}",
            "text": t,
            "title": t[:200],
            "author": t[:60],
            "url": SSRF_URLS[n % 15],
            "likes": "1,2K",
        }
        for n, t in enumerate(TEXTS)
    ]
    response = client.post("/api/v1/items", json={"items": batch}, headers=headers)
    assert response.status_code == 200, response.text
    COUNTS["push"] += len(batch)
    for odd in (
        {"text": MEGABYTE},
        {"text": "x", "url": "javascript:alert(1)"},
        {"text": "x", "published_at": "{{7*7}}"},
        {"text": "x", "likes": "=1+1"},
    ):
        response = client.post("/api/v1/items", json=odd, headers=headers)
        assert response.status_code < 500, response.text
        COUNTS["push"] += 1
    # Tips form: payload as text and as note, with a link that must never be fetched.
    csrf = csrf_of(client.get("/tips").text)
    links = [trap, *SSRF_URLS]
    for n, t in enumerate(TEXTS):
        response = client.post(
            "/tips",
            data={"url": links[n % len(links)], "text": t, "note": t[:2000], "csrf_token": csrf},
        )
        assert response.status_code < 500, (t, response.text[:300])
        COUNTS["tips"] += 1
    response = client.post("/tips", data={"text": MEGABYTE[:150_000], "csrf_token": csrf})
    assert response.status_code < 500
    COUNTS["tips"] += 1


def _cases(db: Database, unit_id: int) -> list[int]:
    """A case in the unit's queue for every story the hostile items went into."""
    with db.transaction() as session:
        stories = set(session.scalars(select(Item.story_id).where(Item.story_id.is_not(None))))
        have = set(session.scalars(select(Case.story_id)))
        from soitin.db.models import Story

        for story_id in sorted(stories - have):
            story = session.get(Story, story_id)
            assert story is not None
            make_case(session, story, unit_id)
        return list(session.scalars(select(Case.id).order_by(Case.id)))


def test_hostile_texts_everywhere(
    db: Database,
    units: dict[str, int],
    signed_in: Callable[[str], TestClient],
    tmp_path: Path,
    trap: str,
) -> None:
    COUNTS.clear()
    client = signed_in("admin_qt")
    _ingest(db, client, tmp_path, trap)
    with db.session() as session:
        stored = session.scalars(select(Item)).all()
        texts = {i.text for i in stored}
        assert len(stored) >= len(TEXTS)
        assert any(t and "<script>" in t for t in texts)  # kept verbatim, escaped on output
        assert not any(t and "\x00" in t for t in texts)
    assert _Hits.hits == 0, "a tip link was fetched"
    case_ids = _cases(db, units["qt"])
    assert len(case_ids) >= 3
    # Decisions with hostile notes, so the audit log holds them too.
    page = client.get(f"/cases/{case_ids[0]}")
    csrf = csrf_of(page.text)
    for t in TEXTS:
        response = client.post(
            f"/cases/{case_ids[0]}/comment", data={"note": t[:2000], "csrf_token": csrf}
        )
        assert response.status_code < 500, (t, response.text[:300])
        COUNTS["comments"] += 1
    # Pages.
    pages = ["/", "/queue", "/tips", "/admin/audit", "/admin/audit?q=script"]
    pages += [f"/queue?q={t[:80]}" for t in XSS + TEMPLATES]
    for case_id in case_ids:
        pages.append(f"/cases/{case_id}")
    with db.session() as session:
        for case in session.scalars(select(Case)).all():
            pages.append(f"/stories/{case.story_id}")
            item_ids = session.scalars(select(Item.id).where(Item.story_id == case.story_id))
            pages += [f"/cases/{case.id}/items/{i}/text" for i in list(item_ids)[:5]]
    for url in pages:
        response = client.get(url)
        assert response.status_code < 500, (url, response.text[:300])
        if response.headers.get("content-type", "").startswith("text/html"):
            _assert_escaped(response.text, url)
        COUNTS["pages"] += 1
    _exports(client)
    print(json.dumps({"hostile_counts": dict(COUNTS)}))
    assert COUNTS["file"] >= 2 * len(TEXTS) and COUNTS["push"] >= len(TEXTS) + 4
    assert COUNTS["tips"] >= len(TEXTS) and COUNTS["pages"] >= 30


def _exports(client: TestClient) -> None:
    audit = client.get("/admin/audit.csv")
    assert audit.status_code == 200
    cells = [c for row in csv.reader(io.StringIO(audit.text)) for c in row]
    assert "tip.submitted" in cells and "case.comment" in " ".join(cells), audit.text[:500]
    for cell in cells:
        assert not cell.startswith(FORMULA_PREFIXES), cell[:60]
    COUNTS["exports"] += 1
    period = datetime.now(UTC).strftime("%Y-%m")
    xlsx = client.get("/reports/download", params={"unit": "qt", "period": period})
    assert xlsx.status_code == 200, xlsx.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), cell.value[:60]
    COUNTS["exports"] += 1
    report = client.get(
        "/reports/download", params={"unit": "qt", "period": period, "format": "csv"}
    )
    assert report.status_code == 200
    for row in csv.reader(io.StringIO(report.content.decode("utf-8-sig"))):
        for cell in row:
            assert not cell.startswith(FORMULA_PREFIXES), cell[:60]
    COUNTS["exports"] += 1
    assert FORMULAS  # the corpus holds formulas
