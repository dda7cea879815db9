"""Kill -9 anywhere in a release loop: the ledger stays whole, and nothing shown is missing from it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from board_worker import NOW
from hearth_support import block_totals, copy_store, open_hearth

from data import store
from privacy.budget import ledger
from privacy.engine.periods import Period
from privacy.queries import QueryId, QuerySpec

WORKER = Path(__file__).with_name("board_worker.py")
ROOT = Path(__file__).parents[2]
DAY = date(2026, 10, 7)


@pytest.fixture
def path(demo_template: Path, tmp_path: Path) -> Path:
    return copy_store(demo_template, tmp_path / "demo.sqlite")


def worker(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def on_the_board(path: Path) -> dict[tuple[str, str, str], list[float]]:
    """(first, last, statistic) -> the values stored for it, after checking the ledger is whole."""
    with closing(store.connect(path)) as conn:
        ledger.verify(conn)  # integrity, and every block's total is the sum of its charges
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute(
            "SELECT first_day, last_day, query_key, release_json FROM board_releases"
        ).fetchall()
        charged = conn.execute("SELECT total(charge_micro) FROM budget_charges").fetchone()[0]
        spent = conn.execute("SELECT total(spent_micro) FROM budget_blocks").fetchone()[0]
    assert charged == spent == 10_000 * len(rows)  # one-day questions at the floor: one block each
    return {(first, last, q.split("/")[0]): json.loads(r)["values"] for first, last, q, r in rows}


@pytest.mark.slow
def test_kill_minus_nine_at_random_points_of_a_release_loop_never_breaks_the_ledger(path: Path) -> None:
    """40 kills: 20 rounds of two loops racing on the store, each killed at its own random moment."""
    draw = random.Random(20261129)
    shown: list[str] = []
    for _ in range(20):
        procs = [worker("loop", path, draw.randrange(700)) for _ in range(2)]
        for proc in procs:
            assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        for proc in procs:
            time.sleep(draw.uniform(0.0, 0.15))  # where the kill lands, not synchronisation
            proc.send_signal(signal.SIGKILL)
        for proc in procs:
            # Read on through the same buffered pipe: communicate() would read the raw descriptor and
            # lose whatever readline() had already buffered past "ready".
            with proc:
                out, err = proc.stdout.read(), proc.stderr.read()
            assert proc.returncode == -signal.SIGKILL, err
            shown += out.splitlines()
        board = on_the_board(path)
        for line in shown:
            first, last, query, values = json.loads(line)
            assert board.get((first, last, query)) == values, line
    assert len(shown) > 40  # the kills did land inside the loops, not before their first release


def test_crash_after_commit_before_display_replays_without_a_second_charge(path: Path) -> None:
    with worker("ask-then-die", path, DAY.isoformat()) as proc:
        out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out) == (-signal.SIGKILL, ""), err
    with closing(store.connect(path)) as conn:
        (stored,) = conn.execute("SELECT release_json FROM board_releases").fetchone()
    assert block_totals(path) == {DAY.isoformat(): 200_000}
    hearth = open_hearth(path, NOW)
    try:
        viewer = hearth.demo_sign_in(hearth.roster()[3].id)
        again = hearth.ask(viewer, QuerySpec(QueryId.FAMILY_AVERAGE, None), 0.2, Period(DAY, DAY))
    finally:
        hearth.close()
    assert again.replayed and list(again.values) == json.loads(stored)["values"]
    assert block_totals(path) == {DAY.isoformat(): 200_000}
