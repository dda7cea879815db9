"""Why a family total still protects, and what an observer learns from exact night-time totals.

Both demos run on made-up families only. Their noise is OpenDP's vector discrete Laplace, calibrated
as the engine calibrates a sum: sensitivity = (member-days one unit can change) x clamp, divided by
epsilon. The draws are stored, so the same settings show the same picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

from privacy.constraints import ALPHA, DAILY_STEPS_BOUNDS, HOURLY_STEPS_BOUNDS
from privacy.engine import dp, plans
from privacy.engine.calendar import days_between, window
from privacy.epsilon import Epsilon
from privacy.lab.family import Family, Lab
from privacy.lab.runs import discrete_laplace, settings_key, stored_draws
from privacy.queries import PrivacyUnit

SUBTRACTION_DAYS = 14
"""Days shown in the subtraction demo: two weeks read at a glance."""
NIGHT_HOURS = (22, 23, 0)
"""22:00-01:00: the hour after midnight belongs to the night before."""
WALK_STEPS = 500
"""A night counts as a walk when the grandparent took at least this many steps in it."""
ATTACK_NIGHTS = 365
"""Nights the attack is tried on (fewer if the family's data is shorter)."""
ATTACK_EPSILONS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
"""Epsilons the private attack is simulated at."""
ATTACK_REPEATS = 20
"""Simulated releases of the whole year of nights per epsilon."""


@dataclass(frozen=True)
class Subtraction:
    """What one member learns about the others by subtracting their own steps from the family total."""

    viewer: str
    others: str
    days: tuple[str, ...]
    own: tuple[float, ...]
    others_true: tuple[float, ...]
    """The others' real total: exactly what subtracting from an exact total reveals."""
    others_noisy: tuple[float, ...]
    """Noisy family total minus own steps: the noise is all that is left between them and the truth."""
    margin: float
    """95% half-width of the noisy total, hence of the subtraction."""


@dataclass(frozen=True)
class NightAttack:
    """A threshold test for 'the grandparent walked last night' on exact and on private night totals."""

    target: str
    nights: int
    walk_share: float
    exact_success: float
    """Balanced success on exact totals, with the best threshold (0.5 = a coin toss)."""
    epsilons: tuple[float, ...]
    private_success: tuple[float, ...]
    ceiling: tuple[float, ...]
    """Differential privacy's bound on any test's balanced success at each epsilon."""
    recent: tuple[str, ...]
    recent_walked: tuple[bool, ...]
    recent_exact: tuple[float, ...]
    recent_noisy: tuple[float, ...]
    """The last four weeks at the page's epsilon: what the observer would actually see."""
    threshold: float


def subtraction(lab: Lab, family: Family, epsilon: Epsilon, unit: PrivacyUnit, pair: bool) -> Subtraction:
    """The first member subtracts their own days from daily family totals (of two members if `pair`)."""
    ids = family.member_ids[:2] if pair else family.member_ids
    first, last = window(family.today, SUBTRACTION_DAYS)
    days = days_between(first, last)
    table = _daily_table(family, ids, days)
    totals = table.sum(axis=0)
    scale = plans.unit_days(unit, SUBTRACTION_DAYS) * DAILY_STEPS_BOUNDS[1] / epsilon.value
    key = settings_key(what="subtraction", family=family.version, ids=ids, eps=epsilon.micro, unit=unit)
    with lab.lock:
        noisy = np.asarray(stored_draws(lab.conn, key, lambda: discrete_laplace(totals.tolist(), scale)))
    others = [family.names[m] for m in ids[1:]]
    return Subtraction(
        viewer=family.names[ids[0]],
        others=" + ".join(others) if len(others) <= 2 else f"the other {len(others)}",
        days=tuple(d.isoformat() for d in days),
        own=_floats(table[0]),
        others_true=_floats(totals - table[0]),
        others_noisy=_floats(noisy - table[0]),
        margin=dp.discrete_laplacian_scale_to_accuracy(scale, ALPHA),
    )


def night_attack(lab: Lab, family: Family, epsilon: Epsilon, unit: PrivacyUnit) -> NightAttack:
    """Try the night-walk inference on exact totals and on simulated private releases of them."""
    target_id = night_walker(family)
    nights, family_total, target = _night_totals(family, target_id)
    walked = target >= WALK_STEPS
    success = tuple(
        _mean_success(_night_draws(lab, family, family_total, e, unit), walked) for e in ATTACK_EPSILONS
    )
    noisy_now = _night_draws(lab, family, family_total, epsilon.value, unit)[0]
    # Zero or one walk night, with everything else fixed, differs in the target's steps on two
    # member-days (a night spans midnight): group privacy doubles epsilon, except for the whole member.
    group = 1 if PrivacyUnit(unit) is PrivacyUnit.MEMBER else 2
    threshold, exact_success = best_threshold(family_total, walked)
    recent = slice(-28, None)
    return NightAttack(
        target=family.names[target_id],
        nights=len(nights),
        walk_share=float(walked.mean()),
        exact_success=exact_success,
        epsilons=ATTACK_EPSILONS,
        private_success=success,
        ceiling=tuple(math.exp(group * e) / (1 + math.exp(group * e)) for e in ATTACK_EPSILONS),
        recent=tuple(n.isoformat() for n in nights[recent]),
        recent_walked=tuple(bool(w) for w in walked[recent]),
        recent_exact=_floats(family_total[recent]),
        recent_noisy=_floats(noisy_now[recent]),
        threshold=threshold,
    )


def _mean_success(draws: np.ndarray, walked: np.ndarray) -> float:
    """Mean held-out success: the threshold is tuned on one simulated year and tried on the next.

    Tuning and scoring on the same noisy year would flatter the attacker by fitting the noise.
    """
    thresholds = [best_threshold(row, walked)[0] for row in draws]
    held_out = np.roll(draws, -1, axis=0)
    return float(
        np.mean([balanced_success(row, walked, t) for row, t in zip(held_out, thresholds, strict=True)])
    )


def balanced_success(totals: np.ndarray, walked: np.ndarray, threshold: float) -> float:
    """Mean of the share of walk nights at or above `threshold` and of quiet nights below it.

    >>> balanced_success(np.asarray([0.0, 600.0, 900.0, 100.0]), np.asarray([False, False, True, True]), 500)
    0.5
    """
    flagged = totals >= threshold
    if walked.all() or not walked.any():
        return 0.5
    return float((flagged[walked].mean() + (~flagged[~walked]).mean()) / 2)


def _night_draws(
    lab: Lab, family: Family, totals: np.ndarray, epsilon: float, unit: PrivacyUnit
) -> np.ndarray:
    """`ATTACK_REPEATS` private releases (rows) of every night's family total at `epsilon`, stored."""
    # One member-day touches at most three night hours (22 and 23 of its night, 0 of the night before).
    sensitivity = plans.unit_days(unit, len(totals)) * len(NIGHT_HOURS) * HOURLY_STEPS_BOUNDS[1]
    key = settings_key(what="night", family=family.version, eps=round(epsilon * 1e6), unit=unit)
    tiled = np.tile(totals, ATTACK_REPEATS).tolist()
    with lab.lock:
        flat = stored_draws(lab.conn, key, lambda: discrete_laplace(tiled, sensitivity / epsilon))
    return np.asarray(flat, dtype=np.float64).reshape(ATTACK_REPEATS, len(totals))


def best_threshold(totals: np.ndarray, walked: np.ndarray) -> tuple[float, float]:
    """The threshold with the best balanced success, chosen with hindsight: the strongest such test.

    Balanced success is the mean of the share of walk nights flagged and of quiet nights cleared; a
    test that ignores the data scores 0.5. With no walk nights (or no quiet ones) there is nothing to
    find, and the score is 0.5.

    >>> best_threshold(np.asarray([0.0, 10.0, 3000.0, 2500.0]), np.asarray([False, False, True, True]))
    (2500.0, 1.0)
    """
    positives, negatives = int(walked.sum()), int((~walked).sum())
    if positives == 0 or negatives == 0:
        return math.inf, 0.5
    order = np.argsort(-totals, kind="stable")
    flagged_walks = np.cumsum(walked[order])
    flagged_quiet = np.cumsum(~walked[order])
    balanced = (flagged_walks / positives + 1 - flagged_quiet / negatives) / 2
    best = int(np.argmax(balanced))
    return float(totals[order][best]), float(max(balanced[best], 0.5))


def night_walker(family: Family) -> int:
    """The member with the most steps between 22:00 and 01:00: the one the observer is curious about.

    Chosen from the made-up family's exact data (in the demo family, Nana); on real data this choice
    would itself leak, which is why the lab never opens real data.
    """
    hours = family.hourly.filter(pl.col("hour").is_in(NIGHT_HOURS))
    if hours.is_empty():
        return family.member_ids[-1]
    ranked = (
        hours.group_by("member_id").agg(pl.col("steps").sum()).sort("steps", "member_id", descending=True)
    )
    return int(ranked["member_id"][0])


def _night_totals(family: Family, target_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nights, the family's 22:00-01:00 totals, and the target's own night steps."""
    last = family.today - timedelta(days=1)
    first = max(last - timedelta(days=ATTACK_NIGHTS - 1), family.daily["day"].min() or last)
    nights = np.asarray(days_between(first, last))
    night_of = pl.when(pl.col("hour") == 0).then(pl.col("day") - timedelta(days=1)).otherwise(pl.col("day"))
    rows = (
        family.hourly.filter(pl.col("hour").is_in(NIGHT_HOURS))
        .with_columns(night=night_of, steps=pl.col("steps").clip(*HOURLY_STEPS_BOUNDS))
        .filter(pl.col("night").is_between(first, last))
    )
    index = {n: i for i, n in enumerate(nights)}
    total, target = np.zeros(len(nights), dtype=np.int64), np.zeros(len(nights), dtype=np.int64)
    for member, night, steps in rows.select("member_id", "night", "steps").iter_rows():
        total[index[night]] += steps
        if member == target_id:
            target[index[night]] += steps
    return nights, total, target


def _daily_table(family: Family, ids: tuple[int, ...], days: tuple) -> np.ndarray:
    """Members x days of clamped daily steps, missing days as 0 (the grid's rule)."""
    table = np.zeros((len(ids), len(days)), dtype=np.int64)
    row, col = {m: i for i, m in enumerate(ids)}, {d: j for j, d in enumerate(days)}
    frame = family.daily.filter(pl.col("member_id").is_in(ids) & pl.col("day").is_between(days[0], days[-1]))
    for member, day, steps in frame.iter_rows():
        table[row[member], col[day]] = min(steps, DAILY_STEPS_BOUNDS[1])
    return table


def _floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in values)
