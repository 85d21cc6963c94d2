"""The claim library: add, validate, import and export ClaimReview JSON-LD and CSV."""

from __future__ import annotations

import json

import pytest

from soitin.db.engine import Database
from soitin.errors import InvalidInputError, NotFoundError
from soitin.stories.claimreview import parse_claimreview, parse_claims_csv, verdict_from_label
from soitin.stories.claims import (
    add_claim,
    delete_claim,
    export_claims,
    import_claims,
    list_claims,
    update_claim,
)

CLAIMREVIEW = {
    "@context": "https://schema.org",
    "@graph": [
        {
            "@type": "ClaimReview",
            "url": "https://factcheck.example.vn/nuoc-chanh",
            "claimReviewed": "Uống nước chanh ấm mỗi sáng chữa khỏi ung thư.",
            "datePublished": "2025-03-02T10:00:00+07:00",
            "inLanguage": "vi",
            "author": {"@type": "Organization", "name": "Báo Sức khỏe"},
            "reviewRating": {"@type": "Rating", "alternateName": "Sai", "ratingValue": 1},
        },
        {
            "@type": "ClaimReview",
            "claimReviewed": "Vắc xin HPV gây vô sinh.",
            "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5},
        },
    ],
}


def test_add_list_update_and_delete_a_claim(db: Database) -> None:
    with db.transaction() as session:
        claim = add_claim(
            session,
            text="  Đập thủy điện Hòa Bình sắp vỡ.  ",
            verdict="Sai sự thật",
            url="https://example.vn/kiem-chung",
            publisher="Trung tâm kiểm chứng",
            reviewed_on="2025-06-01",
        )
        assert claim.text == "Đập thủy điện Hòa Bình sắp vỡ."
        assert claim.verdict == "false"
        assert claim.text_folded.startswith("dap thuy dien hoa binh")
        found, total = list_claims(session, query="thuy dien hoa binh")
        assert total == 1 and found[0].id == claim.id
        assert list_claims(session, query="vo de")[1] == 0
        assert list_claims(session, verdict="true")[1] == 0
        update_claim(session, claim.id, verdict="misleading")
        assert list_claims(session, verdict="misleading")[1] == 1
        delete_claim(session, claim.id)
        with pytest.raises(NotFoundError):
            delete_claim(session, claim.id)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", "   ", "claim text"),
        ("verdict", "maybe", "Unknown verdict"),
        ("url", "javascript:alert(1)", "http"),
        ("reviewed_on", "01/06/2025", "YYYY-MM-DD"),
    ],
)
def test_bad_claims_are_refused_with_a_reason(
    db: Database, field: str, value: str, message: str
) -> None:
    values = {"text": "Một tin.", "verdict": "false", "url": None, "reviewed_on": None}
    values[field] = value
    with db.transaction() as session, pytest.raises(InvalidInputError, match=message):
        add_claim(session, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "verdict"),
    [
        ("Sai", "false"),
        ("SAI SỰ THẬT", "false"),
        ("Không đúng", "false"),
        ("False", "false"),
        ("Gây hiểu lầm", "misleading"),
        ("Mostly false", "misleading"),
        ("Đúng", "true"),
        ("Chưa kiểm chứng", "unproven"),
        ("unproven", "unproven"),
    ],
)
def test_rating_labels_map_to_verdicts(label: str, verdict: str) -> None:
    assert verdict_from_label(label) == verdict


def test_claimreview_jsonld_is_read() -> None:
    records = parse_claimreview(json.dumps(CLAIMREVIEW))
    assert [r.verdict for r in records] == ["false", "false"]
    first = records[0]
    assert first.url == "https://factcheck.example.vn/nuoc-chanh"
    assert first.publisher == "Báo Sức khỏe"
    assert first.reviewed_on == "2025-03-02"
    with pytest.raises(InvalidInputError, match="no schema.org ClaimReview"):
        parse_claimreview('{"@type": "NewsArticle"}')
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        parse_claimreview("{oops")


def test_import_skips_claims_already_there_and_export_round_trips(db: Database) -> None:
    with db.transaction() as session:
        first = import_claims(session, json.dumps(CLAIMREVIEW), filename="x.jsonld")
        assert (first.added, first.skipped) == (2, 0)
        again = import_claims(session, json.dumps(CLAIMREVIEW).encode(), filename="x.json")
        assert (again.added, again.skipped) == (0, 2)
        exported = json.loads(export_claims(session, "jsonld"))
        assert [e["@type"] for e in exported] == ["ClaimReview", "ClaimReview"]
        assert exported[0]["reviewRating"]["alternateName"] == "False"

        def fields(data: str) -> list[tuple[object, ...]]:
            return [
                (r.text, r.verdict, r.url, r.publisher, r.reviewed_on, r.language)
                for r in parse_claimreview(data)
            ]

        assert fields(json.dumps(exported)) == fields(json.dumps(CLAIMREVIEW))
        as_csv = export_claims(session, "csv")
        back = parse_claims_csv(as_csv)
        assert [(r.text, r.verdict, r.url) for r in back] == [
            (r.text, r.verdict, r.url) for r in parse_claimreview(json.dumps(CLAIMREVIEW))
        ]
        assert import_claims(session, as_csv, filename="c.csv").added == 0


def test_csv_import_reads_the_evaluation_columns_and_export_neutralises_formulas(
    db: Database,
) -> None:
    data = 'claim_id,claim_text,verdict\nC1,"=HYPERLINK(""http://x"")",false\nC2,Tin hai,Đúng\n'
    with db.transaction() as session:
        result = import_claims(session, data, filename="claims.csv")
        assert result.added == 2
        out = export_claims(session, "csv")
        assert "'=HYPERLINK" in out
        with pytest.raises(InvalidInputError, match="CSV line 2"):
            import_claims(session, "text,verdict\nA claim,perhaps\n", filename="c.csv")
        with pytest.raises(InvalidInputError, match="header"):
            import_claims(session, "a,b\n1,2\n", filename="c.csv")
