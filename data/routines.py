"""Daily routines that make synthetic step data look lived-in: wake, sleep, idle pottering and bursts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from data.school_calendar import is_school_day, is_working_day

SPAN = 30
"""Hours simulated per day: 24 plus six spill-over hours, so a walk at 00:30 lands on the next morning."""

HOUR_CENTRES = np.arange(SPAN) + 0.5


@dataclass(frozen=True)
class Burst:
    """One recurring stretch of walking (a commute, a run, a school run), spread over nearby hours."""

    centre: float
    """Hour of its midpoint; 23.5 is half past eleven at night, 24.5 half past midnight."""
    spread: float
    """Standard deviation in hours: how many hourly buckets it covers."""
    steps: float
    """Typical steps in the whole burst."""
    chance: float = 1.0
    """Probability it happens on a day of its kind (a run skipped for rain, a walk not taken)."""


@dataclass(frozen=True)
class DayPlan:
    """How one kind of day goes for one person: the shape the hourly counts follow."""

    wake: float
    """Mean hour the phone starts counting."""
    sleep: float
    """Mean hour pottering stops; may pass 24 for a late night."""
    idle: float
    """Steps per waking hour outside bursts (kitchen, office, classroom)."""
    bursts: tuple[Burst, ...] = ()
    """The day's walks, runs and commutes."""
    jitter: float = 0.4
    """Day-to-day spread of wake and sleep times, in hours."""


@dataclass(frozen=True)
class Routine:
    """A person's week: which plan a date follows and how much whole days vary."""

    label: str
    """Plain description for the README and the demo page."""
    plans: Mapping[str, DayPlan]
    """Day plans by day kind."""
    day_kind: Callable[[date], str]
    """Which plan a date follows (school day, working day, weekend...)."""
    day_sigma: float = 0.2
    """Log-normal spread of a whole day's total: a teenager's days vary more than a commuter's."""


def _working(day: date) -> str:
    return "work" if is_working_day(day) else "off"


def _weekend(day: date) -> str:
    return "weekend" if day.weekday() >= 5 else "week"


def _school(day: date) -> str:
    return "school" if is_school_day(day) else "off"


def _any(day: date) -> str:
    return "any"


COMMUTER = Routine(
    label="commuting parent: train and walk at 7-9 and 17-19 on working days, a lunch walk",
    plans={
        "work": DayPlan(
            6.5, 22.5, 230, (Burst(8.0, 0.5, 2300), Burst(12.6, 0.35, 900), Burst(18.0, 0.5, 2300))
        ),
        "off": DayPlan(8.0, 23.0, 380, (Burst(11.0, 1.2, 1800, 0.6), Burst(15.0, 1.5, 2500, 0.6))),
    },
    day_kind=_working,
    day_sigma=0.15,
)

RUNNER = Routine(
    label="parent working from home who runs long on Saturday and Sunday mornings",
    plans={
        "week": DayPlan(7.0, 23.0, 280, (Burst(8.4, 0.3, 800), Burst(12.5, 0.5, 1200, 0.5))),
        "weekend": DayPlan(6.8, 23.0, 340, (Burst(8.0, 0.45, 9000, 0.85), Burst(15.0, 1.5, 1500, 0.7))),
    },
    day_kind=_weekend,
)

PUPIL = Routine(
    label="primary-school child: school run, break and lunch play on school days; parks in the holidays",
    plans={
        "school": DayPlan(
            7.0,
            20.5,
            230,
            (
                Burst(8.4, 0.25, 900),
                Burst(10.6, 0.2, 700),
                Burst(12.6, 0.35, 1400),
                Burst(15.4, 0.25, 900),
                Burst(16.8, 0.8, 1800, 0.7),
            ),
            jitter=0.2,
        ),
        "off": DayPlan(8.3, 21.0, 330, (Burst(11.0, 1.2, 2500, 0.6), Burst(15.5, 1.5, 3000, 0.6))),
    },
    day_kind=_school,
    day_sigma=0.2,
)

TEEN = Routine(
    label="teenager: late and irregular, rushed school mornings, nights out at weekends",
    plans={
        "school": DayPlan(
            7.4,
            23.5,
            210,
            (Burst(8.1, 0.3, 1200), Burst(16.0, 1.5, 1800, 0.6), Burst(21.5, 1.2, 2000, 0.3)),
            jitter=0.8,
        ),
        "off": DayPlan(
            11.0, 25.0, 240, (Burst(15.5, 2.0, 3000, 0.5), Burst(22.5, 1.2, 2500, 0.35)), jitter=1.4
        ),
    },
    day_kind=_school,
    day_sigma=0.45,
)


def elder(night_walks: bool) -> Routine:
    """Retired grandparent: a morning errand, and (if `night_walks`) a walk between 22:00 and 01:00."""
    walk = Burst(23.3, 0.6, 2200, 0.65 if night_walks else 0.0)
    label = "retired grandparent: morning errands" + (", late-night walks 22:00-01:00" if night_walks else "")
    return Routine(
        label=label,
        plans={"any": DayPlan(6.5, 21.5, 250, (Burst(10.0, 0.8, 1500, 0.8), walk), jitter=0.3)},
        day_kind=_any,
        day_sigma=0.18,
    )


def expected_steps(routine: Routine, days: Sequence[date], rng: np.random.Generator) -> np.ndarray:
    """Mean steps per hour, shape (len(days), SPAN): the shape of each day before counting noise."""
    kinds = np.array([routine.day_kind(d) for d in days])
    out = np.zeros((len(days), SPAN))
    for kind, plan in routine.plans.items():
        rows = np.flatnonzero(kinds == kind)
        out[rows] = _plan_curve(plan, len(rows), rng)
    level = rng.lognormal(0.0, routine.day_sigma, size=len(days))
    return out * level[:, None]


def _plan_curve(plan: DayPlan, n: int, rng: np.random.Generator) -> np.ndarray:
    hours = HOUR_CENTRES[None, :]
    wake = plan.wake + rng.normal(0.0, plan.jitter, (n, 1))
    sleep = plan.sleep + rng.normal(0.0, plan.jitter, (n, 1))
    curve = plan.idle * _sigmoid(2.5 * (hours - wake)) * _sigmoid(2.5 * (sleep - hours))
    for burst in plan.bursts:
        happens = rng.random((n, 1)) < burst.chance
        centre = burst.centre + rng.normal(0.0, burst.spread / 2, (n, 1))
        size = burst.steps * rng.lognormal(0.0, 0.25, (n, 1)) * happens
        curve = curve + size * _density(hours, centre, burst.spread)
    return curve


def count_steps(expected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole steps per hour (days x 24): hour-to-hour noise, spill-over hours folded into the next day."""
    mean = expected * rng.gamma(4.0, 0.25, expected.shape)
    counts = np.where(mean < 1.0, 0, rng.poisson(np.maximum(mean, 0.0)))
    folded = counts[:, :24].copy()
    folded[1:, : SPAN - 24] += counts[:-1, 24:]
    return folded


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _density(hours: np.ndarray, centre: np.ndarray, spread: float) -> np.ndarray:
    return np.exp(-0.5 * ((hours - centre) / spread) ** 2) / (spread * np.sqrt(2 * np.pi))
