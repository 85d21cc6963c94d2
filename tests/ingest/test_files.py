"""File imports: encodings, column mapping, bad rows with line numbers, idempotent re-runs."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from soitin.db.engine import Database
from soitin.db.models import Item, Source
from soitin.ingest.files import (
    MAX_QUOTED_SCAN_CHARS,
    ImportFileError,
    detect_encoding,
    import_file,
    parse_mapping,
)

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

ROWS = [
    {"external_id": "p1", "text": "Cảnh báo lừa đảo qua tin nhắn ngân hàng", "likes": "1.234"},
    {"external_id": "p2", "text": "Thông tin sai sự thật về dịch bệnh ở Hà Nội", "shares": 5},
    {"external_id": "p3", "text": "Đường dây nóng hỗ trợ người dân", "author": "@ubnd"},
]


def to_cp1258(text: str) -> bytes:
    """Windows-1258 writes tone marks as combining characters after the letter."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(p for p in parts if p in TONES)
        out.append(
            unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONES)) + tones
        )
    return "".join(out).encode("cp1258")


def _texts(db: Database, source: Source) -> list[str]:
    with db.session() as session:
        return sorted(
            session.scalars(select(Item.text).where(Item.source_id == source.id)).all()  # type: ignore[arg-type]
        )


def _count(db: Database, source: Source) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).where(Item.source_id == source.id)) or 0)


def _jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def test_jsonl_import_and_reimport(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    path = _jsonl(tmp_path / "posts.jsonl", ROWS)
    result = import_file(db, source, path)
    assert (result.format, result.encoding) == ("jsonl", "utf-8")
    assert (result.rows, result.inserted, result.duplicates, result.rejected) == (3, 3, 0, 0)
    again = import_file(db, source, path)
    assert (again.inserted, again.duplicates) == (0, 3)
    assert _count(db, source) == 3
    with db.session() as session:
        likes = session.scalar(select(Item.likes).where(Item.external_id == "p1"))
        hashes = session.scalars(select(Item.author_hash).where(Item.source_id == source.id))
        assert likes == 1234
        assert "ubnd" not in " ".join(h or "" for h in hashes)


def test_jsonl_bad_lines_are_reported_and_the_rest_imported(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    lines = [
        json.dumps(ROWS[0], ensure_ascii=False),  # line 1
        "{not json",  # 2
        "",  # 3: blank, skipped
        "[1, 2]",  # 4
        json.dumps({"text": "ngày sai", "published_at": "31/02/2025"}),  # 5
        json.dumps({"text": "x" * 5_000_000}),  # 6: a 5 MB item
        json.dumps({"title": "không có text"}, ensure_ascii=False),  # 7: fine
        json.dumps(ROWS[1], ensure_ascii=False),  # 8
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_file(db, source, path, batch_size=2)
    assert result.inserted == 3 and result.rejected == 4
    reasons = {e.line: e.reason for e in result.errors}
    assert set(reasons) == {2, 4, 5, 6}
    assert reasons[2].startswith("not valid JSON")
    assert "JSON object" in reasons[4]
    assert reasons[5].startswith("published_at:")
    assert reasons[6] == "text: 5,000,000 characters long; the limit is 100,000"


def test_jsonl_mapping_with_nested_keys(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    path = _jsonl(
        tmp_path / "export.ndjson",
        [{"post": {"id": "9", "message": "Tin mới"}, "stats": {"reactions": 7}, "from": "an"}],
    )
    mapping = parse_mapping(["external_id=post.id,text=post.message", "likes=stats.reactions"])
    assert import_file(db, source, path, mapping=mapping).inserted == 1
    with db.session() as session:
        item = session.scalars(select(Item).where(Item.source_id == source.id)).one()
        assert (item.external_id, item.text, item.likes) == ("9", "Tin mới", 7)


CSV_TEXT = (
    "external_id,text,published_at,likes\n"
    'c1,"Cảnh báo, lừa đảo",12/05/2025 08:30,"1.234"\n'
    'c2,"Bài viết\nnhiều dòng",,3\n'
    "c3,Tin thứ ba,2025-05-12T08:30:00+07:00,0\n"
)
# Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated.
TSV_TEXT = (
    "external_id\ttext\tpublished_at\tlikes\n"
    'c1\t"Cảnh báo, lừa đảo"\t12/05/2025 08:30\t1.234\n'
    'c2\t"Bài viết\nnhiều dòng"\t\t3\n'
    "c3\tTin thứ ba\t2025-05-12T08:30:00+07:00\t0\n"
)


@pytest.mark.parametrize(
    ("encoding", "data", "detected"),
    [
        ("utf-8", CSV_TEXT.encode("utf-8"), "utf-8"),
        ("utf-8 BOM", CSV_TEXT.encode("utf-8-sig"), "utf-8-sig"),
        ("utf-16", TSV_TEXT.encode("utf-16"), "utf-16"),
        ("utf-16 no BOM", CSV_TEXT.encode("utf-16-le"), "utf-16-le"),
        ("windows-1258", to_cp1258(CSV_TEXT), "cp1258"),
    ],
)
def test_csv_in_the_encodings_exports_use(
    db: Database,
    make_source: Callable[..., Source],
    tmp_path: Path,
    encoding: str,
    data: bytes,
    detected: str,
) -> None:
    source = make_source()
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    assert detect_encoding(path) == detected
    result = import_file(db, source, path)
    assert result.rejected == 0, result.errors
    assert result.inserted == 3
    assert _texts(db, source) == ["Bài viết\nnhiều dòng", "Cảnh báo, lừa đảo", "Tin thứ ba"]


def test_csv_with_other_headers_needs_a_mapping(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    path = tmp_path / "fb.csv"
    path.write_text(
        "Mã bài;Nội dung bài viết;Thời gian;Lượt thích\nx1;Tin một;12/05/2025;5\n", "utf-8"
    )
    with pytest.raises(ImportFileError, match="--map text=COLUMN"):
        import_file(db, source, path)
    with pytest.raises(ImportFileError, match="'Nội dung' is not in the file"):
        import_file(db, source, path, mapping={"text": "Nội dung"})
    mapping = parse_mapping(
        [
            "text=Nội dung bài viết",
            "external_id=Mã bài",
            "published_at=thời gian",
            "likes=Lượt thích",
        ]
    )
    result = import_file(db, source, path, mapping=mapping)
    assert result.inserted == 1 and result.columns["text"] == "Nội dung bài viết"
    with db.session() as session:
        assert session.scalar(select(Item.likes).where(Item.external_id == "x1")) == 5


def test_mapping_errors() -> None:
    with pytest.raises(ImportFileError, match="Unknown field 'noidung'"):
        parse_mapping(["noidung=text"])
    with pytest.raises(ImportFileError, match="FIELD=COLUMN"):
        parse_mapping(["text"])


def test_a_broken_quote_costs_only_its_row(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    path = tmp_path / "broken.csv"
    path.write_text(
        "external_id,text\n"  # 1
        "b1,Một\n"  # 2
        'b2,"Hai chưa đóng ngoặc\n'  # 3: the quote is never closed
        "b3,Ba\n"  # 4
        'b4,"Bốn"sai,x\n'  # 5: text after a closing quote
        "b5,Năm,thừa,cột\n"  # 6: too many fields
        'b6,"Sáu\nhai dòng"\n'  # 7-8
        "b7,Bảy\n",  # 9
        encoding="utf-8",
    )
    result = import_file(db, source, path)
    assert {e.line: e.reason for e in result.errors}.keys() == {3, 5, 6}
    reasons = {e.line: e.reason for e in result.errors}
    assert "quoted field opened on this line" in reasons[3]
    assert "quoting" in reasons[5] and "fields" in reasons[6]
    assert _texts(db, source) == ["Ba", "Bảy", "Một", "Sáu\nhai dòng"]


def test_whole_file_problems_are_clear(
    tmp_path: Path, make_source: Callable[..., Source], db: Database
) -> None:
    source = make_source()
    empty = tmp_path / "empty.csv"
    empty.write_text("", "utf-8")
    with pytest.raises(ImportFileError, match="empty"):
        import_file(db, source, empty)
    with pytest.raises(Exception, match="There is no file"):
        import_file(db, source, tmp_path / "missing.jsonl")
    odd = tmp_path / "data.txt"
    odd.write_text('{"text": "đoán định dạng"}\n', "utf-8")
    assert import_file(db, source, odd).format == "jsonl"


def test_progress_is_reported(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    rows = [{"external_id": str(i), "text": f"tin {i}"} for i in range(300)]
    path = _jsonl(tmp_path / "many.jsonl", rows)  # type: ignore[arg-type]
    seen: list[int] = []
    import_file(db, source, path, batch_size=100, on_progress=seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == path.stat().st_size


def test_a_quote_left_open_at_the_end_of_the_file(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    path = tmp_path / "tail.csv"
    path.write_text('text\nMột\n"Hai chưa đóng\nBa\n', encoding="utf-8")
    result = import_file(db, source, path)
    assert [(e.line, "never closed" in e.reason) for e in result.errors] == [(3, True)]
    assert _texts(db, source) == ["Ba", "Một"]


def _ids(db: Database, source: Source) -> list[str]:
    with db.session() as session:
        query = select(Item.external_id).where(Item.source_id == source.id)
        return sorted(i or "" for i in session.scalars(query))


def test_hostile_json_lines_cost_only_their_line(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    lines = [
        '{"external_id": "j1", "text": "tốt một"}',  # 1
        '{"external_id": "j2", "text": "x", "likes": ' + "9" * 5000 + "}",  # 2: > 4,300 digits
        '{"external_id": "j3", "text": "x", "title": ' + "[" * 600 + "]" * 600 + "}",  # 3
        '{"external_id": "j4", "text": "x", "likes": "' + "1" * 400 + 'K"}',  # 4: inf * 1000
        '{"external_id": "j5", "text": "tốt năm"}',  # 5
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(db, source, path, batch_size=100)  # one batch: nothing may be lost
    reasons = {e.line: e.reason for e in result.errors}
    assert set(reasons) == {2, 3, 4}
    assert reasons[2] == "not valid JSON: a number has too many digits"
    assert reasons[3].startswith("title: ")
    assert reasons[4].startswith("likes: ") and "not a plausible count" in reasons[4]
    assert _ids(db, source) == ["j1", "j5"]


def test_a_count_too_large_for_its_suffix_in_csv_costs_only_its_row(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    path = tmp_path / "counts.csv"
    path.write_text(f"id,text,likes\nk1,một,{'1' * 400}K\nk2,hai,1.2K\n", encoding="utf-8")
    result = import_file(db, source, path)
    assert [(e.line, e.reason.split(":")[0]) for e in result.errors] == [(2, "likes")]
    with db.session() as session:
        assert session.scalar(select(Item.likes).where(Item.external_id == "k2")) == 1200


def test_a_quoted_field_over_the_csv_module_limit_is_one_refused_row(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    paragraph = "Đoạn rất dài về lừa đảo qua tin nhắn. " * 520  # ~20k characters
    long_text = "\n".join([paragraph] * 8)  # 8 lines, ~160k characters: over 131,072
    path = tmp_path / "long.csv"
    path.write_text(f'id,text\nr1,Trước\nr2,"{long_text}"\nr3,Sau\n', encoding="utf-8")
    result = import_file(db, source, path)
    assert [e.line for e in result.errors] == [3]  # not its 7 continuation lines as rows
    assert "text: " in result.errors[0].reason and "the limit is 100,000" in result.errors[0].reason
    assert _ids(db, source) == ["r1", "r3"]
    path.write_text(f'id,text\nr1,Trước\nr2,"{paragraph}"\nr3,Sau\n', encoding="utf-8")
    fixed = import_file(db, source, path)  # the corrected file: r2 is new, not a duplicate
    assert (fixed.inserted, fixed.duplicates, fixed.rejected) == (1, 2, 0)


def test_records_over_the_record_limit_are_one_refused_row(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    line = "x" * (MAX_QUOTED_SCAN_CHARS + 10)  # one unquoted line, too long to parse at all
    quoted = "\n".join(["y" * 50_000] * 6)  # well-formed, 300k characters over 6 lines
    path = tmp_path / "huge.csv"
    path.write_text(f'id,text\nh1,Một\nh2,{line}\nh3,"{quoted}"\nh4,Bốn\n', encoding="utf-8")
    result = import_file(db, source, path)
    reasons = {e.line: e.reason for e in result.errors}
    assert set(reasons) == {3, 4}
    assert all(r.startswith("the row is too long") for r in reasons.values())
    assert "(lines 4-9)" in reasons[4] and "quoting" not in " ".join(reasons.values())
    assert _ids(db, source) == ["h1", "h4"]


def _lines_with_one_bad_byte(count: int, bad: int) -> bytes:
    lines = [
        json.dumps({"external_id": f"u{n}", "text": f"Tin số {n} ở Quảng Trị"}, ensure_ascii=False)
        for n in range(1, count + 1)
    ]
    data = [line.encode("utf-8") for line in lines]
    data[bad - 1] = data[bad - 1].replace("Quảng".encode(), b"Qu\xe1ng")  # one Latin-1 byte
    return b"\n".join(data) + b"\n"


def test_an_undecodable_line_in_a_utf8_file_is_one_refused_row(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    path = tmp_path / "late.jsonl"
    path.write_bytes(_lines_with_one_bad_byte(2000, 1501))
    assert detect_encoding(path) == "utf-8"
    result = import_file(db, source, path, batch_size=500)
    assert (result.inserted, result.rejected) == (1999, 1)
    assert result.errors[0].line == 1501
    assert "not valid utf-8: byte 0xe1" in result.errors[0].reason
    csv_path = tmp_path / "late.csv"
    csv_path.write_bytes(b"id,text\nv1,T\xe1o\n" + "v2,Tin tốt ở Huế\n".encode() * 20)
    result = import_file(db, source, csv_path, encoding="utf-8")
    assert [(e.line, "byte 0xe1 in the column 'text'" in e.reason) for e in result.errors] == [
        (2, True)
    ]


def test_a_file_in_another_encoding_stores_nothing_when_utf8_is_given(
    db: Database, make_source: Callable[..., Source], tmp_path: Path
) -> None:
    source = make_source()
    lines = [f'{{"external_id": "a{n}", "text": "ascii {n}"}}' for n in range(5)]
    lines += [
        json.dumps({"text": f"Tin tức {n} ở Quảng Trị"}, ensure_ascii=False) for n in range(50)
    ]
    path = tmp_path / "cp1258.jsonl"
    path.write_bytes(to_cp1258("\n".join(lines) + "\n"))
    with pytest.raises(ImportFileError, match="give the right one with --encoding") as info:
        import_file(db, source, path, encoding="utf-8", batch_size=1)
    assert "the first on line 6" in str(info.value)
    assert _count(db, source) == 0
    assert import_file(db, source, path).inserted == 55  # detected as windows-1258


@pytest.mark.parametrize(("typed", "count"), [("\\t", 1), ("tab", 1), ("\t", 1)])
def test_a_tab_delimiter_as_typed(
    db: Database, make_source: Callable[..., Source], tmp_path: Path, typed: str, count: int
) -> None:
    source = make_source()
    path = tmp_path / "x.tsv"
    path.write_text("id\ttext\nt1\tTin, có dấu phẩy\n", encoding="utf-8")
    assert import_file(db, source, path, delimiter=typed).inserted == count


@pytest.mark.parametrize("typed", ["", ";;", "\n", '"'])
def test_a_delimiter_must_be_one_character(
    db: Database, make_source: Callable[..., Source], tmp_path: Path, typed: str
) -> None:
    source = make_source()
    path = tmp_path / "x.csv"
    path.write_text("id,text\nt1,Tin\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="delimiter must be one character"):
        import_file(db, source, path, delimiter=typed)
