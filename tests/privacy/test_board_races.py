"""Processes racing on one store: one shared answer per question, and exactly what the budget holds.

Spawned processes (each its own interpreter, connection and service) are released together by a
barrier, so the race is real: without one, a test like this can pass by luck. Each store starts as a
fresh demo copy without ledger tables, so the processes also race to create them at open.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import Counter
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
from board_worker import race_ask, race_figure
from hearth_support import block_totals, copy_store

from data import store
from privacy.budget import ledger

WEEK = [date(2026, 10, 19) + timedelta(days=n) for n in range(7)]
"""The demo's newest weekly figure on its fixed 'today' (2026-10-31)."""


@pytest.fixture
def path(demo_template: Path, tmp_path: Path) -> Path:
    return copy_store(demo_template, tmp_path / "demo.sqlite")


def in_processes(target, arguments: list[tuple]) -> list:
    """Run `target(*arguments[i], barrier, out)` in process i, all released together; their reports."""
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(len(arguments)), context.Queue()
    racers = [context.Process(target=target, args=(*a, barrier, out)) for a in arguments]
    for racer in racers:
        racer.start()
    reports = [out.get(timeout=180) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
    out.close()
    out.join_thread()
    assert [r.exitcode for r in racers] == [0] * len(racers), reports
    return reports


def board_rows(path: Path) -> list[tuple]:
    with closing(store.connect(path)) as conn:
        ledger.verify(conn)
        return conn.execute(
            "SELECT kind, product, first_day, last_day, charge_micro FROM board_releases"
        ).fetchall()


def test_processes_racing_the_first_weekly_figure_make_one_release_that_all_of_them_show(path: Path) -> None:
    reports = in_processes(race_figure, [(str(path), n % 5) for n in range(8)])
    assert Counter(outcome for outcome, _ in reports) == {"released": 1, "replayed": 7}, reports
    values = {shown for _, shown in reports}
    assert len(values) == 1  # every process shows the one stored value
    first, last, query, shown_values = json.loads(values.pop())
    assert (first, last, query) == (WEEK[0].isoformat(), WEEK[-1].isoformat(), "family_average")
    assert board_rows(path) == [("plan", "weekly", first, last, 1_000_000)]
    assert block_totals(path) == {d.isoformat(): 1_000_000 for d in WEEK}
    with closing(store.connect(path)) as conn:
        (stored,) = conn.execute("SELECT release_json FROM board_releases").fetchone()
    assert json.loads(stored)["values"] == shown_values


def test_sixteen_processes_with_a_reserve_for_three_get_exactly_three(path: Path) -> None:
    """The reserve (0.5 of a lifetime 3) holds three asks at 0.16; every question covers 2026-10-05."""
    firsts = [date(2026, 9, 20) + timedelta(days=n) for n in range(16)]
    reports = in_processes(race_ask, [(str(path), n % 5, f.isoformat(), 0.16) for n, f in enumerate(firsts)])
    assert Counter(reports) == {"released": 3, "refused": 13}, reports
    rows = board_rows(path)
    assert [(kind, charge) for kind, _, _, _, charge in rows] == [("asked", 160_000)] * 3
    totals = block_totals(path)
    assert totals["2026-10-05"] == 3 * 160_000
    for day, spent in totals.items():
        assert spent == 160_000 * sum(first <= day <= last for _, _, first, last, _ in rows)


def test_eight_processes_of_one_viewer_get_exactly_their_share(path: Path) -> None:
    """One viewer's quota (0.25) holds three asks at 0.08, however many of their tabs race."""
    firsts = [date(2026, 9, 20) + timedelta(days=2 * n) for n in range(8)]
    reports = in_processes(race_ask, [(str(path), 2, f.isoformat(), 0.08) for f in firsts])
    assert Counter(reports) == {"released": 3, "refused": 5}, reports
    assert block_totals(path)["2026-10-05"] == 3 * 80_000
