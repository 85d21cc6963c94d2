"""`GET /metrics`: aggregate figures in the Prometheus text format, no post text, no people."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from soitin.db.engine import Database
from soitin.db.models import CaseStatus, FailedTask, Source
from tests.review.factories import make_case, make_source, make_story

SECRET_TEXT = "Bài đăng bí mật không được lộ ra ngoài"


def _figures(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert SECRET_TEXT not in response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_items_cases_failures_and_source_health(
    app_client: TestClient, db: Database, units: dict[str, int]
) -> None:
    with db.transaction() as s:
        feed = make_source(s, "Báo Tốt")
        story = make_story(s, SECRET_TEXT, sources=[feed], items=3)
        make_case(s, story, units["qt"], status=CaseStatus.OPEN.value)
        s.add(
            Source(
                kind="feed", name="Báo Hỏng", url="https://h.example/rss", consecutive_failures=2
            )
        )
        s.add(Source(kind="feed", name="Báo Tắt", url="https://t.example/rss", enabled=False))
        s.add(Source(kind="api", name="Đối tác", consecutive_failures=0))
        s.add(
            FailedTask(
                message_id="m1",
                queue="soitin.pipeline",
                actor="process_item_batch",
                args={"args": [[1]]},
                error="boom",
            )
        )
    got = _figures(app_client)
    assert got[("soitin_items_total", ())] == 3
    assert got[("soitin_items_unprocessed", ())] == 3
    assert got[("soitin_open_cases", ())] == 1
    assert got[("soitin_task_failures", ())] == 1
    assert got[("soitin_sources", (("kind", "feed"), ("state", "ok")))] == 1
    assert got[("soitin_sources", (("kind", "feed"), ("state", "failing")))] == 1
    assert got[("soitin_sources", (("kind", "api"), ("state", "ok")))] == 1
    # the switched-off feed is not counted
    assert sum(v for (name, _), v in got.items() if name == "soitin_sources") == 3
