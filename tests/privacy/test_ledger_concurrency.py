"""Racing tabs, threads and processes on one store: the ledger grants exactly what the budget holds."""

import multiprocessing
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing

import pytest
from ledger_worker import NOW, add_viewers, commit_outcome, open_store, race, release

from privacy import ledger

CHARGE = 250_000
THREE = ledger.Limits(total_micro=3 * CHARGE, member_cap_micro=None, period_days=30)
"""Room for exactly three charges."""


@pytest.fixture
def store_path(tmp_path):
    """A store with one viewer (member id 1)."""
    path = tmp_path / "hearth.sqlite"
    with closing(open_store(path)) as conn:
        add_viewers(conn, 1)
    return path


def in_threads(count, path, work):
    """Run `work(n, conn)` in `count` threads, each on its own connection, released together by a barrier."""
    barrier = threading.Barrier(count)

    def run(n, conn):
        barrier.wait(timeout=60)
        return work(n, conn)

    with ExitStack() as stack, ThreadPoolExecutor(count) as pool:
        conns = [stack.enter_context(closing(open_store(path))) for _ in range(count)]
        return list(pool.map(run, range(count), conns))


def in_processes(count, path, keys, limits):
    """Commit `keys[i]` in process i, all released together by a multiprocessing barrier."""
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(count), context.Queue()
    racers = [
        context.Process(target=race, args=(str(path), 1, key, CHARGE, limits, barrier, out)) for key in keys
    ]
    for racer in racers:
        racer.start()
    outcomes = [out.get(timeout=120) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
    out.close()
    out.join_thread()
    assert [r.exitcode for r in racers] == [0] * count
    return Counter(outcomes)


def spent_and_rows(path):
    with closing(open_store(path)) as conn:
        ledger.verify(conn)
        spent = ledger.budget(conn, 1, THREE, NOW).spent_micro
        rows = conn.execute("SELECT count(*), total(epsilon_micro) FROM ledger_releases").fetchone()
    return spent, rows[0], int(rows[1])


def test_sixteen_threads_at_a_barrier_get_exactly_three_releases(store_path):
    outcomes = in_threads(16, store_path, lambda n, conn: commit_outcome(conn, 1, f"key-{n}", CHARGE, THREE))
    assert Counter(outcomes) == {"released": 3, "refused": 13}
    assert spent_and_rows(store_path) == (3 * CHARGE, 3, 3 * CHARGE)


def test_sixteen_processes_at_a_barrier_get_exactly_three_releases(store_path):
    outcomes = in_processes(16, store_path, [f"key-{n}" for n in range(16)], THREE)
    assert outcomes == {"released": 3, "refused": 13}
    assert spent_and_rows(store_path) == (3 * CHARGE, 3, 3 * CHARGE)


def test_eight_processes_racing_one_replay_key_debit_once(store_path):
    outcomes = in_processes(8, store_path, ["same"] * 8, THREE)
    assert outcomes == {"released": 1, "replayed": 7}
    assert spent_and_rows(store_path) == (CHARGE, 1, CHARGE)


def test_rerun_storm_of_fifty_identical_requests_debits_at_most_once(store_path):
    outcomes = in_threads(50, store_path, lambda _, conn: release(conn, 1, "same", CHARGE, THREE))
    assert Counter(outcomes) == {"released": 1, "replayed": 49}
    assert spent_and_rows(store_path) == (CHARGE, 1, CHARGE)


def test_thousandth_release_is_as_fast_as_the_first(store_path):
    plenty = ledger.Limits(total_micro=10**12, member_cap_micro=10**12, period_days=30)
    seconds = []
    with closing(open_store(store_path)) as conn:
        for n in range(1_000):
            start = time.perf_counter()
            assert release(conn, 1, f"key-{n}", CHARGE, plenty) == "released"
            seconds.append(time.perf_counter() - start)
        assert len(ledger.history(conn, 1, limit=5_000)) == 1_000
    first, last = statistics.median(seconds[:100]), statistics.median(seconds[-100:])
    assert last < 3 * first + 0.002, f"median of the first 100: {first:.5f} s, of the last 100: {last:.5f} s"
