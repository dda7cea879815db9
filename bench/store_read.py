"""Read-path benchmark: member-day and member-hour frames of a 6-member, 3-year hourly store.

Run: `.venv/bin/python bench/store_read.py` (about 10 s; the store is built in a temp folder).
Goal: the member-day table for three years reads well under 100 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import polars as pl

from data import store
from data.demo import DEMO_LAST_DAY, load_synthetic

MEMBERS, DAYS, RUNS = 6, 3 * 365, 50


def timed(read: Callable[[], pl.DataFrame], runs: int) -> tuple[int, float, float]:
    """Rows read, median and worst milliseconds over `runs` reads (after one warm-up)."""
    rows = read().height
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        read()
        samples.append((time.perf_counter() - start) * 1000)
    return rows, statistics.median(samples), max(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        conn = store.connect(Path(folder) / "bench.sqlite")
        start = time.perf_counter()
        load_synthetic(conn, members=MEMBERS, days=DAYS, typical_steps=8000, night_walker=True, seed=1)
        samples = conn.execute("SELECT count(*) FROM samples").fetchone()[0]
        built = time.perf_counter() - start
        print(f"built {MEMBERS} members x {DAYS} days: {samples:,} hourly samples in {built:.1f} s")
        first, last = DEMO_LAST_DAY - timedelta(days=DAYS - 1), DEMO_LAST_DAY
        recent = DEMO_LAST_DAY - timedelta(days=89)
        cases = [
            ("daily_frame, 3 years", lambda: store.daily_frame(conn, first, last)),
            ("hourly_frame, 90 days", lambda: store.hourly_frame(conn, recent, last)),
            ("hourly_frame, 3 years", lambda: store.hourly_frame(conn, first, last)),
        ]
        print(f"\n{'read':<24}{'rows':>9}{'median ms':>12}{'worst ms':>11}   ({RUNS} runs each)")
        for label, read in cases:
            rows, median, worst = timed(read, RUNS)
            print(f"{label:<24}{rows:>9,}{median:>12.1f}{worst:>11.1f}")
        conn.close()


if __name__ == "__main__":
    main()
