"""The one door from the dashboard to the data: sign-in, previews, releases, budget and own data."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import polars as pl

from data import store
from privacy import accounts, engine, imports, ledger
from privacy.epsilon import Epsilon
from privacy.identity import Viewer
from privacy.imports import ImportRefused, ImportSummary
from privacy.ledger import Budget, LedgerEntry, Limits
from privacy.queries import UNIT_WORDS, QuerySpec
from privacy.release import (
    BudgetExhausted,
    LedgerUnavailable,
    NotAllowed,
    OverCap,
    Preview,
    Release,
)
from privacy.releases_json import release_from_json, release_to_json
from privacy.settings import PrivacySettings

T = TypeVar("T")

__all__ = ["Budget", "Hearth", "ImportRefused", "ImportSummary", "LedgerEntry", "MemberLabel"]


@dataclass(frozen=True)
class MemberLabel:
    """A roster entry: the id is the key, the name only a display label."""

    id: int
    name: str


def frozen_clock_from_env() -> Callable[[], datetime] | None:
    """`HEARTH_FROZEN_NOW` (ISO datetime) pins the clock, so screenshot runs render identically."""
    raw = os.environ.get("HEARTH_FROZEN_NOW")
    if not raw:
        return None
    pinned = datetime.fromisoformat(raw)
    pinned = pinned if pinned.tzinfo else pinned.replace(tzinfo=UTC)
    return lambda: pinned


class Hearth:
    """The process-wide privacy service: every value another member sees comes through here."""

    def __init__(
        self, conn: sqlite3.Connection, settings: PrivacySettings, clock: Callable[[], datetime]
    ) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.settings = settings
        self._clock = clock

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        settings: PrivacySettings | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> Hearth:
        """Open the store named by `path` or `HEARTH_DB`, with settings and clock from the environment."""
        conn = store.connect(path)
        ledger.ensure_schema(conn)
        accounts.ensure_schema(conn)
        return cls(
            conn,
            settings or PrivacySettings.from_env(),
            clock or frozen_clock_from_env() or (lambda: datetime.now(UTC)),
        )

    def close(self) -> None:
        """Release the store connection (tests and the CLI; the app keeps one for its lifetime)."""
        self._conn.close()

    # The roster and the calendar are public: family size and dates reveal nothing per member.
    def roster(self) -> tuple[MemberLabel, ...]:
        """The family roster in joining order."""
        return tuple(MemberLabel(m.id, m.name) for m in self._guarded(lambda: store.members(self._conn)))

    def today(self) -> date:
        """The demo data's fixed last day in demo mode, else today's date."""
        return self._guarded(lambda: store.today(self._conn, self._clock()))

    def kind(self) -> str:
        """`real`, `demo` or `synthetic`: only the last two may ever show true values."""
        return self._guarded(lambda: store.store_kind(self._conn))

    def sign_in(self, name: str, password: str, address: str) -> Viewer:
        """Password sign-in, throttled per name and per address; one generic failure message."""
        return self._guarded(lambda: accounts.sign_in(self._conn, name, password, address, self._clock()))

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

    def preview(self, spec: QuerySpec, epsilon: object) -> Preview:
        """Cost and expected 95% half-width at `epsilon`, without touching data or budget."""
        return engine.preview(spec, self._capped(epsilon), self.settings.unit, self._grid(spec))

    def epsilon_for_margin(self, spec: QuerySpec, margin: float) -> Epsilon:
        """The epsilon that buys a 95% half-width of `margin`; refused above the safe maximum."""
        return self._capped(engine.epsilon_for_margin(spec, margin, self.settings.unit, self._grid(spec)))

    def stored(self, viewer: Viewer, spec: QuerySpec, epsilon: object) -> Release | None:
        """The release already bought at this epsilon on this data version, at zero cost, else None."""
        viewer = self._checked(viewer)
        requested = self._capped(epsilon)
        found = self._guarded(lambda: ledger.find(self._conn, viewer.member_id, self._key(spec, requested)))
        return release_from_json(found, replayed=True) if found else None

    def release(self, viewer: Viewer, spec: QuerySpec, epsilon: object) -> Release:
        """Spend (or replay) one release; the debit and the stored release commit before it returns."""
        viewer = self._checked(viewer)
        try:
            requested = self._capped(epsilon)
        except OverCap as refusal:
            self._log(viewer, spec, 0, "refused", str(refusal))
            raise
        with self._lock:
            return self._release(viewer, spec, requested)

    def budget(self, viewer: Viewer) -> Budget:
        """Spent and remaining epsilon this period, the viewer's and the family-wide cap."""
        viewer = self._checked(viewer)
        return self._guarded(
            lambda: ledger.budget(self._conn, viewer.member_id, self._limits(), self._clock())
        )

    def history(self, viewer: Viewer) -> list[LedgerEntry]:
        """The viewer's own ledger of releases, newest first."""
        viewer = self._checked(viewer)
        return self._guarded(lambda: ledger.history(self._conn, viewer.member_id))

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
        zone, today = imports.family_today(self._clock())
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

    def _release(self, viewer: Viewer, spec: QuerySpec, requested: Epsilon) -> Release:
        key = self._key(spec, requested)
        found = self._guarded(lambda: ledger.find(self._conn, viewer.member_id, key))
        if found:
            replay = release_from_json(found, replayed=True)
            self._log(viewer, spec, 0, "replayed")
            return replay
        grid = self._grid(spec)
        plan = engine.plan(spec, requested, self.settings.unit, grid)
        now = self._clock()
        try:
            self._guarded(
                lambda: ledger.precheck(self._conn, viewer.member_id, plan.charge, self._limits(), now)
            )
        except BudgetExhausted as refusal:
            self._log(viewer, spec, plan.charge.micro, "refused", "budget (precheck)")
            raise refusal from None
        labels, values, lower, upper = engine.execute(plan, *self._frames(grid), self._names())
        fresh = Release(
            spec=spec,
            labels=labels,
            values=values,
            lower=lower,
            upper=upper,
            unit=engine.value_unit(spec),
            epsilon=plan.charge,
            mechanism=plan.mechanism,
            scale=plan.scale,
            privacy_unit=UNIT_WORDS[self.settings.unit],
            replayed=False,
            data_version=store.data_version(self._conn),
            released_at=now.isoformat(timespec="seconds"),
        )
        stored_json, raced = self._guarded(
            lambda: ledger.commit(
                self._conn,
                viewer.member_id,
                key,
                spec.key,
                plan.charge,
                fresh.data_version,
                release_to_json(fresh),
                self._limits(),
                now,
            )
        )
        return release_from_json(stored_json, replayed=raced)

    def _frames(self, grid: engine.Grid) -> tuple[pl.DataFrame, pl.DataFrame]:
        return (
            store.daily_frame(self._conn, grid.first, grid.last),
            store.hourly_frame(self._conn, grid.first, grid.last),
        )

    def _grid(self, spec: QuerySpec) -> engine.Grid:
        return engine.grid_for(spec, tuple(m.id for m in self.roster()), self.today())

    def _names(self) -> dict[int, str]:
        return {m.id: m.name for m in self.roster()}

    def _key(self, spec: QuerySpec, requested: Epsilon) -> str:
        """Replay key: same viewer, spec, epsilon, unit, window end and data version = same answer."""
        version = self._guarded(lambda: store.data_version(self._conn))
        return (
            f"{spec.key}|eps={requested.micro}|unit={self.settings.unit.value}|end={self.today()}|v={version}"
        )

    def _capped(self, epsilon: object) -> Epsilon:
        """Check epsilon on the server: the slider's limits hold only in the browser."""
        requested = epsilon if isinstance(epsilon, Epsilon) else Epsilon.request(epsilon)
        cap = Epsilon.request(self.settings.max_epsilon_per_view)
        if requested > cap:
            raise OverCap(f"Epsilon {requested} is above this family's safe maximum of {cap} per view.")
        return requested

    def _limits(self) -> Limits:
        return Limits.from_settings(self.settings)

    def _checked(self, viewer: Viewer) -> Viewer:
        """Re-check the session server side: a forged or revoked viewer gets nothing."""
        current = self.resume(viewer.session_token)
        if current is None or current.member_id != viewer.member_id:
            raise NotAllowed("Please sign in again.")
        return current

    def _own(self, viewer: Viewer, member_id: int) -> None:
        if self._checked(viewer).member_id != member_id:
            raise NotAllowed("Only a member can see their own exact data.")

    def _log(self, viewer: Viewer, spec: QuerySpec, micro: int, outcome: str, reason: str = "") -> None:
        self._guarded(
            lambda: ledger.log(self._conn, viewer.member_id, spec.key, micro, outcome, reason, self._clock())
        )

    def _guarded(self, call: Callable[[], T]) -> T:
        """One thread at a time on the connection; any storage failure fails closed, resetting nothing."""
        try:
            with self._lock:
                return call()
        except sqlite3.Error:
            raise LedgerUnavailable("The privacy ledger is unavailable; nothing was released.") from None
