"""Stored simulation runs: each draw comes from an OpenDP measurement once, then is read back.

The first render of a settings combination asks OpenDP for its draws and stores them in `lab_runs`;
every later render of the same settings reads them, so the same settings always draw the same picture.
No seedable generator is involved: OpenDP samples from the operating system's secure randomness.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from functools import cache

from data.store import transaction
from privacy.engine import dp

SCHEMA = "CREATE TABLE IF NOT EXISTS lab_runs (settings_key TEXT PRIMARY KEY, draws_json TEXT NOT NULL)"


def settings_key(**parts: object) -> str:
    """Canonical text of everything that decides a run: same settings, same key.

    >>> settings_key(eps=0.5, what="night", n=200)
    '{"eps":0.5,"n":200,"what":"night"}'
    """
    return json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)


def stored_draws(
    conn: sqlite3.Connection, key: str, draw: Callable[[], Sequence[float]]
) -> tuple[float, ...]:
    """The draws stored under `key`, drawing (once) and storing them if there are none yet.

    Two processes drawing the same key at once both insert-or-ignore: the first write wins and both
    return it, so no two renders of one setting ever disagree.
    """
    conn.execute(SCHEMA)
    found = conn.execute("SELECT draws_json FROM lab_runs WHERE settings_key = ?", (key,)).fetchone()
    if found is None:
        fresh = json.dumps([float(v) for v in draw()])
        with transaction(conn):
            conn.execute("INSERT OR IGNORE INTO lab_runs VALUES (?, ?)", (key, fresh))
        found = conn.execute("SELECT draws_json FROM lab_runs WHERE settings_key = ?", (key,)).fetchone()
    return tuple(json.loads(found[0]))


def count_runs(conn: sqlite3.Connection) -> int:
    """How many settings combinations have stored draws (for tests and the benchmark)."""
    conn.execute(SCHEMA)
    return int(conn.execute("SELECT count(*) FROM lab_runs").fetchone()[0])


@cache
def enable_contrib() -> None:
    """Switch on OpenDP's `contrib` flag once, where the lab first builds a measurement, never at import.

    Gaussian composition and the zCDP conversion sit behind it; no weakening flag is ever set here.
    """
    dp.enable_features("contrib")


def laplace(values: Sequence[float], scale: float) -> list[float]:
    """`values` each plus Laplace noise of `scale`, from one vector measurement (one OpenDP call)."""
    enable_contrib()
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l1_distance(T=float)
    return list(dp.m.make_laplace(*space, scale=scale)([float(v) for v in values]))


def discrete_laplace(values: Sequence[int], scale: float) -> list[int]:
    """Integer `values` each plus discrete Laplace noise: OpenDP's sampler for whole-step sums."""
    enable_contrib()
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    return list(dp.m.make_laplace(*space, scale=scale)([int(v) for v in values]))
