"""The lab's budget lessons: pooled fresh answers against a shared one, renewing against lifetime budgets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binom

from privacy import engine
from privacy.constraints import ALPHA, MICRO
from privacy.epsilon import Epsilon
from privacy.lab import renewal, sharing, simulate
from privacy.lab.family import Family, FamilyChoice, Lab
from privacy.lab.renewal import Lifetime, Product, Renewing
from privacy.queries import PrivacyUnit
from privacy.tradeoff import LabSettings, TradeoffLab

DAY = PrivacyUnit.MEMBER_DAY
TODAY = date(2026, 10, 31)
FALSE_FAILURE = 1e-8
"""Each statistical bound below fails a correct implementation with at most this probability."""


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    path.write_bytes(demo_template.read_bytes())
    return path


@pytest.fixture
def lab(demo_path: Path) -> Iterator[Lab]:
    opened = Lab.open(demo_path)
    yield opened
    opened.close()


@pytest.fixture
def family(lab: Lab) -> Family:
    return lab.family(FamilyChoice())


@pytest.mark.parametrize(("viewers", "epsilon"), [(5, 0.5), (3, 0.2), (1, 2.0)])
def test_renewing_peak_is_thirteen_views_per_viewer_on_every_day(viewers: int, epsilon: float) -> None:
    """A 91-day window opened weekly holds any day in exactly 13 views, so a day loses 13 x viewers x eps."""
    year = renewal.year(TODAY, Renewing(viewers=viewers, view_epsilon=epsilon), Lifetime())
    assert year.renewing_peak == pytest.approx(13 * viewers * epsilon)
    assert year.renewing[-1] == year.renewing_peak
    assert year.renewing_refused == 0


def test_the_demo_familys_first_day_reaches_32_5_in_its_thirteenth_week() -> None:
    year = renewal.year(TODAY, Renewing(), Lifetime())
    assert year.chosen == date(2025, 10, 27)
    assert year.renewing_peak == 32.5
    # The last of the 65 views covering it: member 5 (weekday 4) in week 13.
    assert year.renewing_reached == year.chosen + timedelta(days=12 * 7 + 4)
    assert year.renewing[12 * 7 + 3] == 32.0


def test_the_renewing_meters_stay_under_their_cap_while_a_day_passes_it() -> None:
    """The meters bound each period's spending, which renews; nothing bounds what one day loses."""
    usual = renewal.year(TODAY, Renewing(), Lifetime())
    assert usual.meter_peak == 11.0
    assert usual.renewing_peak > usual.renewing_model.family_cap
    heavy = renewal.year(TODAY, Renewing(viewers=12, view_epsilon=2.0), Lifetime())
    assert heavy.renewing_refused > 0
    assert heavy.meter_peak <= heavy.renewing_model.family_cap
    assert heavy.renewing_peak > 3 * heavy.renewing_model.family_cap


def test_the_family_meter_renews_every_period() -> None:
    year = renewal.year(TODAY, Renewing(), Lifetime())
    period = year.renewing_model.period_days
    for start in range(period, len(year.meter), period):
        assert year.meter[start] < year.meter[start - 1]
        assert year.meter[start] <= year.renewing_model.view_epsilon * year.renewing_model.viewers


def test_the_lifetime_schedule_charges_each_day_once_per_product_and_stays_in_budget() -> None:
    year = renewal.year(TODAY, Renewing(), Lifetime())
    scheduled = sum(p.epsilon for p in renewal.SCHEDULE)
    assert year.lifetime[-1] == pytest.approx(scheduled)
    assert year.lifetime_peak == pytest.approx(scheduled)
    assert max(year.lifetime) <= year.lifetime_model.budget
    assert year.lifetime_refused == 0


def test_a_greedy_lifetime_schedule_is_refused_before_any_day_passes_its_budget() -> None:
    products = (Product("daily", 1, 0.8), Product("weekly", 7, 1.5), Product("4 weeks", 28, 0.9))
    greedy = Lifetime(products=products)
    assert sum(p.epsilon for p in products) > greedy.budget
    days = renewal.YEAR_WEEKS * 7
    charges, refused = renewal.lifetime_charges(greedy, days)
    loss = renewal.loss_by_day(charges, days, 0)
    assert refused > 0
    assert loss.max() <= round(greedy.budget * MICRO)
    assert renewal.year(TODAY, Renewing(), greedy).lifetime_peak <= greedy.budget


def test_lifetime_releases_land_after_their_period_closes() -> None:
    charges, _ = renewal.lifetime_charges(Lifetime(), renewal.YEAR_WEEKS * 7)
    assert all(c.on == c.last + Lifetime().settle_days for c in charges)
    assert any(c.last - c.first + 1 == 364 for c in charges)


def test_one_shared_answer_at_the_pooled_loss_is_twice_as_accurate_as_the_pool(
    lab: Lab, family: Family
) -> None:
    """BUDGET-NOTES section 4: five eps-0.5 answers pooled give +-1,810; one shared at 2.5 gives +-856."""
    result = sharing.compare(lab, family, Epsilon.request(0.5), DAY)
    fresh, shared, equal = result.designs
    assert (fresh.spent, shared.spent, equal.spent) == (2.5, 0.5, 2.5)
    assert fresh.expected == pytest.approx(1_810, rel=2e-3)
    assert shared.expected == pytest.approx(4_280, rel=2e-3)
    assert equal.expected == pytest.approx(856, rel=2e-3)
    assert result.viewers == 5


def test_one_release_pooled_has_opendps_margin(family: Family) -> None:
    for epsilon in (0.05, 0.5, 2.0):
        eps = Epsilon.request(epsilon)
        margin = engine.plan(sharing.WEEK, eps, DAY, simulate.grid_of(family, sharing.WEEK)).margin
        assert sharing.pooled_half_width(family, eps, DAY, 1) == pytest.approx(margin, rel=1e-4)


def test_the_pooled_estimates_have_the_stated_95_percent_margin(lab: Lab, family: Family) -> None:
    """|pooled - true| > margin in 5% of weeks: passes at the stated margin, fails at 0.7x and 1.3x.

    At epsilon 2 a release is clipped at 0 with probability under 1e-9, so the pool is the exact
    sum of the members' Laplace noises that the margin describes.
    """
    draws, epsilon = 4_000, Epsilon.request(2.0)
    pooled = sharing.pooled(lab, family, epsilon, DAY, viewers=5, draws=draws)
    errors = np.abs(pooled - simulate.truth(family, sharing.WEEK)[1][0])
    margin = sharing.pooled_half_width(family, epsilon, DAY, 5)
    low, high = binom.ppf(FALSE_FAILURE, draws, ALPHA), binom.isf(FALSE_FAILURE, draws, ALPHA)
    assert low <= np.sum(errors > margin) <= high
    assert not low <= np.sum(errors > 0.7 * margin) <= high
    assert not low <= np.sum(errors > 1.3 * margin) <= high


def test_the_power_of_the_pooled_margin_test() -> None:
    """The 0.7x and 1.3x margins pass their exceedance bounds only with probability under 1e-8."""
    draws, t = 4_000, sharing.laplace_sum_quantile(5)
    low, high = binom.ppf(FALSE_FAILURE, draws, ALPHA), binom.isf(FALSE_FAILURE, draws, ALPHA)
    narrow, wide = sharing.laplace_sum_tail(0.7 * t, 5), sharing.laplace_sum_tail(1.3 * t, 5)
    assert binom.cdf(high, draws, narrow) < FALSE_FAILURE
    assert binom.sf(low - 1, draws, wide) < FALSE_FAILURE


def test_one_member_pools_nothing(demo_path: Path) -> None:
    one = FamilyChoice("synthetic", members=1, days=90)
    lab = TradeoffLab.open(demo_path)
    try:
        fresh, shared, equal = lab.sharing(LabSettings(family=one)).designs
    finally:
        lab.close()
    assert fresh.spent == shared.spent == equal.spent
    assert fresh.observed == shared.observed
