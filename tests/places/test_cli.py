"""`soitin places tag|tag-file|evaluate`, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from soitin.cli import app
from soitin.places.evaluate import evaluate, read_examples

runner = CliRunner()
EVAL = Path(__file__).resolve().parents[1] / "data" / "places_eval.csv"


def test_tag_prints_json() -> None:
    result = runner.invoke(app, ["places", "tag", "Mưa lớn ở Quảng Bình và Hà Nội", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["province_codes"] == ["01", "44"]
    assert data["ward_codes"] == []
    assert [m["level"] for m in data["mentions"]] == ["province_legacy", "province"]
    first = data["mentions"][0]
    assert (first["text"], first["start"], first["end"], first["code"]) == (
        "Quảng Bình",
        10,
        20,
        "44",
    )


def test_tag_prints_a_table_without_json() -> None:
    result = runner.invoke(app, ["places", "tag", "phường Láng, Hà Nội"])
    assert result.exit_code == 0
    assert "Phường Láng" in result.output and "provinces: 01" in result.output


def test_tag_file_prints_one_line_per_row(tmp_path: Path) -> None:
    csv_file = tmp_path / "posts.csv"
    csv_file.write_text(
        'ma,noi_dung\np1,"Cháy ở phường Bến Nghé, quận 1"\np2,"xin chào"\n'
        'p3,"ship tu ha noi vao sai gon"\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["places", "tag-file", str(csv_file), "--text-column", "noi_dung", "--id-column", "ma"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["id"] for line in lines] == ["p1", "p2", "p3"]
    assert lines[0]["province_codes"] == ["79"] and lines[0]["ward_codes"] == ["26740"]
    assert lines[1] == {"id": "p2", "province_codes": [], "ward_codes": [], "mentions": []}
    assert lines[2]["province_codes"] == ["01", "79"]


def test_tag_file_refuses_a_missing_column(tmp_path: Path) -> None:
    csv_file = tmp_path / "posts.csv"
    csv_file.write_text("id,body\n1,x\n", encoding="utf-8")
    result = runner.invoke(app, ["places", "tag-file", str(csv_file)])
    assert result.exit_code == 1
    assert "text" in result.output


def test_evaluate_prints_the_figures() -> None:
    result = runner.invoke(app, ["places", "evaluate", "--file", str(EVAL), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["sentences"] >= 300
    assert {"province", "ward", "by_split"} <= set(figures)


def test_evaluation_set_meets_the_targets() -> None:
    examples = read_examples(EVAL)
    assert len(examples) >= 300
    assert sum(1 for e in examples if not e.province_codes) >= 50  # negatives are in there
    report = evaluate(examples)
    assert report.province.f1 >= 0.95
    assert report.ward.f1 >= 0.85
    heldout_p, heldout_w = report.by_split["heldout"]
    assert heldout_p.f1 >= 0.95 and heldout_w.f1 >= 0.85


def test_tag_leaves_the_verb_binh_dinh_alone() -> None:
    text = "Chính quyền quyết tâm bình định vùng biên."
    result = runner.invoke(app, ["places", "tag", text, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["province_codes"] == []
