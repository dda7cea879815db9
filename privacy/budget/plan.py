"""The family plan: which shared products are released each calendar period, at what epsilon per block.

What the plan leaves of the lifetime budget is the reserve, from which ad hoc questions, sharpening and
refreshes are paid. Changes apply to periods not yet released (a released period keeps its epsilon) and
are logged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from data.store import transaction
from privacy.constraints import DEFAULT_LIFETIME_EPSILON
from privacy.engine.periods import Cadence
from privacy.epsilon import Epsilon
from privacy.queries import QueryId, QuerySpec
from privacy.release import Refused

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS family_plan (
        product TEXT PRIMARY KEY,
        epsilon_micro INTEGER NOT NULL CHECK (epsilon_micro >= 0)
    ) STRICT""",
    """CREATE TABLE IF NOT EXISTS family_plan_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        viewer_id INTEGER NOT NULL,
        product TEXT NOT NULL,
        old_micro INTEGER NOT NULL,
        new_micro INTEGER NOT NULL
    ) STRICT""",
)


class Product(StrEnum):
    """A shared figure the family plan releases once per calendar period."""

    WEEKLY = "weekly"
    GOALS = "goals"
    DISTRIBUTION = "distribution"
    HOURS = "hours"
    WEEKDAYS = "weekdays"
    CHAMPION = "champion"


@dataclass(frozen=True)
class ProductSpec:
    """What a product releases, how often, and its default epsilon per block (for a lifetime of 3)."""

    spec: QuerySpec
    cadence: Cadence
    default: float
    title: str
    why: str
    """The reason for its default, shown on the plan page."""


PRODUCTS: Mapping[Product, ProductSpec] = {
    Product.WEEKLY: ProductSpec(
        QuerySpec(QueryId.FAMILY_AVERAGE, None),
        Cadence.WEEK,
        1.0,
        "Weekly family steps",
        "The headline figure and the base of every trend: a third of the budget buys about ±2,100 steps.",
    ),
    Product.GOALS: ProductSpec(
        QuerySpec(QueryId.GOAL_ATTAINMENT, None),
        Cadence.FOUR_WEEKS,
        0.3,
        "Goal attainment",
        "Counts move by one per member-day, so a small epsilon gives a share within a few points.",
    ),
    Product.DISTRIBUTION: ProductSpec(
        QuerySpec(QueryId.DISTRIBUTION, None),
        Cadence.QUARTER,
        0.3,
        "Distribution of days",
        "A quarter holds enough member-days for nine shares to be read.",
    ),
    Product.HOURS: ProductSpec(
        QuerySpec(QueryId.HOUR_OF_DAY, None),
        Cadence.QUARTER,
        0.3,
        "Hour of day",
        "24 sums that a member-day can all move: only a quarter's days make them readable.",
    ),
    Product.WEEKDAYS: ProductSpec(
        QuerySpec(QueryId.WEEKDAY, None),
        Cadence.YEAR,
        0.3,
        "Weekday profile",
        "Seven means over a year; a shorter period is too noisy at family scale.",
    ),
    Product.CHAMPION: ProductSpec(
        QuerySpec(QueryId.CHAMPION, None),
        Cadence.FOUR_WEEKS,
        0.3,
        "Family champion",
        "A choice, not an estimate: a modest epsilon picks the leader when the gap is clear.",
    ),
}
"""The default plan: 2.5 of a lifetime 3.0 per block, leaving 0.5 in reserve for ad hoc questions."""


class PlanDoesNotFit(Refused):
    """A plan whose products leave no room in the lifetime budget, or one above the safe maximum."""


@dataclass(frozen=True)
class FamilyPlan:
    """Epsilon per block for each product, and the lifetime budget they share with the reserve."""

    epsilons: tuple[tuple[Product, Epsilon | None], ...]
    """Each product's epsilon per block, in `PRODUCTS` order; None switches a product off."""
    lifetime: Epsilon

    def __post_init__(self) -> None:
        if self.planned_micro > self.lifetime.micro:
            raise PlanDoesNotFit(
                f"the plan's products need epsilon {self.planned_micro / 1e6:g} per day,"
                f" more than the lifetime budget of {self.lifetime}"
            )

    def epsilon(self, product: Product) -> Epsilon | None:
        """A product's epsilon per block, or None when the family switched it off."""
        return dict(self.epsilons)[Product(product)]

    @property
    def planned_micro(self) -> int:
        """What the products take from every block, in micro-epsilon."""
        return sum(e.micro for _, e in self.epsilons if e is not None)

    @property
    def reserve_micro(self) -> int:
        """What is left of each block for ad hoc questions, sharpening and refreshes."""
        return self.lifetime.micro - self.planned_micro

    @property
    def quota_micro(self) -> int:
        """No viewer may take more than half of a block's reserve: a fairness quota, not the privacy claim."""
        return self.reserve_micro // 2


def default_plan(lifetime: Epsilon, cap: Epsilon) -> FamilyPlan:
    """The default plan scaled to `lifetime` and held under the safe maximum per view.

    >>> plan = default_plan(Epsilon.request(3.0), Epsilon.request(1.0))
    >>> plan.epsilon(Product.WEEKLY), plan.reserve_micro
    (Epsilon(micro=1000000), 500000)
    """
    ratio = lifetime.value / DEFAULT_LIFETIME_EPSILON
    return FamilyPlan(
        tuple((p, min(cap, Epsilon.request(s.default * ratio))) for p, s in PRODUCTS.items()), lifetime
    )


def load(conn: sqlite3.Connection, lifetime: Epsilon, cap: Epsilon) -> FamilyPlan:
    """The family's plan: the default, with the products an admin changed; refused if it no longer fits."""
    stored = dict(conn.execute("SELECT product, epsilon_micro FROM family_plan").fetchall())
    base = dict(default_plan(lifetime, cap).epsilons)
    chosen = {
        p: (None if stored[p.value] == 0 else Epsilon(stored[p.value])) if p.value in stored else base[p]
        for p in PRODUCTS
    }
    return checked(chosen, lifetime, cap)


def checked(chosen: Mapping[Product, Epsilon | None], lifetime: Epsilon, cap: Epsilon) -> FamilyPlan:
    """A plan from per-product choices, each within the safe maximum per view."""
    for product, epsilon in chosen.items():
        if epsilon is not None and epsilon > cap:
            raise PlanDoesNotFit(f"{PRODUCTS[product].title} at {epsilon} is above the safe maximum of {cap}")
    return FamilyPlan(tuple((p, chosen[p]) for p in PRODUCTS), lifetime)


def save(conn: sqlite3.Connection, viewer_id: int, plan: FamilyPlan, now: datetime) -> None:
    """Store an admin's plan and log each change; periods already released keep their epsilon."""
    with transaction(conn):
        old = dict(conn.execute("SELECT product, epsilon_micro FROM family_plan").fetchall())
        for product, epsilon in plan.epsilons:
            micro = 0 if epsilon is None else epsilon.micro
            conn.execute(
                "INSERT INTO family_plan (product, epsilon_micro) VALUES (?, ?)"
                " ON CONFLICT (product) DO UPDATE SET epsilon_micro = excluded.epsilon_micro",
                (product.value, micro),
            )
            if old.get(product.value) != micro:
                conn.execute(
                    "INSERT INTO family_plan_log (at, viewer_id, product, old_micro, new_micro)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (now.isoformat(), viewer_id, product.value, old.get(product.value, -1), micro),
                )
