"""The family noticeboard: one shared answer per question, made once and then shown to everyone.

A question is (statistic, period, privacy unit, epsilon): never the viewer, never the data version.
`answer` is the only path that makes a release: it reads the family's snapshot once, replays what the
board already holds, and otherwise plans, pre-checks, computes and commits, in that order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np

from data import store
from privacy import derived, engine
from privacy.budget import ledger
from privacy.budget.blocks import blocks_between
from privacy.budget.ledger import Claim, Kind, Limits, Stored
from privacy.budget.plan import FamilyPlan
from privacy.engine.catalog import statistic
from privacy.engine.periods import Period
from privacy.epsilon import Epsilon
from privacy.queries import UNIT_WORDS, PrivacyUnit, QuerySpec
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

    @classmethod
    def from_key(cls, key: str) -> Question:
        """The question a stored key names (a product's period keeps the epsilon it was released at).

        >>> Question.from_key('trend/dates/week/8000|2026-01-05|2026-01-11|member-day|500000').epsilon
        Epsilon(micro=500000)
        """
        spec_key, first, last, unit, micro = key.split("|")
        query, _, bucket, goal = spec_key.split("/")
        period = Period(date.fromisoformat(first), date.fromisoformat(last))
        return cls(QuerySpec(query, None, bucket, int(goal)), period, Epsilon(int(micro)), PrivacyUnit(unit))


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
    claim, plan, members = _planned(family, question, viewer_id, product, kind, spend, found)
    limits = Limits.of(family.plan)
    ledger.precheck(conn, claim, limits, now)
    fresh = _release(family, plan, members, _cells(conn, plan), now)
    _, raced = ledger.commit(conn, claim, release_to_json(fresh), limits, now)
    return shown(ledger.latest(conn, question.key), replayed=raced)


def answer_all(
    conn: sqlite3.Connection,
    family: Family,
    questions: Sequence[Question],
    viewer_id: int | None,
    now: datetime,
    product: str,
) -> tuple[Release, ...]:
    """A product's answers over many periods (a trend's first visit): one read, one transaction.

    Periods already on the board replay; the rest are planned, computed from one read of the span and
    committed together, each claim checked on its own blocks as `answer` would.
    """
    stored = {q.key: ledger.latest(conn, q.key) for q in questions}
    todo = [q for q in questions if not stored[q.key]]
    if todo and any(statistic(q.spec).hourly for q in todo):
        return tuple(answer(conn, family, q, Kind.PLAN, viewer_id, now, product) for q in questions)
    if todo:
        limits = Limits.of(family.plan)
        made = [_planned(family, q, viewer_id, product) for q in todo]
        for claim, _, _ in made:
            ledger.precheck(conn, claim, limits, now)
        span = engine.Grid(
            tuple(m.id for m in family.roster),
            min(q.period.first for q in todo),
            max(q.period.last for q in todo),
        )
        cells = engine.daily_cells(span, store.daily_frame(conn, span.first, span.last))
        fresh = [
            (claim, release_to_json(_release(family, plan, members, _slice(span, cells, plan.grid), now)))
            for claim, plan, members in made
        ]
        ledger.commit_all(conn, fresh, limits, now)
    return tuple(
        shown(stored[q.key] or ledger.latest(conn, q.key), replayed=bool(stored[q.key])) for q in questions
    )


def shown(found: tuple[Stored, ...], *, replayed: bool) -> Release:
    """A generation of stored releases as one figure: several releases of it combine by inverse variance."""
    releases = [
        replace(release_from_json(s.release_json, replayed=replayed), question=s.question) for s in found
    ]
    first = releases[0]
    if len(releases) == 1 or statistic(first.spec).choice:
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
        noise=tuple(c.scales for c in combined),
    )


def estimates(release: Release) -> tuple[derived.Estimate, ...]:
    """Each value of a release with its public noise scales, for derived figures."""
    return tuple(_estimate(release, i) for i in range(len(release.values)))


def _estimate(release: Release, index: int) -> derived.Estimate:
    if release.noise:
        return derived.Estimate(release.values[index], release.noise[index])
    return derived.Estimate(release.values[index], (release.scale / release.denominators[index],))


def _planned(
    family: Family,
    question: Question,
    viewer_id: int | None,
    product: str | None,
    kind: Kind = Kind.PLAN,
    spend: Epsilon | None = None,
    found: tuple[Stored, ...] = (),
) -> tuple[Claim, engine.Plan, tuple[store.Member, ...]]:
    """Who is in the release, its cached OpenDP plan, and the claim its charge makes on the blocks."""
    if kind is Kind.SHARPEN and found:
        names = set(release_from_json(found[0].release_json, replayed=True).included)
        members = tuple(m for m in family.roster if m.name in names)
    else:
        members = family.included(question.period)
    if not members:
        raise Refused(f"No member's imported data reach {question.period.last}; nothing was spent.")
    period = question.period
    seq, generation = (found[-1].seq + 1, found[-1].generation + (kind is Kind.REFRESH)) if found else (0, 0)
    grid = engine.Grid(tuple(m.id for m in members), period.first, period.last)
    plan = engine.plan(question.spec, spend or question.epsilon, family.unit, grid)
    claim = Claim(
        question=question.key,
        seq=seq,
        generation=generation,
        kind=kind,
        product=product,
        query_key=question.spec.key,
        first_day=period.first.isoformat(),
        last_day=period.last.isoformat(),
        unit=family.unit.value,
        charge=plan.charge,
        blocks=blocks_between(period.first, period.last, family.unit),
        viewer_id=viewer_id,
    )
    return claim, plan, members


def _cells(conn: sqlite3.Connection, plan: engine.Plan) -> np.ndarray:
    """The plan's grid completed from the store; only the table the statistic reads is loaded."""
    grid = plan.grid
    if statistic(plan.spec).hourly:
        return engine.hourly_cells(grid, store.hourly_frame(conn, grid.first, grid.last))
    return engine.daily_cells(grid, store.daily_frame(conn, grid.first, grid.last))


def _slice(span: engine.Grid, cells: np.ndarray, grid: engine.Grid) -> np.ndarray:
    """A period's cells cut from a longer span's daily grid (member-major rows, one column per day)."""
    rows = [span.member_ids.index(m) for m in grid.member_ids]
    start = (grid.first - span.first).days
    return cells.reshape(len(span.member_ids), span.n_days)[rows, start : start + grid.n_days].ravel()


def _release(
    family: Family, plan: engine.Plan, members: tuple[store.Member, ...], cells: np.ndarray, now: datetime
) -> Release:
    grid = plan.grid
    names = {m.id: m.name for m in members}
    labels, values, lower, upper = engine.execute_cells(plan, cells, names)
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
