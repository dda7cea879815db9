"""Lifetime budgets hold over any sequence of actions: property-based, with `hypothesis`.

A state machine drives one small real family through random sequences of shared figures, ad hoc
questions (relative windows and named dates), sharpening, refreshes, imports (new days, and late
corrections of released days), an admin's plan changes (and a member's forged attempt), clock moves
(forward, back, a year ahead) and migrations of an old period ledger. After every step it checks:

- no block is over its lifetime budget, except blocks a migration seeded past it, which take no
  further charge; no block's total ever goes down (nothing renews, a year ahead included);
- `ledger.verify` passes, and every block's total equals an independent sum: each release's charge
  recomputed from its own plan (`engine.plan(spec, epsilon, unit, grid).charge`) on each block of its
  window, plus what the migration seeded;
- a refusal, a replay, an import or a clock move spends nothing and stores nothing;
- the test's own sums of reserve charges per block, and per viewer and block, equal the ledger's, and a
  charge from the reserve leaves both within the plan's reserve and quota at the time it was made.

A second property drives two families with the same roster and coverage but different steps through
the same actions: outcomes, charges, shares and the board (noisy numbers aside) must be identical.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from family_support import COVERED, NAMES, build_family, import_days
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from data import store
from privacy import engine
from privacy.budget import ledger
from privacy.budget.blocks import blocks_between
from privacy.budget.plan import PRODUCTS, PlanDoesNotFit, Product
from privacy.engine.periods import Period, latest_ended, previous
from privacy.epsilon import Epsilon
from privacy.identity import Viewer
from privacy.queries import InvalidQuery, PrivacyUnit, QueryId, QuerySpec
from privacy.release import BudgetExhausted, LedgerUnavailable, NotAllowed, Refused, Release
from privacy.releases_json import release_from_json
from privacy.service import Hearth
from privacy.settings import Settings

START = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
LEGACY_SCHEMA = """CREATE TABLE ledger_releases (
    id INTEGER PRIMARY KEY, viewer_id INTEGER NOT NULL, replay_key TEXT NOT NULL, query_key TEXT NOT NULL,
    epsilon_micro INTEGER NOT NULL, data_version INTEGER NOT NULL, period_index INTEGER NOT NULL,
    release_json TEXT NOT NULL, created_at TEXT NOT NULL) STRICT"""
"""The old period ledger's release table, as the code before the lifetime budget made it."""

epsilons = st.integers(min_value=10_000, max_value=600_000).map(lambda m: m / 1e6)
"""Requests from the floor (0.01) up to more than any viewer's quota."""


@dataclass(frozen=True)
class Snapshot:
    """Everything the ledger holds, read on its own connection."""

    blocks: dict[str, tuple[int, int]]
    shares: dict[tuple[int, str], int]
    rows: tuple[tuple, ...]
    charges: dict[tuple[int, str], int]


def snapshot(path: Path) -> Snapshot:
    with closing(sqlite3.connect(path)) as conn:
        blocks = {
            b: (s, r)
            for b, s, r in conn.execute("SELECT block, spent_micro, reserve_micro FROM budget_blocks")
        }
        shares = {
            (v, b): s for v, b, s in conn.execute("SELECT viewer_id, block, spent_micro FROM budget_shares")
        }
        rows = tuple(
            conn.execute(
                "SELECT id, question, kind, query_key, first_day, last_day, unit, charge_micro, requested_by,"
                " release_json FROM board_releases ORDER BY id"
            )
        )
        charges = {
            (r, b): c
            for r, b, c in conn.execute("SELECT release_id, block, charge_micro FROM budget_charges")
        }
    return Snapshot(blocks, shares, rows, charges)


class LifetimeBudget(RuleBasedStateMachine):
    """One family's store under random actions; `expected` is the test's own account of every block."""

    template: Path
    """The fresh family every run starts from (set by the test)."""
    runs = 0

    def __init__(self) -> None:
        super().__init__()
        self.hearth: Hearth | None = None

    @initialize(
        unit=st.sampled_from(list(PrivacyUnit)),
        lifetime=st.sampled_from([1.0, 3.0, 5.0]),
    )
    def open_family(self, unit: PrivacyUnit, lifetime: float) -> None:
        LifetimeBudget.runs += 1
        self.path = self.template.parent / f"run-{self.runs}.sqlite"
        self.path.write_bytes(self.template.read_bytes())
        self.settings = Settings(db=self.path, unit=unit, lifetime_epsilon=Epsilon.request(lifetime))
        self.now = START
        self.covered = dict(COVERED)
        self.expected: dict[str, int] = {}
        self.reserve: dict[str, int] = {}
        self.shares: dict[tuple[int, str], int] = {}
        """The test's own account of each block's reserve spent, and each viewer's share of it."""
        self.closed: dict[str, int] = {}
        """Blocks a migration seeded past the lifetime budget, with what they were seeded."""
        self.shown: list[Release] = []
        self.salt = 0
        self.migrated = False
        self.exhausted = None
        """The last question refused for want of budget, to ask again later."""
        self._open()
        self.before = snapshot(self.path)

    def _open(self) -> None:
        self.hearth = Hearth.open(self.settings, clock=lambda: self.now)

    def _viewer(self, name: str) -> Viewer:
        """A fresh session: sessions expire, and the clock moves."""
        return self.hearth.operator_session(name)

    def teardown(self) -> None:
        if self.hearth is not None:
            self.hearth.close()

    # --- What members do -------------------------------------------------------------------------

    @rule(who=st.sampled_from(NAMES), product=st.sampled_from(list(Product)), back=st.integers(0, 3))
    def visit_a_figure(self, who: str, product: Product, back: int) -> None:
        if back == 0:
            self._act(lambda: self.hearth.figure(self._viewer(who), product), who, None, repeatable=False)
            return
        cadence = PRODUCTS[product].cadence
        period = latest_ended(self.hearth.today(), cadence)
        for _ in range(back - 1):
            period = previous(period, cadence)
        self._act(lambda: self.hearth.figure(self._viewer(who), product, period), who, None)

    @rule(
        who=st.sampled_from(NAMES),
        query=st.sampled_from(list(QueryId)),
        window=st.sampled_from([7, 30, 90]),
        epsilon=epsilons,
    )
    def ask_about_recent_days(self, who: str, query: QueryId, window: int, epsilon: float) -> None:
        spec = QuerySpec(query, window)
        # Not repeatable: the window ends on the covered date, which a clock move can change.
        self._act(lambda: self.hearth.ask(self._viewer(who), spec, epsilon), who, epsilon, repeatable=False)

    @rule(
        who=st.sampled_from(NAMES),
        query=st.sampled_from(list(QueryId)),
        first=st.integers(0, 160),
        days=st.integers(1, 60),
        epsilon=epsilons,
    )
    def ask_about_named_dates(self, who: str, query: QueryId, first: int, days: int, epsilon: float) -> None:
        start = date(2025, 10, 1) + timedelta(days=first)
        period = Period(start, start + timedelta(days=days - 1))
        spec = QuerySpec(query, None)
        self._act(lambda: self.hearth.ask(self._viewer(who), spec, epsilon, period), who, epsilon)

    @precondition(lambda self: self.shown)
    @rule(who=st.sampled_from(NAMES), pick=st.integers(0, 10**6), epsilon=epsilons, refresh=st.booleans())
    def sharpen_or_refresh(self, who: str, pick: int, epsilon: float, refresh: bool) -> None:
        figure = self.shown[pick % len(self.shown)]
        how = "refresh" if refresh else "sharpen"
        self._act(lambda: getattr(self.hearth, how)(self._viewer(who), figure, epsilon), who, epsilon)

    @rule(who=st.sampled_from(NAMES), days=st.integers(1, 40))
    def import_new_days(self, who: str, days: int) -> None:
        first = self.covered[who] + timedelta(days=1)
        last = first + timedelta(days=days - 1)
        with closing(store.connect(self.path)) as conn:
            import_days(conn, who, first, last)
        self.covered[who] = last
        self._spent_nothing("an import")

    @rule(who=st.sampled_from(NAMES), first=st.integers(0, 140), days=st.integers(1, 30))
    def correct_released_days_late(self, who: str, first: int, days: int) -> None:
        """A late import rewrites days that may already be released: nothing is recomputed or charged."""
        start = date(2025, 10, 1) + timedelta(days=first)
        last = min(start + timedelta(days=days - 1), self.covered[who])
        self.salt += 1
        if last >= start:
            with closing(store.connect(self.path)) as conn:
                import_days(conn, who, start, last, salt=self.salt, covered=self.covered[who])
        self._spent_nothing("a late import")

    @rule(
        who=st.sampled_from(NAMES),
        chosen=st.fixed_dictionaries(
            {p: st.one_of(st.none(), st.integers(50_000, 1_000_000).map(Epsilon)) for p in Product}
        ),
    )
    def change_the_plan(self, who: str, chosen: dict[Product, Epsilon | None]) -> None:
        try:
            self.hearth.set_plan(self._viewer(who), chosen)
        except NotAllowed:
            assert who != "Ada"
        except PlanDoesNotFit:
            assert sum(e.micro for e in chosen.values() if e) > self.settings.lifetime_epsilon.micro
        else:
            assert who == "Ada"
            self.exhausted = None  # a new plan may leave a bigger reserve: a refusal need not repeat
        self._spent_nothing("a plan change")

    @rule(days=st.sampled_from([-30, -7, -1, 1, 3, 7, 30, 365]))
    def move_the_clock(self, days: int) -> None:
        self.now += timedelta(days=days)
        self._spent_nothing("a clock move")

    @precondition(lambda self: self.exhausted is not None)
    @rule()
    def a_year_later_the_same_question_is_still_refused(self) -> None:
        """Nothing renews: moving the clock a year ahead gives an exhausted question no new budget."""
        call, _, _ = self.exhausted
        self.now += timedelta(days=365)
        with pytest.raises(BudgetExhausted):
            call()
        self._spent_nothing("a refusal a year later")

    @precondition(lambda self: not self.migrated)
    @rule(
        old=st.lists(
            st.tuples(
                st.sampled_from(NAMES),
                st.sampled_from([7, 30, 90]),
                st.integers(0, 150),
                st.integers(100_000, 2_000_000),
            ),
            min_size=1,
            max_size=6,
        )
    )
    def migrate_an_old_period_ledger(self, old: list[tuple[str, int, int, int]]) -> None:
        """An old ledger turns up (a restored backup's tables) and the next start-up migrates it."""
        self.hearth.close()
        self.hearth = None
        unit = self.settings.unit.value
        ids = {n: i for i, n in enumerate(NAMES, start=1)}
        with closing(sqlite3.connect(self.path, isolation_level=None)) as conn:
            conn.execute(LEGACY_SCHEMA)
            for n, (who, window, end, micro) in enumerate(old):
                last = date(2025, 10, 1) + timedelta(days=end)
                conn.execute(
                    "INSERT INTO ledger_releases VALUES (NULL, ?, ?, ?, ?, 1, 0, '{}', ?)",
                    (
                        ids[who],
                        f"q{n}/{window}|eps={micro}|unit={unit}|end={last}|v=1",
                        f"family_average/{window}/week/8000",
                        micro,
                        self.now.isoformat(),
                    ),
                )
                for block in blocks_between(last - timedelta(days=window - 1), last, self.settings.unit):
                    self.expected[block] = self.expected.get(block, 0) + micro
        self.migrated = True
        self._open()
        lifetime = self.settings.lifetime_epsilon.micro
        after = snapshot(self.path)
        for block, (spent, _) in after.blocks.items():
            if spent > lifetime:
                self.closed[block] = spent
        self.before = after

    # --- The checks ------------------------------------------------------------------------------

    def _act(self, call, who: str, epsilon: float | None, repeatable: bool = True) -> None:
        try:
            release = call()
        except LedgerUnavailable:
            raise
        except BudgetExhausted:
            self._spent_nothing("a refusal")
            self.exhausted = (call, who, epsilon) if repeatable else self.exhausted
            return
        except (Refused, InvalidQuery):
            self._spent_nothing("a refusal")
            return
        after = snapshot(self.path)
        new = [r for r in after.rows if r[0] > (self.before.rows[-1][0] if self.before.rows else 0)]
        if release.replayed:
            assert not new, "a replay stored a release"
            self._spent_nothing("a replay", after)
        else:
            assert len(new) == 1, new
            self._account(new[0], epsilon, after)
        self.shown.append(release)
        self.before = after

    def _account(self, row: tuple, epsilon: float | None, after: Snapshot) -> None:
        """Recompute the new release's charge from its own plan and add it to the test's own ledger."""
        rid, question, kind, _, first, last, unit, charge, viewer, release_json = row
        made = release_from_json(release_json, replayed=False)
        roster = {m.name: m.id for m in self.hearth.roster()}
        grid = engine.Grid(
            tuple(roster[n] for n in made.included), date.fromisoformat(first), date.fromisoformat(last)
        )
        asked = Epsilon(int(question.rsplit("|", 1)[1])) if epsilon is None else Epsilon.request(epsilon)
        planned = engine.plan(made.spec, asked, PrivacyUnit(unit), grid)
        assert charge == planned.charge.micro == Epsilon.charge(planned.measurement.map(planned.d_in)).micro
        blocks = blocks_between(grid.first, grid.last, PrivacyUnit(unit))
        assert {b: c for (r, b), c in after.charges.items() if r == rid} == dict.fromkeys(blocks, charge)
        for block in blocks:
            self.expected[block] = self.expected.get(block, 0) + charge
            assert block not in self.closed, f"{block} was closed by the migration but took a charge"
        if ledger.Kind(kind).from_reserve:
            limits = ledger.Limits.of(self.hearth.plan())
            for block in blocks:
                self.reserve[block] = self.reserve.get(block, 0) + charge
                self.shares[(viewer, block)] = self.shares.get((viewer, block), 0) + charge
                assert self.reserve[block] <= limits.reserve_micro
                assert self.shares[(viewer, block)] <= limits.quota_micro

    def _spent_nothing(self, what: str, after: Snapshot | None = None) -> None:
        after = after or snapshot(self.path)
        assert after == self.before, f"{what} changed the ledger"

    @invariant()
    def no_block_over_its_lifetime_and_none_goes_down(self) -> None:
        if self.hearth is None:
            return
        now = snapshot(self.path)
        lifetime = self.settings.lifetime_epsilon.micro
        for block, (spent, reserve) in now.blocks.items():
            assert spent <= lifetime or self.closed.get(block) == spent, (block, spent)
            assert 0 <= reserve <= spent
        for block, (spent, _) in self.before.blocks.items():
            assert now.blocks[block][0] >= spent

    @invariant()
    def block_totals_are_the_sum_of_recomputed_charges(self) -> None:
        if self.hearth is None:
            return
        with closing(store.connect(self.path)) as conn:
            ledger.verify(conn)
        now = snapshot(self.path)
        assert {b: s for b, (s, _) in now.blocks.items()} == {b: c for b, c in self.expected.items() if c}
        assert {b: r for b, (_, r) in now.blocks.items() if r} == self.reserve
        assert now.shares == self.shares


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A folder in memory when there is one: hundreds of stores are made, and their fsyncs cost nothing."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(dir=shm, prefix="hearth-properties-"))
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def family(scratch: Path) -> Path:
    LifetimeBudget.template = build_family(scratch / "family.sqlite")
    return LifetimeBudget.template


def test_no_sequence_of_actions_breaks_the_lifetime_budget(family: Path) -> None:
    run = settings(
        max_examples=60,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )(LifetimeBudget)
    run.TestCase().runTest()


# --- Charges depend on the calendar and on people's actions, never on the data ------------------------

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("figure"), st.sampled_from(NAMES), st.sampled_from(list(Product)), st.integers(0, 2)
        ),
        st.tuples(
            st.just("ask"),
            st.sampled_from(NAMES),
            st.sampled_from(list(QueryId)),
            st.sampled_from([7, 30]),
            epsilons,
        ),
        st.tuples(st.just("clock"), st.sampled_from([-7, 1, 7, 30, 365])),
        st.tuples(st.just("import"), st.sampled_from(NAMES), st.integers(1, 20)),
    ),
    min_size=1,
    max_size=12,
)


def _apply(hearth: Hearth, path: Path, action: tuple, clock: list[datetime]) -> str:
    """One action on one store; what became of it (a release's kind of outcome, or the refusal's type)."""
    kind, *rest = action
    if kind == "clock":
        clock[0] += timedelta(days=rest[0])
        return "moved"
    if kind == "import":
        who, days = rest
        with closing(store.connect(path)) as conn:
            covered = store.coverage(conn)[NAMES.index(who) + 1]
            import_days(
                conn, who, covered + timedelta(days=1), covered + timedelta(days=days), salt=hash(path.name)
            )
        return "imported"
    viewer = hearth.operator_session(rest[0])
    try:
        if kind == "figure":
            product, back = rest[1], rest[2]
            period = latest_ended(hearth.today(), PRODUCTS[product].cadence)
            for _ in range(back):
                period = previous(period, PRODUCTS[product].cadence)
            made = hearth.figure(viewer, product, period)
        else:
            made = hearth.ask(viewer, QuerySpec(rest[1], rest[2]), rest[3])
    except (Refused, InvalidQuery) as refusal:
        return type(refusal).__name__
    return "replayed" if made.replayed else "released"


def _public(path: Path) -> Snapshot:
    """The ledger with each release's noisy numbers blanked: what may depend on the data."""
    found = snapshot(path)
    rows = []
    for row in found.rows:
        shown = json.loads(row[-1])
        rows.append((*row[:-1], {k: v for k, v in shown.items() if k not in ("values", "lower", "upper")}))
    return Snapshot(found.blocks, found.shares, tuple(rows), found.charges)


@settings(
    max_examples=25,
    deadline=None,
    # `family` is a read-only template: each example copies it.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=actions)
def test_the_same_actions_on_different_data_charge_exactly_the_same(family: Path, steps: list[tuple]) -> None:
    """Two families with the same roster, imports and coverage but different steps, driven alike."""
    folder = Path(tempfile.mkdtemp(dir=family.parent))
    paths = [folder / name for name in ("one.sqlite", "other.sqlite")]
    for path in paths:
        path.write_bytes(family.read_bytes())
    with closing(store.connect(paths[1])) as conn:
        for name in NAMES:
            import_days(conn, name, date(2025, 10, 1), COVERED[name], salt=7)
    clocks = [[START], [START]]
    services = [
        Hearth.open(Settings(db=p), clock=lambda c=c: c[0]) for p, c in zip(paths, clocks, strict=True)
    ]
    try:
        for step in steps:
            outcomes = [_apply(h, p, step, c) for h, p, c in zip(services, paths, clocks, strict=True)]
            assert outcomes[0] == outcomes[1], (step, outcomes)
    finally:
        for hearth in services:
            hearth.close()
    assert _public(paths[0]) == _public(paths[1])
    shutil.rmtree(folder)
