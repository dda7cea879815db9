"""Ledger load: 20 processes x 50 requests on one store; no overspend, no unhandled error, latency.

Run from the repository root: `.venv/bin/python -m bench.ledger_load [--workers 20] [--requests 50]`.
Each request is what the noticeboard does: replay if stored, else precheck and commit a claim on the
same seven day blocks. Every fifth question is shared by all workers, so racing replays are part of the
load. Demand exceeds both the viewers' quotas and the blocks' budget, so refusals are too. Exit status 1
if any check fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from data import store
from privacy.budget import ledger
from privacy.budget.ledger import Claim, Kind
from privacy.epsilon import Epsilon
from privacy.release import BudgetExhausted

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
VIEWERS = 4
CHARGE = Epsilon(50_000)
BLOCKS = tuple(f"2026-02-{d:02d}" for d in range(16, 23))
"""Every request claims the same week of day blocks, so all of them contend for the same rows."""
LIMITS = ledger.Limits(lifetime_micro=10_000_000, reserve_micro=10_000_000, quota_micro=2_500_000)
"""Each viewer's quota affords 50 charges, the blocks 200; the default load asks for 1,000."""


def claim(viewer: int, key: str) -> Claim:
    """An ad hoc question on the reserve of the week's blocks, as the noticeboard makes it."""
    return Claim(
        question=key,
        seq=0,
        generation=0,
        kind=Kind.ASKED,
        product=None,
        query_key="bench/dates/week/8000",
        first_day=BLOCKS[0],
        last_day=BLOCKS[-1],
        unit="member-day",
        charge=CHARGE,
        blocks=BLOCKS,
        viewer_id=viewer,
    )


def request(conn: sqlite3.Connection, viewer: int, key: str) -> str:
    """One request as the service makes it; the outcome's name."""
    if ledger.latest(conn, key):
        return "replayed"
    try:
        ledger.precheck(conn, claim(viewer, key), LIMITS, NOW)
        _, raced = ledger.commit(conn, claim(viewer, key), f'"{key}"', LIMITS, NOW)
    except BudgetExhausted:
        return "refused"
    return "raced replay" if raced else "released"


def work(path: str, worker: int, requests: int, barrier: Any, out: Any) -> None:
    """One worker process: its own connection, released with the others by the barrier."""
    viewer = worker % VIEWERS + 1
    samples = []
    with closing(store.connect(path)) as conn:
        barrier.wait(timeout=120)
        for n in range(requests):
            key = f"shared-{n}" if n % 5 == 0 else f"w{worker}-{n}"
            start = time.perf_counter()
            try:
                outcome = request(conn, viewer, key)
            except Exception as exc:  # counted and reported: the load must have none
                outcome = f"error: {type(exc).__name__}"
            samples.append((outcome, time.perf_counter() - start))
    out.put(samples)


def run(path: Path, workers: int, requests: int) -> tuple[list[tuple[str, float]], float]:
    """Start the workers together; every sample and the wall time."""
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(workers + 1), context.Queue()
    procs = [
        context.Process(target=work, args=(str(path), w, requests, barrier, out)) for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=120)
    start = time.perf_counter()
    samples = [s for _ in procs for s in out.get(timeout=300)]
    wall = time.perf_counter() - start
    for proc in procs:
        proc.join(timeout=60)
    return samples, wall


def table(samples: list[tuple[str, float]]) -> list[str]:
    """Count and latency (ms) per outcome, then over all requests."""
    groups: dict[str, list[float]] = defaultdict(list)
    for outcome, seconds in samples:
        groups[outcome].append(seconds * 1_000)
    groups = dict(sorted(groups.items())) | {"all": [s * 1_000 for _, s in samples]}
    lines = [f"{'outcome':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"]
    for name, ms in groups.items():
        cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
        lines.append(f"{name:<14}{len(ms):>7}{cuts[49]:>9.2f}{cuts[94]:>9.2f}{cuts[98]:>9.2f}{max(ms):>9.2f}")
    return lines


def checks(path: Path, samples: list[tuple[str, float]]) -> list[str]:
    """The load's pass conditions; the failures, if any."""
    failures = [o for o, _ in samples if o.startswith("error")]
    released = sum(o == "released" for o, _ in samples)
    with closing(store.connect(path)) as conn:
        ledger.verify(conn)
        blocks = ledger.states(conn, BLOCKS, None)
        shares = [ledger.states(conn, BLOCKS, v)[0].viewer_micro for v in range(1, VIEWERS + 1)]
    spent = {b.spent_micro for b in blocks}
    if max(spent) > LIMITS.lifetime_micro or max(shares) > LIMITS.quota_micro:
        failures.append(f"overspend: blocks {sorted(spent)}, viewers {shares}")
    if spent != {released * CHARGE.micro} or sum(shares) != released * CHARGE.micro:
        failures.append(f"blocks {sorted(spent)} and shares {shares} are not {released} x {CHARGE.micro}")
    print(f"spent per viewer (quota {LIMITS.quota_micro / 1e6:g}): {[s / 1e6 for s in shares]}")
    print(f"spent per block (lifetime {LIMITS.lifetime_micro / 1e6:g}): {max(spent) / 1e6:g}")
    return failures


def main() -> int:
    """Build a fresh store in a temporary folder, run the load, print the table and the checks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=20, choices=range(1, 65), metavar="1..64")
    parser.add_argument("--requests", type=int, default=50, choices=range(1, 1_001), metavar="1..1000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "load.sqlite"
        with closing(store.connect(path)) as conn:
            ledger.ensure_schema(conn)
            for n in range(VIEWERS):
                store.add_member(conn, f"viewer-{n}")
        samples, wall = run(path, args.workers, args.requests)
        print(
            f"{args.workers} workers x {args.requests} requests on one store, SQLite {sqlite3.sqlite_version}"
        )
        print("\n".join(table(samples)))
        print(f"wall {wall:.2f} s, {len(samples) / wall:.0f} requests/s")
        failures = checks(path, samples)
    print("FAIL: " + "; ".join(failures) if failures else "OK: no overspend, no error, ledger verified")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
