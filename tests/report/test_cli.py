"""`soitin report` (once and on schedule) and `soitin publications import`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soitin.cli import app
from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.report.periods import last_complete
from tests.report.world import TZ, build_world

runner = CliRunner()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated SQLite database with the known month, and the environment that names it.

    Shared by the module's tests: they only read it, except the import test (last), which
    adds its own publication.
    """
    tmp_path = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    upgrade(engine)
    with Database(engine).transaction() as session:
        build_world(session)
    engine.dispose()
    return {"SOITIN_DATA_DIR": str(tmp_path), "SOITIN_DATABASE_URL": url}


def test_report_once_in_each_format(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        ["report", "--unit", "qtr", "--period", "2026-10", "--format", "csv", "--out", str(out)],
        env=env,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert ["Tin đã thu thập", "11", "3", "▲ 266,7%"] in rows
    folder = tmp_path / "files"
    folder.mkdir()
    for fmt, name, magic in (
        ("xlsx", "bao-cao_dhoi_2026-10.xlsx", b"PK"),
        ("pdf", "bao-cao_dhoi_2026-10.pdf", b"%PDF"),
        ("claimreview", "kiem-chung_dhoi_2026-10.json", b"["),
    ):
        result = runner.invoke(
            app,
            [
                "report",
                "--unit",
                "dhoi",
                "--period",
                "2026-10",
                "--format",
                fmt,
                "--out",
                str(folder),
            ],
            env=env,
        )
        assert result.exit_code == 0, result.output
        assert (folder / name).read_bytes().startswith(magic)
    assert len(list(folder.iterdir())) == 3


def test_report_schedule_writes_once(env: dict[str, str], tmp_path: Path) -> None:
    period = last_complete("month", datetime.now(UTC).astimezone(TZ).date())
    args = [
        "report",
        "--schedule",
        "monthly",
        "--unit",
        "mhoa",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "sched"),
    ]
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    written = tmp_path / "sched" / "mhoa" / f"bao-cao_mhoa_{period.label}.csv"
    assert written.is_file() and "1 report file(s) written." in first.output
    second = runner.invoke(app, args, env=env)
    assert "0 report file(s) written." in second.output
    weekly = runner.invoke(
        app, ["report", "--schedule", "weekly", "--out", str(tmp_path / "weekly")], env=env
    )
    assert weekly.exit_code == 0, weekly.output
    assert "6 report file(s) written." in weekly.output  # three units, XLSX and PDF


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "--unit", "qtr"], "--period"),
        (["report", "--unit", "qtr", "--period", "hôm qua"], "Unknown period"),
        (["report", "--unit", "qtr", "--period", "2026-10", "--format", "docx"], "format"),
        (["report", "--unit", "nowhere", "--period", "2026-10"], "nowhere"),
        (["report", "--schedule", "daily"], "weekly or monthly"),
        (["report", "--schedule", "weekly", "--period", "2026-10"], "--period"),
    ],
)
def test_report_errors_are_one_sentence(env: dict[str, str], args: list[str], message: str) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_publications_import(env: dict[str, str], tmp_path: Path) -> None:
    export = tmp_path / "tiktok.csv"
    export.write_text(
        "Mã video,Video link,Post time,Lượt xem video,Likes\n"
        "7,https://www.tiktok.com/@qt/video/7,20/10/2026 10:00,1.5K,20\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "publications",
            "import",
            str(export),
            "--platform",
            "tiktok",
            "--unit",
            "dhoi",
            "--column",
            "external_id=Mã video",
            "--at",
            "2026-11-01T08:00+07:00",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "new publications 1" in result.output and "snapshots 1" in result.output
    bad = runner.invoke(
        app,
        [
            "publications",
            "import",
            str(export),
            "--platform",
            "tiktok",
            "--unit",
            "dhoi",
            "--column",
            "views",
        ],
        env=env,
    )
    assert bad.exit_code == 1 and "FIELD=Header" in bad.output
    naive = runner.invoke(
        app,
        [
            "publications",
            "import",
            str(export),
            "--platform",
            "tiktok",
            "--unit",
            "dhoi",
            "--at",
            "2026-11-01T08:00",
        ],
        env=env,
    )
    assert naive.exit_code == 1 and "time zone" in naive.output
