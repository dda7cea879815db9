"""Kill -9 anywhere in a release loop: the ledger stays whole, and nothing shown is missing from it."""

import os
import random
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from ledger_worker import LOOP_LIMITS, NOW, add_viewers, open_store

from privacy import ledger
from privacy.epsilon import Epsilon

WORKER = Path(__file__).with_name("ledger_worker.py")
ROOT = Path(__file__).parents[2]


@pytest.fixture
def store_path(tmp_path):
    """A store with one viewer (member id 1)."""
    path = tmp_path / "hearth.sqlite"
    with closing(open_store(path)) as conn:
        add_viewers(conn, 1)
    return path


def worker(*args):
    return subprocess.Popen(
        [sys.executable, str(WORKER), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def assert_whole(path, shown):
    """Integrity holds, spent is the sum of the rows, and every key shown was committed first."""
    with closing(open_store(path)) as conn:
        ledger.verify(conn)
        spent = ledger.budget(conn, 1, LOOP_LIMITS, NOW).spent_micro
        total = conn.execute("SELECT total(epsilon_micro) FROM ledger_releases").fetchone()[0]
        assert spent == total
        assert [key for key in shown if ledger.find(conn, 1, key) is None] == []


@pytest.mark.slow
def test_kill_minus_nine_at_random_points_of_a_release_loop_never_breaks_the_ledger(store_path):
    draw = random.Random(20261124)
    shown = []
    for _ in range(40):
        with worker("loop", store_path, 1) as proc:
            assert proc.stdout.readline() == "ready\n", proc.stderr.read()
            time.sleep(draw.uniform(0.0, 0.03))  # where the kill lands, not synchronisation
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        shown += out.split()
        assert_whole(store_path, shown)
    assert len(shown) > 40  # the kills did land inside the loop, not before its first release


def test_crash_after_commit_before_display_replays_without_a_second_debit(store_path):
    with worker("commit-then-die", store_path, 1, "shown-never") as proc:
        out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out) == (-signal.SIGKILL, ""), err
    with closing(open_store(store_path)) as conn:
        stored = ledger.find(conn, 1, "shown-never")
        assert stored == '"shown never"'
        spent = ledger.budget(conn, 1, LOOP_LIMITS, NOW).spent_micro
        charge = ledger.history(conn, 1)[0].epsilon_micro
        replay = ledger.commit(conn, 1, "shown-never", "q", Epsilon(charge), 1, '"new"', LOOP_LIMITS, NOW)
        assert replay == (stored, True)
        assert ledger.budget(conn, 1, LOOP_LIMITS, NOW).spent_micro == spent == charge
        ledger.verify(conn)
