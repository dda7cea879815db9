"""The privacy/utility lab's one door: true values beside private ones, for made-up families only.

`TradeoffLab.open` refuses a store that holds a real family's data (`NotAllowed`), so the true values
this module returns can only ever describe the demo family or a family generated in memory. Nothing
here touches the ledger: every simulation spends no budget. Results are kept per settings in a small
in-process memo (they are made-up and not per viewer), and every noisy draw is stored in `lab_runs`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from privacy.constraints import HARD_MAX_EPSILON_PER_VIEW, MIN_EPSILON_PER_VIEW, WINDOWS_DAYS
from privacy.epsilon import Epsilon
from privacy.lab import attack, needle, renewal, sharing, simulate
from privacy.lab.attack import NightAttack, Subtraction
from privacy.lab.family import Family, FamilyChoice, Lab, Source
from privacy.lab.needle import Comparison
from privacy.lab.renewal import Lifetime, Renewing, Year
from privacy.lab.runs import count_runs
from privacy.lab.sharing import Design, Sharing
from privacy.lab.simulate import NUMERIC_QUERIES, ErrorCurve, Shown
from privacy.queries import InvalidQuery, PrivacyUnit, QueryId, QuerySpec

__all__ = [
    "NUMERIC_QUERIES",
    "Comparison",
    "Design",
    "ErrorCurve",
    "FamilyChoice",
    "FamilySummary",
    "LabSettings",
    "NightAttack",
    "Sharing",
    "Shown",
    "Source",
    "Subtraction",
    "TradeoffLab",
    "Year",
]

T = TypeVar("T")
MEMO_SIZE = 256
"""Results kept in memory: every control position a presenter visits in a talk, many times over."""


@dataclass(frozen=True)
class LabSettings:
    """Everything the page's controls decide; hashable, so it keys the memo."""

    family: FamilyChoice = field(default_factory=FamilyChoice)
    epsilon: float = 0.5
    """Checked like a real request: within [0.01, 2], rounded down to micro-units."""
    unit: PrivacyUnit = PrivacyUnit.MEMBER_DAY
    query: QueryId = QueryId.TREND
    """The statistic drawn beside its truth (any but the champion, which has no error to show)."""
    window_days: int = 90

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", PrivacyUnit(self.unit))
        object.__setattr__(self, "query", QueryId(self.query))
        value = Epsilon.request(self.epsilon).value
        if not MIN_EPSILON_PER_VIEW <= value <= HARD_MAX_EPSILON_PER_VIEW:
            raise InvalidQuery(f"epsilon must be in [{MIN_EPSILON_PER_VIEW}, {HARD_MAX_EPSILON_PER_VIEW}]")
        object.__setattr__(self, "epsilon", value)
        if self.query not in NUMERIC_QUERIES:
            raise InvalidQuery("the lab shows statistics with an error; the champion is a choice")
        if self.window_days not in WINDOWS_DAYS:
            raise InvalidQuery(f"window must be one of {WINDOWS_DAYS} days")

    @property
    def spec(self) -> QuerySpec:
        """The catalog statistic drawn beside its truth."""
        return QuerySpec(self.query, window_days=self.window_days)

    @property
    def budget(self) -> Epsilon:
        """The settings' epsilon as the value type."""
        return Epsilon.request(self.epsilon)


@dataclass(frozen=True)
class FamilySummary:
    """Who the made-up family is: names are shown freely because nobody real is behind them."""

    label: str
    names: tuple[str, ...]
    first: date
    today: date


class TradeoffLab:
    """One per process: the lab's store connection, family cache and result memo."""

    def __init__(self, lab: Lab) -> None:
        self._lab = lab
        self._memo: OrderedDict[tuple[object, ...], object] = OrderedDict()

    @classmethod
    def open(cls, path: Path | str | None = None) -> TradeoffLab:
        """Open the demo or synthetic store at `path` (or `HEARTH_DB`); a real one raises `NotAllowed`."""
        return cls(Lab.open(path))

    def close(self) -> None:
        """Release the store connection."""
        self._lab.close()

    def kind(self) -> str:
        """`demo` or `synthetic`."""
        return self._lab.kind()

    def stored_runs(self) -> int:
        """Settings combinations whose draws are stored."""
        with self._lab.lock:
            return count_runs(self._lab.conn)

    def family(self, choice: FamilyChoice) -> FamilySummary:
        """Names and dates of the family `choice` names."""
        family = self._lab.family(choice)
        first = family.daily["day"].min() or family.today
        return FamilySummary(family.label, tuple(family.names.values()), first, family.today)

    def release(self, settings: LabSettings) -> Shown:
        """The chosen statistic at the chosen epsilon (one stored `engine.execute` run), with its truth."""
        family = self._family(settings)

        def compute() -> Shown:
            return simulate.release(self._lab, family, settings.spec, settings.budget, settings.unit)

        return self._kept(("release", settings), compute)

    def error_curves(self, settings: LabSettings) -> tuple[ErrorCurve, ...]:
        """Expected and observed 95% error over epsilon for every statistic (epsilon itself is free)."""
        family, unit, days = self._family(settings), settings.unit, settings.window_days

        def compute() -> tuple[ErrorCurve, ...]:
            specs = (QuerySpec(q, window_days=days) for q in NUMERIC_QUERIES)
            return tuple(simulate.error_curve(self._lab, family, spec, unit) for spec in specs)

        return self._kept(("curves", settings.family, unit, days), compute)

    def needle(self, settings: LabSettings) -> tuple[Comparison, ...]:
        """Unit, clamp, bucket, family size and Laplace vs Gaussian, each varied alone."""
        family = self._family(settings)
        eps, unit, days = settings.budget, settings.unit, settings.window_days

        def compute() -> tuple[Comparison, ...]:
            return (
                needle.by_unit(family, eps, unit, days),
                needle.by_clamp(family, eps, unit, days),
                needle.by_bucket(family, eps, unit, days),
                needle.by_family_size(eps, unit, days, family.today),
                needle.by_views(eps, unit, days, len(family.member_ids)),
            )

        return self._kept(("needle", settings.family, eps, unit, days), compute)

    def subtraction(self, settings: LabSettings, pair: bool) -> Subtraction:
        """What the first member learns by subtracting their own days (of a two-member family if `pair`)."""
        family, eps, unit = self._family(settings), settings.budget, settings.unit

        def compute() -> Subtraction:
            return attack.subtraction(self._lab, family, eps, unit, pair)

        return self._kept(("subtraction", settings.family, eps, unit, pair), compute)

    def night_attack(self, settings: LabSettings) -> NightAttack:
        """The night-walk inference on exact and on private night totals."""
        family, eps, unit = self._family(settings), settings.budget, settings.unit

        def compute() -> NightAttack:
            return attack.night_attack(self._lab, family, eps, unit)

        return self._kept(("night", settings.family, eps, unit), compute)

    def sharing(self, settings: LabSettings) -> Sharing:
        """Each member's fresh weekly average, pooled, against one shared answer (simulated, stored)."""
        family, eps, unit = self._family(settings), settings.budget, settings.unit

        def compute() -> Sharing:
            return sharing.compare(self._lab, family, eps, unit)

        return self._kept(("sharing", settings.family, eps, unit), compute)

    def renewal(self, settings: LabSettings) -> Year:
        """One member-day's loss over a year, renewing vs lifetime budgets: arithmetic, no noise.

        Every member is a viewer, and each old-model view costs the page's epsilon.
        """
        family = self._family(settings)
        old = Renewing(viewers=len(family.member_ids), view_epsilon=settings.epsilon)

        def compute() -> Year:
            return renewal.year(family.today, old, Lifetime())

        return self._kept(("renewal", settings.family, settings.epsilon), compute)

    def _family(self, settings: LabSettings) -> Family:
        return self._lab.family(settings.family)

    def _kept(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        with self._lab.lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[return-value]
        value = compute()
        with self._lab.lock:
            self._memo[key] = value
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return value
