"""Helpers for the ledger tests, and a worker script that other processes run against one store.

As a script: `ledger_worker.py loop DB VIEWER` releases until killed, printing each replay key only
after its commit returns (what a page would show); `ledger_worker.py commit-then-die DB VIEWER KEY`
commits one release and SIGKILLs itself before it could be shown.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from data import store
from privacy import ledger
from privacy.epsilon import Epsilon
from privacy.release import BudgetExhausted

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
"""A frozen clock: every test in one period unless it says otherwise."""

LOOP_LIMITS = ledger.Limits(total_micro=10**12, member_cap_micro=None, period_days=30)
"""Budget a killed loop never exhausts, so every kill lands in a release."""


def open_store(path: Path | str) -> sqlite3.Connection:
    """The store as the service opens it: durable settings, ledger tables in place."""
    conn = store.connect(path)
    try:
        ledger.ensure_schema(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def add_viewers(conn: sqlite3.Connection, count: int) -> list[int]:
    """Member ids of `count` family members (the ledger keys on them)."""
    return [store.add_member(conn, f"viewer-{n}").id for n in range(count)]


def release(conn: sqlite3.Connection, viewer: int, key: str, micro: int, limits: ledger.Limits) -> str:
    """One request as the service makes it: replay if stored, else precheck and commit; the outcome."""
    if ledger.find(conn, viewer, key) is not None:
        return "replayed"
    charge = Epsilon(micro)
    try:
        ledger.precheck(conn, viewer, charge, limits, NOW)
        _, replayed = ledger.commit(conn, viewer, key, "q", charge, 1, f'{{"key": "{key}"}}', limits, NOW)
    except BudgetExhausted:
        return "refused"
    return "replayed" if replayed else "released"


def race(path: str, viewer: int, key: str, micro: int, limits: ledger.Limits, barrier: Any, out: Any) -> None:
    """Process target: open the store, wait for every racer at the barrier, then commit once."""
    try:
        with closing(open_store(path)) as conn:
            barrier.wait(timeout=60)
            out.put(commit_outcome(conn, viewer, key, micro, limits))
    except Exception as exc:  # reported to the parent, which fails the test
        out.put(f"error: {exc!r}")


def commit_outcome(conn: sqlite3.Connection, viewer: int, key: str, micro: int, limits: ledger.Limits) -> str:
    """Commit without a precheck, so only the atomic debit stands between racers and the budget."""
    try:
        _, replayed = ledger.commit(conn, viewer, key, "q", Epsilon(micro), 1, f'"{key}"', limits, NOW)
    except BudgetExhausted:
        return "refused"
    return "replayed" if replayed else "released"


def _loop(path: str, viewer: int) -> None:
    conn = open_store(path)
    print("ready", flush=True)
    for n in range(10**9):
        key = f"{os.getpid()}-{n}"
        if release(conn, viewer, key, 1_000, LOOP_LIMITS) == "released":
            print(key, flush=True)


def _commit_then_die(path: str, viewer: int, key: str) -> None:
    conn = open_store(path)
    ledger.commit(conn, viewer, key, "q", Epsilon(250_000), 1, '"shown never"', LOOP_LIMITS, NOW)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    mode, db, viewer_id, *rest = sys.argv[1:]
    if mode == "loop":
        _loop(db, int(viewer_id))
    else:
        _commit_then_die(db, int(viewer_id), *rest)
