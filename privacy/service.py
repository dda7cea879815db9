"""The one door from the dashboard to the data: sign-in, the noticeboard, questions, budget, own data."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import polars as pl

from data import store
from data.zone import local_today
from privacy import accounts, engine, imports
from privacy.audit_log import Outcome
from privacy.budget import ledger, migration
from privacy.budget import plan as family_plan
from privacy.budget.blocks import day_blocks
from privacy.budget.ledger import Kind, Stored
from privacy.budget.plan import PRODUCTS, FamilyPlan, Product
from privacy.constraints import MIN_EPSILON_PER_VIEW
from privacy.engine.periods import Period, latest_ended, previous
from privacy.epsilon import Epsilon, InvalidEpsilon
from privacy.identity import Viewer
from privacy.imports import ImportRefused, ImportSummary
from privacy.noticeboard import Family, Question, answer, answer_all, shown
from privacy.queries import InvalidQuery, QuerySpec
from privacy.release import (
    BudgetExhausted,
    LedgerUnavailable,
    NotAllowed,
    NotYetReleased,
    OverCap,
    Preview,
    Refused,
    Release,
)
from privacy.settings import Settings

T = TypeVar("T")

__all__ = ["BudgetDay", "BudgetView", "Hearth", "ImportRefused", "ImportSummary", "MemberLabel"]

BUDGET_DAYS = 90
"""The budget calendar's default range: the last 90 days."""


@dataclass(frozen=True)
class MemberLabel:
    """A roster entry: the id is the key, the name only a display label."""

    id: int
    name: str


@dataclass(frozen=True)
class BudgetDay:
    """One day of the budget calendar, in micro-epsilon: what its block has spent and has left."""

    day: date
    block: str
    spent_micro: int
    remaining_micro: int
    reserve_left_micro: int
    share_left_micro: int
    """What the viewer may still take of this block's reserve (their fairness quota)."""


@dataclass(frozen=True)
class BudgetView:
    """The lifetime budget as a viewer sees it: the settings' numbers and a calendar of days."""

    lifetime_micro: int
    reserve_micro: int
    quota_micro: int
    days: tuple[BudgetDay, ...]

    @property
    def share_left_micro(self) -> int:
        """The most a question over all these days may cost the viewer now."""
        return min((d.share_left_micro for d in self.days), default=self.quota_micro)


class Hearth:
    """The process-wide privacy service: every value another member sees comes through here."""

    def __init__(self, conn: sqlite3.Connection, settings: Settings, clock: Callable[[], datetime]) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.settings = settings
        self._clock = clock

    @classmethod
    def open(
        cls, settings: Settings, clock: Callable[[], datetime] | None = None, *, create: bool = True
    ) -> Hearth:
        """Open the settings' store; without `create`, a missing store is refused rather than made empty."""
        if not create and not settings.db.is_file():
            raise NotAllowed(f"no store at {settings.db}; create one with `python -m data demo` or an import")
        try:
            conn = store.connect(settings.db)
        except sqlite3.Error:  # not a database, or unreadable: the same generic refusal as a bad ledger
            raise LedgerUnavailable(ledger.UNAVAILABLE) from None
        try:
            migration.migrate(conn)
            ledger.ensure_schema(conn)
            accounts.ensure_schema(conn)
            ledger.verify(conn)
        except sqlite3.Error:
            conn.close()
            raise LedgerUnavailable(ledger.UNAVAILABLE) from None
        hearth = cls(conn, settings, clock or settings.now)
        hearth.plan()
        return hearth

    def close(self) -> None:
        """Release the store connection (tests and the CLI; the app keeps one for its lifetime)."""
        self._conn.close()

    # The roster, the calendar and import coverage are public: they reveal nothing of anyone's steps.
    def roster(self) -> tuple[MemberLabel, ...]:
        """The family roster in joining order."""
        return tuple(MemberLabel(m.id, m.name) for m in self._guarded(lambda: store.members(self._conn)))

    def today(self) -> date:
        """The demo data's fixed day in demo mode, else today's date in the family's time zone."""
        return self._guarded(lambda: self._today())

    def kind(self) -> str:
        """`real`, `demo` or `synthetic`: only the last two may ever show true values."""
        return self._guarded(lambda: store.store_kind(self._conn))

    def covered_date(self) -> date | None:
        """The last whole day every member with an import has covered: ad hoc questions end there."""
        with self._lock:
            return self._family().covered_date()

    def plan(self) -> FamilyPlan:
        """The family plan in force; a stored plan that no longer fits the lifetime budget is refused."""
        s = self.settings
        return self._guarded(lambda: family_plan.load(self._conn, s.lifetime_epsilon, s.max_epsilon_per_view))

    def set_plan(self, viewer: Viewer, chosen: dict[Product, Epsilon | None]) -> FamilyPlan:
        """An admin's new plan, applying to periods not yet released; each change is logged."""
        viewer = self._checked(viewer)
        if not viewer.is_admin:
            raise NotAllowed("Only an admin can change the family plan.")
        s = self.settings
        merged = dict(self.plan().epsilons) | dict(chosen)  # products left out keep their epsilon
        new = family_plan.checked(merged, s.lifetime_epsilon, s.max_epsilon_per_view)
        self._guarded(lambda: family_plan.save(self._conn, viewer.member_id, new, self._clock()))
        return new

    def sign_in(self, name: str, password: str, client: accounts.Client) -> Viewer:
        """Password sign-in, throttled per (name, client) and per name; one generic failure message."""
        return self._guarded(lambda: accounts.sign_in(self._conn, name, password, client, self._clock()))

    def demo_sign_in(self, member_id: int) -> Viewer:
        """Passwordless sign-in as a demo member; refused unless the store is the demo family."""
        return self._guarded(lambda: accounts.demo_sign_in(self._conn, member_id, self._clock()))

    def operator_session(self, name: str) -> Viewer:
        """A session for the local command line: whoever runs it can read the store file anyway."""
        return self._guarded(lambda: accounts.operator_session(self._conn, name, self._clock()))

    def resume(self, token: str) -> Viewer | None:
        """The viewer behind a session token, if the session is still valid server side."""
        return self._guarded(lambda: accounts.resume(self._conn, token, self._clock())) if token else None

    def sign_out(self, viewer: Viewer) -> None:
        """Revoke this session server side."""
        self._guarded(lambda: accounts.sign_out(self._conn, viewer.session_token, self._clock()))

    def change_password(self, viewer: Viewer, old: str, new: str) -> Viewer:
        """Change a password and revoke every other session of that member."""
        current = self._checked(viewer)
        return self._guarded(lambda: accounts.change_password(self._conn, current, old, new, self._clock()))

    def sign_out_everywhere(self, viewer: Viewer) -> None:
        """Revoke every session of the viewer's member, this one included: the 'I lost my phone' button."""
        current = self._checked(viewer)
        self._guarded(lambda: accounts.sign_out_everywhere(self._conn, current.member_id, self._clock()))

    def unlock(self, viewer: Viewer, member_id: int) -> int:
        """An admin clears a member's sign-in throttle for every client; returns the failures forgotten."""
        if not self._checked(viewer).is_admin:
            raise NotAllowed("Only an admin can clear a member's sign-in throttle.")
        return self._guarded(lambda: accounts.unlock(self._conn, member_id))

    def figure(self, viewer: Viewer, product: Product, period: Period | None = None) -> Release:
        """A product's shared figure for `period` (default the newest released or releasable one).

        The first visit after a period becomes eligible makes the release, paid from the plan's share of
        each block; every later visit, by anyone, is a replay at no cost.
        """
        viewer = self._checked(viewer)
        with self._lock, self._audited(viewer, PRODUCTS[Product(product)].spec):
            family = self._family()
            wanted = period or self._newest(family, product)
            return self._figure(family, viewer, Product(product), wanted)

    def series(self, viewer: Viewer, product: Product, count: int) -> tuple[Release, ...]:
        """The newest `count` periods of a product, oldest first: what trends are derived from, free."""
        viewer = self._checked(viewer)
        with self._lock:
            family = self._family()
            periods = [self._newest(family, product)]
            while len(periods) < count:
                periods.append(previous(periods[-1], PRODUCTS[Product(product)].cadence))
            return self._series(family, viewer, Product(product), tuple(reversed(periods)))

    def ask(self, viewer: Viewer, spec: QuerySpec, epsilon: object, period: Period | None = None) -> Release:
        """An ad hoc question, paid from each block's reserve under the viewer's quota, then shared."""
        return self._reserve_release(viewer, spec, epsilon, period, Kind.ASKED)

    def sharpen(self, viewer: Viewer, release: Release, epsilon: object) -> Release:
        """One more release of a shown figure, combined with it by inverse variance; paid from the reserve."""
        return self._reserve_release(
            viewer, release.spec, epsilon, _period_of(release), Kind.SHARPEN, release
        )

    def refresh(self, viewer: Viewer, release: Release, epsilon: object) -> Release:
        """A fresh release of a figure on today's imports (a late import never recomputes by itself)."""
        return self._reserve_release(
            viewer, release.spec, epsilon, _period_of(release), Kind.REFRESH, release
        )

    def newly_covered(self, release: Release) -> tuple[str, ...]:
        """Members a figure left out whose imports now cover its period: what a refresh would add.

        Coverage is public metadata, so offering a refresh tells nothing about anyone's values. Every
        card asks on every rerun, and most left no one out: those need no read.
        """
        if not release.left_out:
            return ()
        with self._lock:
            covering = {m.name for m in self._family().included(_period_of(release))}
        return tuple(name for name in release.left_out if name in covering)

    def release(self, viewer: Viewer, spec: QuerySpec, epsilon: object) -> Release:
        """An ad hoc question over the window `spec` names, ending on the family's covered date."""
        return self.ask(viewer, spec, epsilon)

    def stored(
        self, viewer: Viewer, spec: QuerySpec, epsilon: object, period: Period | None = None
    ) -> Release | None:
        """The board's answer to this question if anyone already paid for it, else None; never spends."""
        viewer = self._checked(viewer)
        with self._lock:
            family = self._family()
            question = Question(
                spec, period or self._window(family, spec), self._capped(epsilon), family.unit
            )
            found = self._guarded(lambda: ledger.latest(self._conn, question.key))
            return shown(found, replayed=True) if found else None

    def preview(self, spec: QuerySpec, epsilon: object, period: Period | None = None) -> Preview:
        """Cost per day and expected 95% half-width at `epsilon`, without touching data or budget."""
        with self._lock:
            return engine.preview(spec, self._capped(epsilon), self.settings.unit, self._grid(spec, period))

    def plan_preview(self, product: Product, epsilon: object) -> Preview:
        """What a product would cost and how wide its interval would be at `epsilon`, for the plan page."""
        with self._lock:
            period = latest_ended(self.today(), PRODUCTS[Product(product)].cadence)
            return self.preview(PRODUCTS[Product(product)].spec, epsilon, period)

    def epsilon_for_margin(self, spec: QuerySpec, margin: float, period: Period | None = None) -> Epsilon:
        """The epsilon that buys a 95% half-width of `margin`; refused above the safe maximum."""
        with self._lock:
            grid = self._grid(spec, period)
            return self._capped(engine.epsilon_for_margin(spec, margin, self.settings.unit, grid))

    def budget(self, viewer: Viewer, first: date | None = None, last: date | None = None) -> BudgetView:
        """The lifetime budget per day over [first, last] (default: the last 90 days), with the share."""
        viewer = self._checked(viewer)
        end = last or self.today() - timedelta(days=1)
        start = first or end - timedelta(days=BUDGET_DAYS - 1)
        if start > end or (end - start).days > 3660:
            raise Refused("The budget calendar shows up to ten years, oldest day first.")
        plan = self.plan()
        limits = ledger.Limits.of(plan)
        pairs = day_blocks(start, end, self.settings.unit)
        states = self._guarded(lambda: ledger.states(self._conn, [b for _, b in pairs], viewer.member_id))
        days = tuple(
            BudgetDay(
                day=day,
                block=block,
                spent_micro=s.spent_micro,
                remaining_micro=max(0, limits.lifetime_micro - s.spent_micro),
                reserve_left_micro=max(
                    0,
                    min(limits.reserve_micro - s.reserve_spent_micro, limits.lifetime_micro - s.spent_micro),
                ),
                share_left_micro=max(
                    0,
                    min(
                        limits.quota_micro - s.viewer_micro,
                        limits.reserve_micro - s.reserve_spent_micro,
                        limits.lifetime_micro - s.spent_micro,
                    ),
                ),
            )
            for (day, block), s in zip(pairs, states, strict=True)
        )
        return BudgetView(limits.lifetime_micro, limits.reserve_micro, limits.quota_micro, days)

    def board(self, limit: int = 500) -> list[Stored]:
        """The family's noticeboard: every release, newest first; its values are shared figures only."""
        return self._guarded(lambda: ledger.board(self._conn, limit))

    def own_coverage(self, viewer: Viewer) -> date | None:
        """The day through which the viewer's own imports are complete (None before any import).

        Later days are not known yet, so they must not count as zeros in the viewer's own average.
        """
        viewer = self._checked(viewer)
        with self._lock:
            return self._guarded(lambda: store.coverage(self._conn)).get(viewer.member_id)

    def own_daily(self, viewer: Viewer, member_id: int, first: date, last: date) -> pl.DataFrame:
        """A member's own exact daily totals: theirs to see, and no one else's."""
        self._own(viewer, member_id)
        frame = self._guarded(lambda: store.daily_frame(self._conn, first, last))
        return frame.filter(pl.col("member_id") == member_id).select("day", "steps").sort("day")

    def own_hourly(self, viewer: Viewer, member_id: int, first: date, last: date) -> pl.DataFrame:
        """A member's own exact hourly totals (identity-checked like `own_daily`)."""
        self._own(viewer, member_id)
        frame = self._guarded(lambda: store.hourly_frame(self._conn, first, last))
        return (
            frame.filter(pl.col("member_id") == member_id).select("day", "hour", "steps").sort("day", "hour")
        )

    def import_file(
        self,
        viewer: Viewer,
        member_name: str,
        path: Path,
        display_name: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportSummary:
        """Import a file for oneself (or, as admin, for anyone): all or nothing (see `privacy.imports`)."""
        viewer = self._checked(viewer)
        zone = self.settings.zone
        today = local_today(zone, self._clock())
        return imports.import_file(
            self._conn,
            viewer.name,
            viewer.is_admin,
            member_name,
            path,
            display_name,
            today,
            progress,
            zone=zone,
            guard=self._guarded,
        )

    def _figure(self, family: Family, viewer: Viewer, product: Product, period: Period) -> Release:
        if asked := self._released(family, product, period):
            return shown(self._guarded(lambda: ledger.latest(self._conn, asked.key)), replayed=True)
        epsilon = family.plan.epsilon(product)
        if epsilon is None:
            raise NotYetReleased(f"The family plan has switched {PRODUCTS[product].title} off.")
        if reason := family.waiting(period):
            raise NotYetReleased(f"Not released yet: {reason}.")
        question = Question(PRODUCTS[product].spec, period, epsilon, family.unit)
        now = self._clock()
        return self._guarded(
            lambda: answer(self._conn, family, question, Kind.PLAN, viewer.member_id, now, product.value)
        )

    def _series(
        self, family: Family, viewer: Viewer, product: Product, periods: tuple[Period, ...]
    ) -> tuple[Release, ...]:
        """Released periods replay; eligible ones not yet released are made together, in one transaction."""
        epsilon = family.plan.epsilon(product)
        if epsilon is None or any(family.waiting(p) for p in periods):
            return tuple(self._figure(family, viewer, product, p) for p in periods)
        now = self._clock()
        questions = [
            self._released(family, product, p) or Question(PRODUCTS[product].spec, p, epsilon, family.unit)
            for p in periods
        ]
        return self._guarded(
            lambda: answer_all(self._conn, family, questions, viewer.member_id, now, product.value)
        )

    def _released(self, family: Family, product: Product, period: Period) -> Question | None:
        """The question a product's period was released under, at the epsilon the plan had then."""
        first, last = period.first.isoformat(), period.last.isoformat()
        key = self._guarded(
            lambda: ledger.product_question(self._conn, product.value, family.unit.value, first, last)
        )
        return None if key is None else Question.from_key(key)

    def _reserve_release(
        self,
        viewer: Viewer,
        spec: QuerySpec,
        epsilon: object,
        period: Period | None,
        kind: Kind,
        shown_figure: Release | None = None,
    ) -> Release:
        viewer = self._checked(viewer)
        with self._lock, self._audited(viewer, spec):
            family = self._family()
            requested = self._capped(epsilon)
            wanted = period or self._window(family, spec)
            if shown_figure is None:  # a sharpening or refresh keeps to members whose imports cover it
                self._askable(family, wanted)
            if shown_figure is None:
                question = Question(spec, wanted, requested, family.unit)
            elif shown_figure.question:
                question = Question.from_key(shown_figure.question)
            else:
                question = Question(spec, wanted, shown_figure.epsilon, family.unit)
            now = self._clock()
            return self._guarded(
                lambda: answer(self._conn, family, question, kind, viewer.member_id, now, spend=requested)
            )

    def _family(self) -> Family:
        """The snapshot one request works from: roster, coverage, today and plan, read once."""
        return self._guarded(
            lambda: Family(
                roster=store.members(self._conn),
                coverage=store.coverage(self._conn),
                today=self._today(),
                plan=self.plan(),
                unit=self.settings.unit,
                settle_days=self.settings.settle_days,
            )
        )

    def _newest(self, family: Family, product: Product) -> Period:
        """The newest period of a product that is released, or can be; else the newest ended one."""
        cadence = PRODUCTS[Product(product)].cadence
        period = latest_ended(family.today, cadence)
        return previous(period, cadence) if family.waiting(period) else period

    def _window(self, family: Family, spec: QuerySpec) -> Period:
        """A relative window's days: the last `window_days` days the whole family has covered."""
        covered = family.covered_date()
        if covered is None or spec.window_days is None:
            raise Refused("Ask about dates the family's imports cover; nothing was spent.")
        return Period(covered - timedelta(days=spec.window_days - 1), covered)

    def _askable(self, family: Family, period: Period) -> None:
        covered = family.covered_date()
        if covered is None or period.last > covered:
            raise Refused(f"Ask about whole days up to {covered or 'the first import'}; nothing was spent.")

    def _grid(self, spec: QuerySpec, period: Period | None) -> engine.Grid:
        family = self._family()
        days = period or self._preview_window(family, spec)
        return engine.Grid(tuple(m.id for m in family.roster), days.first, days.last)

    def _preview_window(self, family: Family, spec: QuerySpec) -> Period:
        """The window a preview prices: as asked would cover, or ending yesterday before any import."""
        last = family.covered_date() or family.today - timedelta(days=1)
        return Period(last - timedelta(days=(spec.window_days or 7) - 1), last)

    def _today(self) -> date:
        fixed = store.get_meta(self._conn, "today")
        return date.fromisoformat(fixed) if fixed else local_today(self.settings.zone, self._clock())

    def _capped(self, epsilon: object) -> Epsilon:
        """Check epsilon on the server: the slider's limits hold only in the browser."""
        requested = epsilon if isinstance(epsilon, Epsilon) else Epsilon.request(epsilon)
        cap, floor = self.settings.max_epsilon_per_view, Epsilon.request(MIN_EPSILON_PER_VIEW)
        if requested > cap:
            raise OverCap(f"Epsilon {requested} is above this family's safe maximum of {cap} per view.")
        if requested < floor:
            raise OverCap(f"Epsilon {requested} is below the useful minimum of {floor} per view.")
        return requested

    def _checked(self, viewer: Viewer) -> Viewer:
        """Re-check the session server side: a forged or revoked viewer gets nothing."""
        current = self.resume(viewer.session_token)
        if current is None or current.member_id != viewer.member_id:
            self._guarded(
                lambda: ledger.log(
                    self._conn, 0, "session", 0, Outcome.REFUSED, "not signed in", self._clock()
                )
            )
            raise NotAllowed("Please sign in again.")
        return current

    def _own(self, viewer: Viewer, member_id: int) -> None:
        if self._checked(viewer).member_id != member_id:
            raise NotAllowed("Only a member can see their own exact data.")

    @contextmanager
    def _audited(self, viewer: Viewer, spec: QuerySpec) -> Iterator[None]:
        """Every refusal is audited (its kind, never a value); one the ledger itself decided already is."""
        try:
            yield
        except BudgetExhausted:
            raise
        except (Refused, InvalidEpsilon, InvalidQuery) as refusal:
            if not isinstance(refusal, LedgerUnavailable):
                reason = type(refusal).__name__
                self._guarded(
                    lambda: ledger.log(
                        self._conn, viewer.member_id, spec.key, 0, Outcome.REFUSED, reason, self._clock()
                    )
                )
            raise

    def _guarded(self, call: Callable[[], T]) -> T:
        """One thread at a time on the connection; any storage failure fails closed, resetting nothing."""
        try:
            with self._lock:
                return call()
        except sqlite3.Error:
            raise LedgerUnavailable("The privacy ledger is unavailable; nothing was released.") from None


def _period_of(release: Release) -> Period:
    return Period(date.fromisoformat(release.first), date.fromisoformat(release.last))
