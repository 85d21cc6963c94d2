"""Spike maths (checked against SciPy) and the SQL counts behind it, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scipy import stats

from soitin.db.engine import Database
from soitin.triage.spikes import (
    SpikeParams,
    assess,
    bucket_counts,
    detect_spikes,
    is_spike,
    negbin_tail,
    poisson_tail,
    window_counts,
)
from tests.triage.conftest import T0, World

PARAMS = SpikeParams(
    window=timedelta(minutes=30),
    baseline_windows=8,
    p_value=1e-4,
    min_ratio=3.0,
    min_count=10,
    floor=0.5,
)


@pytest.mark.parametrize(
    ("k", "lam"), [(0, 2.0), (1, 0.5), (3, 3.0), (10, 0.5), (21, 7.0), (60, 2.0), (200, 150.0)]
)
def test_poisson_tail_matches_scipy(k: int, lam: float) -> None:
    assert poisson_tail(k, lam) == pytest.approx(stats.poisson.sf(k - 1, lam), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(
    ("k", "mean", "var"), [(3, 5.0, 10.0), (10, 2.0, 6.0), (21, 7.0, 14.0), (60, 3.0, 9.0)]
)
def test_negative_binomial_tail_matches_scipy(k: int, mean: float, var: float) -> None:
    size = mean * mean / (var - mean)
    expected = stats.nbinom.sf(k - 1, size, size / (size + mean))
    assert negbin_tail(k, mean, var) == pytest.approx(expected, rel=1e-9)
    if k > 2 * mean:  # in the upper tail a bursty history makes a count less surprising
        assert negbin_tail(k, mean, var) > poisson_tail(k, mean)


def test_assess_needs_count_ratio_and_tail() -> None:
    calm = [2, 3, 2, 1, 2, 3, 2, 1]
    level, ratio, p = assess(14, calm, PARAMS)
    assert level == pytest.approx(2.0)  # the last six windows average 2, the day too
    assert ratio == pytest.approx(7.0)
    assert is_spike(14, ratio, p, PARAMS)
    # Enough items but not 3× the usual: no spike, however unlikely.
    _, ratio, p = assess(14, [6] * 8, PARAMS)
    assert not is_spike(14, ratio, p, PARAMS)
    # 3× the usual but fewer than the minimum count: no spike.
    _, ratio, p = assess(9, [1] * 8, PARAMS)
    assert ratio >= 3 and not is_spike(9, ratio, p, PARAMS)


def test_recent_level_follows_the_time_of_day() -> None:
    night_then_day = [0, 0, 0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6]
    level, ratio, _ = assess(14, night_then_day, PARAMS)
    assert level == pytest.approx(6.0)  # the recent windows, not the day's mean
    assert ratio < PARAMS.min_ratio


def test_sql_counts_per_series_and_window(db: Database, world: World) -> None:
    story = world.story()
    world.items(
        12,
        T0 - timedelta(minutes=25),
        20,
        story=story,
        provinces=["44"],
        wards=["18880"],
        category="scam",
    )
    world.items(3, T0 - timedelta(minutes=85), 20, provinces=["46"], source="Nguồn khác")
    # Published "in the future" (a wrong clock): counts when it was fetched.
    world.items(1, T0 + timedelta(hours=5), 1, provinces=["46"], source="Nguồn khác")
    start = T0 - timedelta(minutes=30)
    with db.session() as s:
        assert window_counts(s, "story", start, T0) == {str(story): 12}
        assert window_counts(s, "province", start, T0) == {"44": 12}
        assert window_counts(s, "ward", start, T0) == {"18880": 12}
        assert window_counts(s, "category", start, T0) == {"scam": 12}
        assert window_counts(s, "province", start, T0, min_count=13) == {}
        origin = T0 - timedelta(hours=2)
        counts = bucket_counts(s, "province", ["44", "46", "01"], origin, timedelta(minutes=30), 4)
        assert counts == {"44": [0, 0, 0, 12], "46": [0, 3, 0, 0], "01": [0, 0, 0, 0]}
        later = T0 + timedelta(hours=6)
        assert window_counts(s, "province", later - timedelta(hours=2), later) == {"46": 1}


def test_detect_spikes_finds_the_burst_not_the_calm(db: Database, world: World) -> None:
    story = world.story(at=T0 - timedelta(hours=6))
    # Five calm hours: two posts per half hour at Huế, one of the story.
    for h in range(1, 11):
        world.items(2, T0 - timedelta(minutes=30 * h), 29, provinces=["46"])
    world.items(1, T0 - timedelta(hours=3), 1, story=story, provinces=["44"], wards=["18880"])
    # The burst: 30 posts of the story in the last 20 minutes at Đồng Hới.
    world.items(30, T0 - timedelta(minutes=21), 20, story=story, provinces=["44"], wards=["18880"])
    with db.session() as s:
        found = {sp.series: sp for sp in detect_spikes(s, T0, PARAMS)}
        source = world.sources["Báo Quảng Trị điện tử"]
        assert set(found) == {f"story:{story}", "province:44", "ward:18880", f"source:{source}"}
        assert found["province:44"].count == 30
        assert found["province:44"].mean == pytest.approx(1 / 6)  # one post 3 h ago
        # Half an hour later the burst is history, not news.
        assert detect_spikes(s, T0 + timedelta(minutes=40), PARAMS) == []


def test_no_spikes_without_a_baseline(db: Database, world: World) -> None:
    world.items(40, T0 - timedelta(minutes=20), 15, provinces=["44"])
    with db.session() as s:
        assert detect_spikes(s, T0, PARAMS) == []  # a fresh install has no "normal" yet
