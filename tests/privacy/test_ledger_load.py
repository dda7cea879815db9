"""The ledger under load: a rerun storm pays once, and the thousandth release is as fast as the first."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from data import store
from privacy.budget import ledger
from privacy.budget.ledger import Claim, Kind
from privacy.epsilon import Epsilon
from privacy.release import BudgetExhausted

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PLENTY = ledger.Limits(lifetime_micro=10**12, reserve_micro=10**12, quota_micro=10**12)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite"
    with closing(store.connect(path)) as conn:
        ledger.ensure_schema(conn)
        store.add_member(conn, "Ada")
    return path


def claim(question: str, day: date, micro: int = 250_000) -> Claim:
    return Claim(
        question=question,
        seq=0,
        generation=0,
        kind=Kind.ASKED,
        product=None,
        query_key="family_average/dates/week/8000",
        first_day=day.isoformat(),
        last_day=day.isoformat(),
        unit="member-day",
        charge=Epsilon(micro),
        blocks=(day.isoformat(),),
        viewer_id=1,
    )


def request(conn, made: Claim, limits: ledger.Limits) -> str:
    """What the noticeboard does: replay if stored, else pre-check and commit."""
    if ledger.latest(conn, made.question):
        return "replayed"
    try:
        ledger.precheck(conn, made, limits, NOW)
        _, raced = ledger.commit(conn, made, f'"{made.question}"', limits, NOW)
    except BudgetExhausted:
        return "refused"
    return "replayed" if raced else "released"


def test_a_rerun_storm_of_fifty_identical_requests_pays_once(path: Path) -> None:
    barrier = threading.Barrier(50)
    same = claim("same question", date(2026, 3, 1))

    def rerun(conn) -> str:
        barrier.wait(timeout=60)
        return request(conn, same, PLENTY)

    with ExitStack() as stack, ThreadPoolExecutor(50) as pool:
        conns = [stack.enter_context(closing(store.connect(path))) for _ in range(50)]
        outcomes = Counter(pool.map(rerun, conns))
    assert outcomes == {"released": 1, "replayed": 49}
    with closing(store.connect(path)) as conn:
        ledger.verify(conn)
        assert ledger.states(conn, ["2026-03-01"], 1)[0].spent_micro == 250_000
        assert conn.execute("SELECT count(*) FROM board_releases").fetchone() == (1,)


def test_the_thousandth_release_is_as_fast_as_the_first(path: Path) -> None:
    seconds = []
    with closing(store.connect(path)) as conn:
        for n in range(1_000):
            made = claim(f"question {n}", date(2024, 1, 1) + timedelta(days=n % 400), micro=1_000)
            start = time.perf_counter()
            assert request(conn, made, PLENTY) == "released"
            seconds.append(time.perf_counter() - start)
        ledger.verify(conn)
        assert len(ledger.board(conn, limit=5_000)) == 1_000
    first, last = statistics.median(seconds[:100]), statistics.median(seconds[-100:])
    assert last < 3 * first + 0.002, f"median of the first 100: {first:.5f} s, of the last 100: {last:.5f} s"
