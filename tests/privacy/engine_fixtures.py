"""Small fixed datasets for the engine's tests: a roster, a 'today', and daily/hourly frames."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

TODAY = date(2026, 3, 10)
ROSTER = (11, 12, 13, 14, 15)
NAMES = {11: "Ann", 12: "Bo", 13: "Cy", 14: "Di", 15: "Ed"}


def daily(members: tuple[int, ...], days: int = 400, seed: int = 7, today: date = TODAY) -> pl.DataFrame:
    """One row per member-day for `members` over `days` days ending `today`; steps 0..29,999."""
    rng = np.random.default_rng(seed)
    span = np.array([today - timedelta(days=i) for i in range(days)], dtype="datetime64[D]")
    n = len(members) * days
    return pl.DataFrame(
        {
            "member_id": np.repeat(np.asarray(members, dtype=np.int64), days),
            "day": np.tile(span, len(members)),
            "steps": rng.integers(0, 30_000, n),
        }
    ).with_columns(pl.col("day").cast(pl.Date))


def hourly(members: tuple[int, ...], days: int = 400, seed: int = 8, today: date = TODAY) -> pl.DataFrame:
    """One row per member-hour; steps 0..3,999 (some above the hourly clamp)."""
    rng = np.random.default_rng(seed)
    span = np.array([today - timedelta(days=i) for i in range(days)], dtype="datetime64[D]")
    n = len(members) * days * 24
    return pl.DataFrame(
        {
            "member_id": np.repeat(np.asarray(members, dtype=np.int64), days * 24),
            "day": np.tile(np.repeat(span, 24), len(members)),
            "hour": np.tile(np.arange(24, dtype=np.int8), len(members) * days),
            "steps": rng.integers(0, 4_000, n),
        }
    ).with_columns(pl.col("day").cast(pl.Date))
