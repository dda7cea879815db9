"""Renewing vs lifetime budgets: what one member-day loses over a year, from the schedule of charges alone.

Pure arithmetic on a public calendar, so no data and no noise. Under the renewing model (Hearth's old
one) each viewer has a budget per 30-day period and the family a cap per period; both renew, and every
view of a rolling window charges all of its days again. Under the lifetime model each day has one
budget for life, and a fixed schedule of shared calendar releases spends it; every view is read from
those releases at no further cost. Charges are kept in integer micro-units, like the ledger's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from privacy.budget.plan import PRODUCTS
from privacy.constraints import MICRO
from privacy.engine.calendar import week_start
from privacy.engine.periods import Cadence

YEAR_WEEKS = 53
"""The simulated year: 53 weeks, so the first 52-week release lands (after its settle lag) inside it."""


@dataclass(frozen=True)
class Renewing:
    """The old model's habit and meters: a rolling trend opened weekly by every member, budgets renewed."""

    viewers: int = 5
    view_epsilon: float = 0.5
    """Each view's epsilon: every view of a new window end is a fresh charge."""
    window_days: int = 91
    """The rolling 'last 13 weeks' trend: each view charges all of its days."""
    every_days: int = 7
    """Each viewer opens the trend once a week (member i on weekday i mod 7)."""
    period_days: int = 30
    """Budget period; the meters reset when a new one starts."""
    viewer_budget: float = 10.0
    """Each viewer's epsilon per period (the old default)."""
    family_cap: float = 30.0
    """Total epsilon spent about the family per period, across viewers (the old default)."""


@dataclass(frozen=True)
class Product:
    """A shared calendar release of the lifetime model: made once per period, read by everyone."""

    name: str
    period_days: int
    epsilon: float
    """Charged once to every day of its period."""


CADENCE_DAYS = {Cadence.WEEK: 7, Cadence.FOUR_WEEKS: 28, Cadence.QUARTER: 91, Cadence.YEAR: 364}
"""A period's length in the simulation: quarters and years rounded to whole weeks."""

SCHEDULE = tuple(Product(spec.title, CADENCE_DAYS[spec.cadence], spec.default) for spec in PRODUCTS.values())
"""Hearth's default family plan; trends, month means and rolling views derive from its releases."""


@dataclass(frozen=True)
class Lifetime:
    """The lifetime model: one budget per day, never renewed, spent by a fixed release schedule."""

    budget: float = 3.0
    """Epsilon per day for life: a release that would take any of its days past it is refused."""
    products: tuple[Product, ...] = SCHEDULE
    settle_days: int = 2
    """A period's release is made this many days after it closes, so late syncs are in."""


@dataclass(frozen=True)
class Charge:
    """One granted release: made on day `on`, charging `micro` to each day from `first` to `last`."""

    on: int
    first: int
    last: int
    micro: int


@dataclass(frozen=True)
class Year:
    """Cumulative privacy loss of member-days over a simulated year, under both models."""

    renewing_model: Renewing
    lifetime_model: Lifetime
    days: tuple[date, ...]
    chosen: date
    """The member-day followed: the year's first day."""
    renewing: tuple[float, ...]
    """The chosen day's loss at the end of each day of the year, renewing model."""
    lifetime: tuple[float, ...]
    """The chosen day's loss at the end of each day of the year, lifetime model."""
    meter: tuple[float, ...]
    """What the renewing family meter showed: epsilon spent about the family in the current period."""
    renewing_peak: float
    """The most any member-day has lost by the year's end, renewing model."""
    lifetime_peak: float
    renewing_reached: date
    """When the chosen day reached its final loss under the renewing model."""
    renewing_refused: int
    """Views the renewing meters turned away (none at the defaults: the meters never bind)."""
    lifetime_refused: int

    @property
    def meter_peak(self) -> float:
        """The fullest the renewing family meter ever was."""
        return max(self.meter)


def renewing_charges(model: Renewing, days: int) -> tuple[tuple[Charge, ...], int]:
    """Every view the renewing meters allow over `days` days, and how many they refused.

    >>> charges, refused = renewing_charges(Renewing(viewers=2), 14)
    >>> [(c.on, c.first, c.last) for c in charges], refused
    ([(0, -90, 0), (1, -89, 1), (7, -83, 7), (8, -82, 8)], 0)
    """
    micro = round(model.view_epsilon * MICRO)
    viewer_left: dict[tuple[int, int], int] = {}
    family_left: dict[int, int] = {}
    granted, refused = [], 0
    for day in range(days):
        period = day // model.period_days
        for viewer in range(model.viewers):
            if day % model.every_days != viewer % model.every_days:
                continue
            mine = viewer_left.setdefault((viewer, period), round(model.viewer_budget * MICRO))
            ours = family_left.setdefault(period, round(model.family_cap * MICRO))
            if micro > min(mine, ours):
                refused += 1
                continue
            viewer_left[viewer, period], family_left[period] = mine - micro, ours - micro
            granted.append(Charge(day, day - model.window_days + 1, day, micro))
    return tuple(granted), refused


def lifetime_charges(model: Lifetime, days: int) -> tuple[tuple[Charge, ...], int]:
    """Every scheduled release made within `days` days that fits every day's lifetime budget.

    A release is all-or-nothing: refused if any day of its period would pass the budget.

    >>> charges, refused = lifetime_charges(Lifetime(products=(Product("week", 7, 1.0),)), 16)
    >>> [(c.on, c.first, c.last) for c in charges], refused
    ([(8, 0, 6), (15, 7, 13)], 0)
    """
    budget = round(model.budget * MICRO)
    planned = sorted(
        (first + product.period_days - 1 + model.settle_days, order, first, product)
        for order, product in enumerate(model.products)
        for first in range(0, days, product.period_days)
    )
    spent = np.zeros(days, dtype=np.int64)
    granted, refused = [], 0
    for on, _, first, product in planned:
        if on >= days:
            continue
        last, micro = first + product.period_days - 1, round(product.epsilon * MICRO)
        if spent[first : last + 1].max() + micro > budget:
            refused += 1
            continue
        spent[first : last + 1] += micro
        granted.append(Charge(on, first, last, micro))
    return tuple(granted), refused


def loss_by_day(charges: tuple[Charge, ...], days: int, before: int) -> np.ndarray:
    """Micro-epsilon lost by each member-day (columns, from day -`before`) at the end of each day (rows).

    >>> loss_by_day((Charge(1, -1, 0, 5),), 3, 1).tolist()
    [[0, 0, 0, 0], [5, 5, 0, 0], [5, 5, 0, 0]]
    """
    charged = np.zeros((days, before + days), dtype=np.int64)
    for charge in charges:
        charged[charge.on, charge.first + before : charge.last + before + 1] += charge.micro
    return np.cumsum(charged, axis=0)


def family_meter(charges: tuple[Charge, ...], days: int, period_days: int) -> np.ndarray:
    """Micro-epsilon spent about the family in the current period at the end of each day: it renews.

    >>> family_meter((Charge(0, 0, 0, 2), Charge(2, 0, 2, 3)), 4, 2).tolist()
    [2, 2, 3, 3]
    """
    spent = np.zeros(days, dtype=np.int64)
    for charge in charges:
        spent[charge.on] += charge.micro
    return np.concatenate(
        [np.cumsum(spent[start : start + period_days]) for start in range(0, days, period_days)]
    )


def year(today: date, renewing: Renewing, lifetime: Lifetime) -> Year:
    """Both models over the 53 weeks ending with the week holding `today`, following the first day."""
    days = YEAR_WEEKS * 7
    start = week_start(today) - timedelta(weeks=YEAR_WEEKS - 1)
    before = renewing.window_days
    old, old_refused = renewing_charges(renewing, days)
    new, new_refused = lifetime_charges(lifetime, days)
    old_loss, new_loss = loss_by_day(old, days, before), loss_by_day(new, days, 0)
    chosen_old = old_loss[:, before]
    return Year(
        renewing_model=renewing,
        lifetime_model=lifetime,
        days=tuple(start + timedelta(days=i) for i in range(days)),
        chosen=start,
        renewing=_epsilons(chosen_old),
        lifetime=_epsilons(new_loss[:, 0]),
        meter=_epsilons(family_meter(old, days, renewing.period_days)),
        renewing_peak=int(old_loss[-1].max()) / MICRO,
        lifetime_peak=int(new_loss[-1].max()) / MICRO,
        renewing_reached=start + timedelta(days=int(np.argmax(chosen_old == chosen_old[-1]))),
        renewing_refused=old_refused,
        lifetime_refused=new_refused,
    )


def _epsilons(micro: np.ndarray) -> tuple[float, ...]:
    return tuple(int(v) / MICRO for v in micro)
