"""How fast is a private release? Family scale per query, a whole dashboard, and community scale.

Run: .venv/bin/python bench/release_speed.py [--reps 200] [--skip-community]

(a) 5 members x 2 years of daily and hourly data: median of one `plan` + `execute` per catalog query
    with the plan cache warm, next to the same aggregate computed with plain polars (no grid, no noise).
(b) All seven catalog queries, as one dashboard draws them.
(c) 10,000 members x 2 years of daily data (7.3 M rows): one family_average release, cold and warm,
    with the process's peak memory (ru_maxrss).
Data are synthetic, from a seeded numpy generator, straight into polars frames.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import polars as pl

from privacy import engine
from privacy.constraints import DAILY_STEPS_BOUNDS, HISTOGRAM_EDGES, HOURLY_STEPS_BOUNDS
from privacy.engine.grid import Grid
from privacy.epsilon import Epsilon
from privacy.queries import PrivacyUnit, QueryId, QuerySpec

TODAY = date(2026, 10, 31)
DAYS = 730
EPSILON = Epsilon.request(0.5)
UNIT = PrivacyUnit.MEMBER_DAY
GOALS = {"family": 10.0, "dashboard": 100.0, "community": 1_000.0}
"""Targets in milliseconds."""


def synthetic(members: int, hours: bool, seed: int = 20261031) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Daily (and optionally hourly) frames shaped like the store's, about 2% of member-days missing."""
    rng = np.random.default_rng(seed)
    first = (TODAY - timedelta(days=DAYS - 1) - date(1970, 1, 1)).days
    member = np.repeat(np.arange(1, members + 1, dtype=np.int64), DAYS)
    day = np.tile(np.arange(first, first + DAYS, dtype=np.int32), members)
    keep = rng.random(member.size) > 0.02
    steps = rng.gamma(4.0, 2_200.0, member.size).astype(np.int64)
    daily = pl.DataFrame({"member_id": member[keep], "day": day[keep], "steps": steps[keep]})
    daily = daily.with_columns(pl.col("day").cast(pl.Date))
    if not hours:
        return daily, pl.DataFrame(
            schema={"member_id": pl.Int64, "day": pl.Date, "hour": pl.Int8, "steps": pl.Int64}
        )
    share = rng.dirichlet(np.ones(24), size=int(keep.sum()))
    hourly = pl.DataFrame(
        {
            "member_id": np.repeat(member[keep], 24),
            "day": np.repeat(day[keep], 24),
            "hour": np.tile(np.arange(24, dtype=np.int8), int(keep.sum())),
            "steps": (share * steps[keep, None]).astype(np.int64).ravel(),
        }
    ).with_columns(pl.col("day").cast(pl.Date))
    return daily, hourly


def baseline(spec: QuerySpec, grid: Grid, daily: pl.DataFrame, hourly: pl.DataFrame) -> pl.DataFrame:
    """The same aggregate with plain polars on the store's rows: no public grid, no noise."""
    rows = daily if spec.query is not QueryId.HOUR_OF_DAY else hourly
    bounds = HOURLY_STEPS_BOUNDS if spec.query is QueryId.HOUR_OF_DAY else DAILY_STEPS_BOUNDS
    lf = rows.lazy().filter(
        pl.col("member_id").is_in(grid.member_ids) & pl.col("day").is_between(grid.first, grid.last)
    )
    steps = pl.col("steps").clip(*bounds)
    bucket = pl.col("day").dt.truncate("1w" if spec.bucket == "week" else "1mo")
    if spec.query is QueryId.FAMILY_AVERAGE:
        lf = lf.select(steps.sum() / grid.cells)
    elif spec.query is QueryId.TREND:
        lf = lf.group_by(bucket).agg(steps.sum())
    elif spec.query is QueryId.GOAL_ATTAINMENT:
        lf = lf.group_by(bucket).agg((pl.col("steps") >= spec.goal).sum())
    elif spec.query is QueryId.DISTRIBUTION:
        lf = lf.group_by(steps.cut(list(HISTOGRAM_EDGES[1:-1]), left_closed=True)).len()
    elif spec.query is QueryId.WEEKDAY:
        lf = lf.group_by(pl.col("day").dt.weekday()).agg(steps.sum())
    elif spec.query is QueryId.HOUR_OF_DAY:
        lf = lf.group_by("hour").agg(steps.sum())
    else:
        lf = lf.group_by("member_id").agg(steps.sum()).select(pl.col("member_id").top_k_by("steps", 1))
    return lf.collect()


def release(spec: QuerySpec, grid: Grid, daily: pl.DataFrame, hourly: pl.DataFrame, names: dict) -> None:
    """One private release as the service makes it (minus the ledger): plan (cached) + execute."""
    engine.execute(engine.plan(spec, EPSILON, UNIT, grid), daily, hourly, names)


CPU: dict[str, float] = {}
"""Median process CPU time of the last `median_ms` call: on a shared machine wall time includes waiting."""


def median_ms(call: Callable[[], object], reps: int) -> float:
    """Median wall-clock milliseconds of `call` (and its median CPU milliseconds into `CPU['last']`)."""
    times, cpu = [], []
    for _ in range(reps):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU["last"] = 1_000 * statistics.median(cpu)
    return 1_000 * statistics.median(times)


Row = tuple[str, float, float, float, float]
"""Name, private wall ms, private CPU ms, plain polars wall ms, ratio of the walls."""


def family(reps: int, window: int) -> list[Row]:
    daily, hourly = synthetic(5, hours=True)
    names = {m: f"member {m}" for m in range(1, 6)}
    rows = []
    for query in QueryId:
        spec = QuerySpec(query, window)
        grid = engine.grid_for(spec, tuple(range(1, 6)), TODAY)
        release(spec, grid, daily, hourly, names)  # warm the plan cache
        private = median_ms(lambda s=spec, g=grid: release(s, g, daily, hourly, names), reps)
        cpu = CPU["last"]
        plain = median_ms(lambda s=spec, g=grid: baseline(s, g, daily, hourly), reps)
        rows.append((query.value, private, cpu, plain, private / plain))
    specs = [
        (QuerySpec(q, window), engine.grid_for(QuerySpec(q, window), tuple(range(1, 6)), TODAY))
        for q in QueryId
    ]
    board = median_ms(lambda: [release(s, g, daily, hourly, names) for s, g in specs], max(reps // 5, 20))
    rows.append(("whole dashboard (7 queries)", board, CPU["last"], float("nan"), float("nan")))
    return rows


def community(reps: int) -> list[Row]:
    members = tuple(range(1, 10_001))
    daily, hourly = synthetic(len(members), hours=False)
    print(f"community data: {daily.height:,} rows, {daily.estimated_size() / 2**20:.0f} MB; {peak()}")
    names: dict[int, str] = {}
    rows = []
    spec = QuerySpec(QueryId.FAMILY_AVERAGE, 365)
    full = Grid(members, TODAY - timedelta(days=DAYS - 1), TODAY)
    for label, grid in (("365-day window", engine.grid_for(spec, members, TODAY)), ("730-day grid", full)):
        cold = median_ms(lambda g=grid: release(spec, g, daily, hourly, names), 1)
        cold_cpu = CPU["last"]
        warm = median_ms(lambda g=grid: release(spec, g, daily, hourly, names), reps)
        warm_cpu = CPU["last"]
        plain = median_ms(lambda g=grid: baseline(spec, g, daily, hourly), reps)
        name = f"family_average, {label} ({grid.cells:,} cells)"
        rows.append((f"{name}, cold", cold, cold_cpu, plain, cold / plain))
        rows.append((f"{name}, warm", warm, warm_cpu, plain, warm / plain))
        print(f"after the {label} runs: {peak()}")
    return rows


def table(title: str, rows: list[Row], goal: float) -> None:
    print(f"\n{title}  (goal: <= {goal:g} ms)")
    print(f"{'release':<58} {'private ms':>10} {'cpu ms':>8} {'polars ms':>10} {'ratio':>6}  ok")
    for name, private, cpu, plain, ratio in rows:
        ok = "yes" if private <= goal else "NO"
        print(f"{name:<58} {private:>10.2f} {cpu:>8.2f} {plain:>10.2f} {ratio:>6.1f}  {ok}")


def peak() -> str:
    return (
        f"process peak memory (ru_maxrss) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--part", choices=("all", "family", "community"), default="all")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(
        f"load average: {load:.1f} on {os.cpu_count()} CPUs; private/polars = wall ms, cpu = process CPU ms"
    )
    if args.part in ("all", "family"):
        for window in (30, 365):
            rows = family(args.reps, window)
            table(f"(a) family scale: 5 members x 2 years, {window}-day window", rows[:-1], GOALS["family"])
            table("(b) whole dashboard", rows[-1:], GOALS["dashboard"])
        print(f"\n{peak()}")
    if args.part == "all":
        # A fresh process, so the community figures' peak memory is their own.
        sys.stdout.flush()
        subprocess.run(
            [sys.executable, __file__, "--part", "community", "--reps", str(args.reps)], check=True
        )
    if args.part == "community":
        rows = community(max(args.reps // 20, 5))
        table("(c) community scale: 10,000 members x 2 years daily (7.3 M rows)", rows, GOALS["community"])
        print(f"\nafter the releases: {peak()}")


if __name__ == "__main__":
    main()
