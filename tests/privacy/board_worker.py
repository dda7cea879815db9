"""Process targets for the race tests, and a script other processes run against one store.

As a script: `board_worker.py loop DB START` asks a new one-day question per step from day START on
(and every fifth step an old one again), printing each answer only after the service returned it (what
a page would show); `board_worker.py ask-then-die DB DAY` makes one release and SIGKILLs itself before
it could be shown.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from privacy.budget.plan import Product
from privacy.engine.periods import Period
from privacy.epsilon import Epsilon
from privacy.queries import QueryId, QuerySpec
from privacy.release import BudgetExhausted, Release
from privacy.service import Hearth
from privacy.settings import Settings

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""The demo store's clock in every process (its family date is fixed at 2026-10-31)."""
FIRST = date(2024, 11, 1)
"""The demo's first day: one-day questions count from it."""
LOOP_EPSILON = 0.01
"""The floor: a loop of one-day questions never exhausts a block's share."""


def open_service(path: str | Path, lifetime: float = 3.0) -> Hearth:
    """The service as a page process opens it."""
    return Hearth.open(Settings(db=Path(path), lifetime_epsilon=Epsilon.request(lifetime)), clock=lambda: NOW)


def shown(release: Release) -> str:
    """What a page shows, as one line: the period, the statistic and the values."""
    return json.dumps([release.first, release.last, release.spec.query.value, list(release.values)])


def race_figure(path: str, member: int, barrier: Any, out: Any) -> None:
    """Open the store, wait for every racer at the barrier, then visit the weekly figure."""
    try:
        hearth = open_service(path)
        viewer = hearth.demo_sign_in(hearth.roster()[member].id)
        barrier.wait(timeout=60)
        release = hearth.figure(viewer, Product.WEEKLY)
        out.put(("replayed" if release.replayed else "released", shown(release)))
        hearth.close()
    except Exception as exc:  # reported to the parent, which fails the test
        out.put((f"error: {exc!r}", ""))


def race_ask(path: str, member: int, first: str, epsilon: float, barrier: Any, out: Any) -> None:
    """Open the store, wait at the barrier, then ask one 16-day question from `first`."""
    try:
        hearth = open_service(path)
        viewer = hearth.demo_sign_in(hearth.roster()[member].id)
        start = date.fromisoformat(first)
        period = Period(start, start + timedelta(days=15))
        barrier.wait(timeout=60)
        try:
            release = hearth.ask(viewer, QuerySpec(QueryId.FAMILY_AVERAGE, None), epsilon, period)
            out.put("replayed" if release.replayed else "released")
        except BudgetExhausted:
            out.put("refused")
        hearth.close()
    except Exception as exc:
        out.put(f"error: {exc!r}")


def _loop(path: str, start: int) -> None:
    hearth = open_service(path)
    viewer = hearth.demo_sign_in(hearth.roster()[0].id)
    print("ready", flush=True)
    for n in range(10**9):
        day = FIRST + timedelta(days=(start + (n // 5 if n % 5 == 0 else n)) % 700)
        release = hearth.ask(viewer, QuerySpec(QueryId.FAMILY_AVERAGE, None), LOOP_EPSILON, Period(day, day))
        print(shown(release), flush=True)


def _ask_then_die(path: str, day: str) -> None:
    hearth = open_service(path)
    viewer = hearth.demo_sign_in(hearth.roster()[0].id)
    when = date.fromisoformat(day)
    hearth.ask(viewer, QuerySpec(QueryId.FAMILY_AVERAGE, None), 0.2, Period(when, when))
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    mode, db, arg = sys.argv[1:]
    if mode == "loop":
        _loop(db, int(arg))
    else:
        _ask_then_die(db, arg)
