"""The commands: `soitin source ...` and `soitin ingest ...` on a migrated SQLite file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from soitin.cli import app
from soitin.db.engine import Database, make_engine
from soitin.db.migrate import upgrade
from soitin.db.models import ApiToken, Item, Source
from soitin.ingest.sources import hash_token
from tests.ingest.conftest import FeedServer, Route
from tests.ingest.feeds_data import RSS, rss_with

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A migrated SQLite database the CLI opens through SOITIN_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SOITIN_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "250")  # rich tables at full width
    engine = make_engine(url)
    upgrade(engine)
    yield Database(engine)
    engine.dispose()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_source_add_list_token_revoke(cli_db: Database) -> None:
    code, out = _run(
        "source", "add", "Báo Thử", "--kind", "feed", "--url", "https://bao.example/rss"
    )
    assert code == 0, out
    code, out = _run("source", "add", "Báo Thử", "--kind", "feed", "--url", "https://x.example/")
    assert code == 1 and "already exists" in out
    code, out = _run("source", "add", "Sai", "--kind", "feed", "--url", "ftp://x")
    assert code == 1 and "http" in out
    code, out = _run("source", "add", "Đối tác", "--kind", "api")
    assert code == 0

    code, out = _run("source", "token", "Đối tác", "--name", "script")
    assert code == 0
    token = re.search(r"stn_[A-Za-z0-9_\-]+", out)
    assert token
    with cli_db.session() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [hash_token(token.group(0))]  # only the hash is kept

    code, out = _run("source", "list")
    assert code == 0 and "Báo Thử" in out and "Đối tác" in out

    code, out = _run("source", "revoke-token", "Đối tác")
    assert code == 0 and "1 token(s) revoked" in out
    with cli_db.session() as session:
        assert session.scalar(select(ApiToken.revoked_at)) is not None


def test_source_set_switches_and_changes_a_source(cli_db: Database) -> None:
    url = "https://bao.example/rss"
    assert _run("source", "add", "Báo Đổi", "--kind", "feed", "--url", url)[0] == 0
    code, out = _run("source", "set", "Báo Đổi", "--disable", "--interval", "30")
    assert code == 0, out
    assert "enabled True -> False" in out and "poll_interval_s 900 -> 1800" in out
    with cli_db.session() as session:
        source = session.scalar(select(Source).where(Source.name == "Báo Đổi"))
        assert source is not None and not source.enabled and source.poll_interval_s == 1800
    code, out = _run("source", "set", "Báo Đổi", "--disable")
    assert code == 0 and "nothing to change" in out
    code, out = _run("source", "set", "Báo Đổi", "--url", "http://192.168.0.10/rss")
    assert code == 1 and "private or local address" in out
    code, out = _run("source", "set", "Không có", "--enable")
    assert code == 1 and "no source named" in out
    assert _run("source", "add", "Xuất", "--kind", "file")[0] == 0
    code, out = _run("source", "set", "Xuất", "--url", url)
    assert code == 1 and "Only a feed source has a URL" in out


def test_ingest_file_reports_refused_lines(cli_db: Database, tmp_path: Path) -> None:
    assert _run("source", "add", "Xuất file", "--kind", "file")[0] == 0
    path = tmp_path / "posts.jsonl"
    path.write_text(
        json.dumps({"external_id": "1", "text": "Tin một"}, ensure_ascii=False)
        + "\nkhông phải JSON\n"
        + json.dumps({"external_id": "2", "text": "Tin hai"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    code, out = _run("ingest", "file", str(path), "--source", "Xuất file")
    assert code == 2  # imported, with refused rows
    assert "2 new" in out and "1 refused" in out and "line 2: not valid JSON" in out
    code, out = _run("ingest", "file", str(path), "--source", "Xuất file")
    assert "0 new" in out and "2 already there" in out
    with cli_db.session() as session:
        assert session.scalar(select(func.count(Item.id))) == 2


def test_ingest_file_with_a_mapping(cli_db: Database, tmp_path: Path) -> None:
    assert _run("source", "add", "CSV", "--kind", "file")[0] == 0
    path = tmp_path / "x.csv"
    path.write_text("ma,noi_dung\na1,Nội dung một\n", encoding="utf-8")
    code, out = _run(
        "ingest",
        "file",
        str(path),
        "--source",
        "CSV",
        "--map",
        "text=noi_dung",
        "--map",
        "external_id=ma",
    )
    assert code == 0, out
    assert "1 new" in out
    code, out = _run("ingest", "file", str(path), "--source", "Không có")
    assert code == 1 and "no source named" in out


def test_ingest_feeds_once(cli_db: Database, feed_server: FeedServer) -> None:
    feed_server.routes["/rss"] = Route(body=RSS.encode(), etag='"e1"')
    url = feed_server.url("/rss")
    assert _run("source", "add", "Báo RSS", "--kind", "feed", "--url", url)[0] == 0
    code, out = _run("ingest", "feeds")
    assert code == 0 and "Báo RSS" in out and "ok" in out
    code, out = _run("ingest", "feeds")
    assert "no feed is due" in out
    code, out = _run("ingest", "feeds", "--force")
    assert "not-modified" in out
    with cli_db.session() as session:
        assert session.scalar(select(func.count(Item.id))) == 3


def test_feed_and_file_text_that_looks_like_markup_is_printed_as_is(
    cli_db: Database, feed_server: FeedServer, tmp_path: Path
) -> None:
    doc = rss_with(
        "<guid>m1</guid><title>Một</title><link>http://bao example/[/b]</link>",
        "<guid>m2</guid><title>Hai</title>",
    )
    feed_server.routes["/rss"] = Route(body=doc.encode())
    url = feed_server.url("/rss")
    assert _run("source", "add", "[b]Báo[/b]", "--kind", "feed", "--url", url)[0] == 0
    code, out = _run("ingest", "feeds")
    assert code == 0, out
    assert "[b]Báo[/b]" in out and "'http://bao example/[/b]' has no valid host" in out
    code, out = _run("source", "list")  # the stored warning holds the same text
    assert code == 0, out
    assert "[b]Báo[/b]" in out and "[/b]' has no valid host" in out

    assert _run("source", "add", "CSV [i]", "--kind", "file")[0] == 0
    links = tmp_path / "links.csv"
    links.write_text("text,url\nfine,\nbad,http://x y/[/i]\n", encoding="utf-8")
    code, out = _run("ingest", "file", str(links), "--source", "CSV [i]")
    assert code == 2 and "line 3: url: 'http://x y/[/i]' has no valid host" in out
    header = tmp_path / "header.csv"
    header.write_text("id,[/b]\n1,x\n", encoding="utf-8")
    code, out = _run("ingest", "file", str(header), "--source", "CSV [i]")
    assert code == 1 and "none of the columns" in out and "id, [/b]" in out
    code, out = _run("source", "list")
    assert code == 0 and "CSV [i]" in out


@pytest.mark.parametrize("typed", ["\\t", "tab", "\t"])
def test_a_tab_delimiter_as_people_type_it(cli_db: Database, tmp_path: Path, typed: str) -> None:
    assert _run("source", "add", "TSV", "--kind", "file")[0] == 0
    path = tmp_path / "x.tsv"
    path.write_text("id\ttext\nt1\tTin, có dấu phẩy\n", encoding="utf-8")
    code, out = _run("ingest", "file", str(path), "--source", "TSV", "--delimiter", typed)
    assert code == 0 and "1 new" in out, out
    with cli_db.session() as session:
        assert session.scalars(select(Item.text)).all() == ["Tin, có dấu phẩy"]


@pytest.mark.parametrize("typed", ["", ";;", '"'])
def test_a_delimiter_that_is_not_one_character_is_a_clear_error(
    cli_db: Database, tmp_path: Path, typed: str
) -> None:
    assert _run("source", "add", "TSV", "--kind", "file")[0] == 0
    path = tmp_path / "x.csv"
    path.write_text("id,text\nt1,Tin\n", encoding="utf-8")
    code, out = _run("ingest", "file", str(path), "--source", "TSV", "--delimiter", typed)
    assert code == 1 and "delimiter must be one character" in out, out
