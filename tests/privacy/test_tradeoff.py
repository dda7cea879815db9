"""The privacy/utility lab: made-up data only, no budget spent, stored draws, and honest error bars."""

from __future__ import annotations

import itertools
import math
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binom

from data import store
from privacy import engine
from privacy.constraints import ALPHA, DAILY_STEPS_BOUNDS
from privacy.epsilon import Epsilon
from privacy.lab import needle, simulate
from privacy.lab.attack import best_threshold
from privacy.lab.family import FamilyChoice, Lab, Source
from privacy.lab.runs import count_runs
from privacy.queries import InvalidQuery, PrivacyUnit, QueryId, QuerySpec
from privacy.release import NotAllowed
from privacy.service import Hearth
from privacy.settings import Settings
from privacy.tradeoff import LabSettings, TradeoffLab

AVERAGE = QuerySpec(QueryId.FAMILY_AVERAGE, window_days=30)
DAY = PrivacyUnit.MEMBER_DAY
FALSE_FAILURE = 1e-8
"""Each statistical bound below fails a correct mechanism with at most this probability."""


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    path.write_bytes(demo_template.read_bytes())
    return path


@pytest.fixture
def lab(demo_path: Path) -> TradeoffLab:
    opened = TradeoffLab.open(demo_path)
    yield opened
    opened.close()


def _every_result(lab: TradeoffLab, settings: LabSettings) -> tuple[object, ...]:
    return (
        lab.release(settings),
        lab.error_curves(settings),
        lab.needle(settings),
        lab.subtraction(settings, pair=True),
        lab.subtraction(settings, pair=False),
        lab.night_attack(settings),
        lab.sharing(settings),
        lab.renewal(settings),
    )


def test_a_real_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "real.sqlite"
    conn = store.connect(path)
    store.add_member(conn, "Maya")
    conn.close()
    with pytest.raises(NotAllowed):
        TradeoffLab.open(path)


def test_a_store_with_real_imports_is_refused_even_if_marked_demo(demo_path: Path) -> None:
    conn = sqlite3.connect(demo_path)
    conn.execute(
        "INSERT INTO import_batches(member_id, file_name, format, sha256, rows_read, buckets_stored,"
        " duplicates_dropped, imported_at) VALUES (1, 'export.zip', 'apple-health', 'x', 1, 1, 0, 'now')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(NotAllowed):
        TradeoffLab.open(demo_path)


def test_a_store_turned_real_after_opening_gives_no_new_family(demo_path: Path) -> None:
    lab = Lab.open(demo_path)
    try:
        lab.conn.execute("UPDATE meta SET value = 'real' WHERE key = 'kind'")
        with pytest.raises(NotAllowed):
            lab.family(FamilyChoice(Source.STORE))
    finally:
        lab.close()


def test_simulations_spend_no_budget(demo_path: Path, lab: TradeoffLab) -> None:
    hearth = Hearth.open(Settings(db=demo_path))
    try:
        viewers = [hearth.demo_sign_in(m.id) for m in hearth.roster()]
        before = _ledger_rows(demo_path)
        for settings in (LabSettings(), LabSettings(epsilon=2.0, unit="member", window_days=7)):
            _every_result(lab, settings)
        assert _ledger_rows(demo_path) == before
        assert all(d.spent_micro == 0 for v in viewers for d in hearth.budget(v).days)
    finally:
        hearth.close()


def test_stored_runs_make_two_renders_identical(demo_path: Path) -> None:
    settings = LabSettings(epsilon=0.2, query="weekday")
    first = TradeoffLab.open(demo_path)
    shown = _every_result(first, settings)
    stored = first.stored_runs()
    first.close()
    second = TradeoffLab.open(demo_path)
    try:
        assert _every_result(second, settings) == shown
        assert second.stored_runs() == stored
    finally:
        second.close()


def test_a_made_up_family_is_built_in_memory_and_repeatable(demo_path: Path) -> None:
    choice = FamilyChoice(Source.SYNTHETIC, members=3, days=90, typical_steps=6_000, night_walker=True)
    a, b = Lab.open(demo_path), Lab.open(demo_path)
    try:
        one, two = a.family(choice), b.family(choice)
        assert one.daily.equals(two.daily) and one.hourly.equals(two.hourly)
        assert len(one.names) == 3
        assert store.members(a.conn) == store.members(b.conn)
        assert len(store.members(a.conn)) == 5
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("epsilon", [0.2, 1.0])
def test_simulated_errors_have_the_stated_95_percent_margin(demo_path: Path, epsilon: float) -> None:
    """|noisy - true| > margin in 5% of releases: passes at the stated margin, fails at 0.7x and 1.3x."""
    draws = 4_000
    lab = Lab.open(demo_path)
    try:
        family = lab.family(FamilyChoice())
        margin = engine.plan(AVERAGE, Epsilon.request(epsilon), DAY, simulate.grid_of(family, AVERAGE)).margin
        noisy = simulate.simulated(lab, family, AVERAGE, Epsilon.request(epsilon), DAY, draws)[:, 0]
        errors = np.abs(noisy - simulate.truth(family, AVERAGE)[1][0])
    finally:
        lab.close()
    low, high = binom.ppf(FALSE_FAILURE, draws, ALPHA), binom.isf(FALSE_FAILURE, draws, ALPHA)
    assert low <= np.sum(errors > margin) <= high
    assert not low <= np.sum(errors > 0.7 * margin) <= high
    assert not low <= np.sum(errors > 1.3 * margin) <= high


def test_the_real_engine_agrees_with_the_simulation(demo_path: Path) -> None:
    """The page's chart uses `engine.execute`; its errors obey the same margin as the simulated ones."""
    runs, epsilon = 1_500, Epsilon.request(1.0)
    lab = Lab.open(demo_path)
    try:
        family = lab.family(FamilyChoice())
        plan = engine.plan(AVERAGE, epsilon, DAY, simulate.grid_of(family, AVERAGE))
        true = simulate.truth(family, AVERAGE)[1][0]
        values = [engine.execute(plan, family.daily, family.hourly, family.names)[1][0] for _ in range(runs)]
    finally:
        lab.close()
    outside = int(np.sum(np.abs(np.asarray(values) - true) > plan.margin))
    assert binom.ppf(FALSE_FAILURE, runs, ALPHA) <= outside <= binom.isf(FALSE_FAILURE, runs, ALPHA)


def test_the_page_points_sit_on_the_curve(lab: TradeoffLab) -> None:
    """The page's own 200-draw points where clipping cannot bite: their exceedance counts are binomial."""
    curves = {c.spec.query: c for c in lab.error_curves(LabSettings(window_days=90))}
    curve = curves[QueryId.FAMILY_AVERAGE]
    for epsilon, observed in zip(curve.simulated_epsilons, curve.observed, strict=True):
        if epsilon < 0.2:
            continue
        expected = math.exp(np.interp(math.log(epsilon), np.log(curve.epsilons), np.log(curve.margins)))
        # The 95th percentile of 200 draws lies in [0.5x, 2x] the stated margin except with
        # probability below 1e-8 for Laplace noise (see the next test).
        assert 0.5 * expected <= observed <= 2.0 * expected


def test_page_point_bounds_are_overwhelming() -> None:
    """The [0.5x, 2x] bounds above, from the binomial law of how many draws pass c x margin.

    Laplace noise passes c x (its 95% margin) with probability 0.05^c. The interpolated 95th
    percentile of 200 draws is below c x margin only if at most 10 draws pass it, and above only if
    at least 10 do.
    """
    assert binom.cdf(10, 200, ALPHA**0.5) < FALSE_FAILURE
    assert binom.sf(9, 200, ALPHA**2.0) < FALSE_FAILURE


def test_subtracting_your_own_steps_from_an_exact_total_of_two_reveals_the_other(lab: TradeoffLab) -> None:
    result = lab.subtraction(LabSettings(), pair=True)
    family = lab._lab.family(FamilyChoice())
    other = family.member_ids[1]
    days = family.daily.filter(family.daily["member_id"] == other)
    by_day = {
        d.isoformat(): min(s, DAILY_STEPS_BOUNDS[1]) for d, s in zip(days["day"], days["steps"], strict=True)
    }
    assert result.others_true == tuple(float(by_day.get(d, 0)) for d in result.days)
    assert result.others == family.names[other]


def test_subtraction_leaves_exactly_the_noise_of_the_total(lab: TradeoffLab) -> None:
    pair, everyone = lab.subtraction(LabSettings(), True), lab.subtraction(LabSettings(), False)
    assert pair.own == everyone.own
    laplace_scale = DAILY_STEPS_BOUNDS[1] / 0.5
    assert pair.margin == everyone.margin == pytest.approx(laplace_scale * math.log(1 / ALPHA), rel=1e-3)
    residual = np.asarray(pair.others_noisy) - np.asarray(pair.others_true)
    assert np.all(residual == np.round(residual))
    assert np.any(residual != 0)


def test_night_walks_show_in_exact_totals_and_fade_in_private_ones(lab: TradeoffLab) -> None:
    result = lab.night_attack(LabSettings())
    assert result.target == "Nana"
    assert result.exact_success >= 0.75
    low = [s for e, s in zip(result.epsilons, result.private_success, strict=True) if e <= 0.2]
    assert max(low) < 0.6
    assert all(s <= c + 0.05 for s, c in zip(result.private_success, result.ceiling, strict=True))


def test_best_threshold_ignores_data_without_both_kinds_of_night() -> None:
    assert best_threshold(np.asarray([1.0, 2.0]), np.asarray([False, False])) == (math.inf, 0.5)


def test_laplace_loses_to_gaussian_only_when_many_views_share_the_budget(lab: TradeoffLab) -> None:
    views = next(c for c in lab.needle(LabSettings(epsilon=1.0)) if c.key == "views")
    laplace, gauss = (dict(zip(views.labels, s[1], strict=True)) for s in views.series)
    assert laplace["1"] < gauss["1"]
    assert laplace["20"] > gauss["20"]


@pytest.mark.parametrize("views", [1, 5, 20])
def test_gaussian_scale_is_what_opendp_says_costs_epsilon(views: int) -> None:
    scale = needle.gaussian_unit_scale(500_000, views)
    assert needle._composed_epsilon(scale, views) <= 0.5
    assert needle._composed_epsilon(scale * 0.99, views) > 0.5


def test_the_privacy_unit_and_family_size_move_the_needle_the_right_way(lab: TradeoffLab) -> None:
    found = {c.key: c for c in lab.needle(LabSettings(window_days=30))}
    unit = found["unit"].series[0][1]
    size = found["size"].series[0][1]
    assert unit[0] < unit[1] < unit[2]
    assert all(a > b for a, b in itertools.pairwise(size))
    assert found["size"].labels.index("5") == 4
    assert unit[0] == pytest.approx(size[4])


@pytest.mark.parametrize(
    "bad",
    [{"epsilon": 5.0}, {"epsilon": 0.001}, {"epsilon": math.nan}, {"query": "champion"}, {"window_days": 14}],
)
def test_settings_outside_the_catalog_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises((InvalidQuery, ValueError)):
        LabSettings(**bad)


def _ledger_rows(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names if n != "lab_runs"
        }
    finally:
        conn.close()


def test_count_runs_counts_settings(demo_path: Path) -> None:
    lab = Lab.open(demo_path)
    try:
        assert count_runs(lab.conn) == 0
        simulate.release(lab, lab.family(FamilyChoice()), AVERAGE, Epsilon.request(0.5), DAY)
        assert count_runs(lab.conn) == 1
    finally:
        lab.close()
