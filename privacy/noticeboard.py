"""The family noticeboard: one shared answer per question, made once and then shown to everyone.

A question is (statistic, period, privacy unit, epsilon): never the viewer, never the data version.
`answer` is the only path that makes a release: it reads the family's snapshot once, replays what the
board already holds, and otherwise plans, pre-checks, computes and commits, in that order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from data import store
from privacy import derived, engine
from privacy.budget import ledger
from privacy.budget.blocks import blocks_between
from privacy.budget.ledger import Claim, Kind, Limits, Stored
from privacy.budget.plan import FamilyPlan
from privacy.engine.grid import HOURLY_QUERIES
from privacy.engine.periods import Period
from privacy.epsilon import Epsilon
from privacy.queries import UNIT_WORDS, PrivacyUnit, QueryId, QuerySpec
from privacy.release import Refused, Release
from privacy.releases_json import release_from_json, release_to_json


@dataclass(frozen=True)
class Family:
    """What one request needs to know about the family, read once: roster, coverage, today, plan."""

    roster: tuple[store.Member, ...]
    coverage: Mapping[int, date]
    """Member id -> the day through which their imports are complete (public metadata)."""
    today: date
    """The family's date; today itself is never complete, so no period including it is released."""
    plan: FamilyPlan
    unit: PrivacyUnit
    settle_days: int

    def included(self, period: Period) -> tuple[store.Member, ...]:
        """Members whose imports reach the period's end; the others are left out and named."""
        return tuple(m for m in self.roster if self.coverage.get(m.id, date.min) >= period.last)

    def waiting(self, period: Period) -> str:
        """Why a period is not released yet ('' when it is eligible)."""
        if period.last >= self.today:
            return f"the period {period} has not ended yet"
        settled = (self.today - period.last).days > self.settle_days
        if settled or len(self.included(period)) == len(self.roster):
            return ""
        missing = [m.name for m in self.roster if m not in self.included(period)]
        return f"waiting up to {self.settle_days} days for {', '.join(missing)} to import {period}"

    def covered_date(self) -> date | None:
        """The last day every member with any import has covered, and never today or later."""
        days = [self.coverage[m.id] for m in self.roster if m.id in self.coverage]
        return min([*days, date.fromordinal(self.today.toordinal() - 1)]) if days else None


@dataclass(frozen=True)
class Question:
    """What is asked: a statistic over a period at an epsilon, under the family's privacy unit."""

    spec: QuerySpec
    period: Period
    epsilon: Epsilon
    unit: PrivacyUnit

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec", replace(self.spec, window_days=None))

    @property
    def key(self) -> str:
        """The canonical question: equal questions share one answer, whoever asks and whenever.

        >>> from datetime import date
        >>> q = Question(QuerySpec("trend", 90), Period(date(2026, 1, 5), date(2026, 1, 11)),
        ...              Epsilon.request(0.5), PrivacyUnit.MEMBER_DAY)
        >>> q.key
        'trend/dates/week/8000|2026-01-05|2026-01-11|member-day|500000'
        """
        p = self.period
        return f"{self.spec.key}|{p.first}|{p.last}|{self.unit.value}|{self.epsilon.micro}"


def answer(
    conn: sqlite3.Connection,
    family: Family,
    question: Question,
    kind: Kind,
    viewer_id: int | None,
    now: datetime,
    product: str | None = None,
    spend: Epsilon | None = None,
) -> Release:
    """The board's answer to `question`, made (and paid for) now only if the board has none.

    A sharpening or refresh adds a release to an answered question, spending `spend` (default the
    question's own epsilon).
    """
    found = ledger.latest(conn, question.key)
    if found and kind in (Kind.PLAN, Kind.ASKED):
        return shown(found, replayed=True)
    seq, generation = ledger.next_seq(conn, question.key)
    generation += kind is Kind.REFRESH and seq > 0
    members = _members(family, question, kind, found)
    if not members:
        raise Refused(f"No member's imported data reach {question.period.last}; nothing was spent.")
    grid = engine.Grid(tuple(m.id for m in members), question.period.first, question.period.last)
    plan = engine.plan(question.spec, spend or question.epsilon, family.unit, grid)
    claim = Claim(
        question=question.key,
        seq=seq,
        generation=generation,
        kind=kind,
        product=product,
        query_key=question.spec.key,
        first_day=question.period.first.isoformat(),
        last_day=question.period.last.isoformat(),
        unit=family.unit.value,
        charge=plan.charge,
        blocks=blocks_between(question.period.first, question.period.last, family.unit),
        viewer_id=viewer_id,
    )
    limits = Limits.of(family.plan)
    ledger.precheck(conn, claim, limits)
    fresh = _compute(conn, family, plan, members, now)
    _, raced = ledger.commit(conn, claim, release_to_json(fresh), limits, now)
    return shown(ledger.latest(conn, question.key), replayed=raced)


def shown(found: tuple[Stored, ...], *, replayed: bool) -> Release:
    """A generation of stored releases as one figure: several releases of it combine by inverse variance."""
    releases = [release_from_json(s.release_json, replayed=replayed) for s in found]
    first = releases[0]
    if len(releases) == 1 or first.spec.query is QueryId.CHAMPION:
        return first
    combined = [
        derived.inverse_variance([_estimate(r, i) for r in releases]) for i in range(len(first.values))
    ]
    lo, hi = engine.value_range(first.spec)
    bands = [c.interval for c in combined]
    return replace(
        first,
        values=tuple(min(max(c.value, lo), hi) for c in combined),
        lower=tuple(max(b[0], lo) for b in bands),
        upper=tuple(min(b[1], hi) for b in bands),
        epsilon=Epsilon(sum(r.epsilon.micro for r in releases)),
        combined=len(releases),
    )


def estimates(release: Release) -> tuple[derived.Estimate, ...]:
    """Each value of a release with its public noise scales, for derived figures."""
    return tuple(_estimate(release, i) for i in range(len(release.values)))


def _estimate(release: Release, index: int) -> derived.Estimate:
    return derived.Estimate(release.values[index], (release.scale / release.denominators[index],))


def _members(
    family: Family, question: Question, kind: Kind, found: tuple[Stored, ...]
) -> tuple[store.Member, ...]:
    """Who is in the release: a sharpening keeps the figure's own members, anything else takes the covered."""
    if kind is Kind.SHARPEN and found:
        names = set(release_from_json(found[0].release_json, replayed=True).included)
        return tuple(m for m in family.roster if m.name in names)
    return family.included(question.period)


def _compute(
    conn: sqlite3.Connection,
    family: Family,
    plan: engine.Plan,
    members: tuple[store.Member, ...],
    now: datetime,
) -> Release:
    grid = plan.grid
    hourly_query = plan.spec.query in HOURLY_QUERIES
    # Only the grid the statistic reads is loaded: the hourly table is 24 times the daily one.
    daily = store.daily_frame(conn, grid.first, grid.first if hourly_query else grid.last)
    hourly = store.hourly_frame(conn, grid.first, grid.last if hourly_query else grid.first)
    names = {m.id: m.name for m in members}
    labels, values, lower, upper = engine.execute(plan, daily, hourly, names)
    return Release(
        spec=plan.spec,
        labels=labels,
        values=values,
        lower=lower,
        upper=upper,
        unit=engine.value_unit(plan.spec),
        epsilon=plan.charge,
        mechanism=plan.mechanism,
        scale=plan.scale,
        denominators=engine.layout(plan.spec, grid).denominators,
        privacy_unit=UNIT_WORDS[family.unit],
        first=grid.first.isoformat(),
        last=grid.last.isoformat(),
        included=tuple(m.name for m in members),
        left_out=tuple(m.name for m in family.roster if m not in members),
        released_at=now.isoformat(timespec="seconds"),
    )
