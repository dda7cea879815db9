"""`python -m privacy` is a contract for scripts: JSON on success, exit 3 and nothing spent on refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from cli_support import FROZEN_NOW, ROOT, run_privacy_cli
from hearth_support import charged

DAY = "2026-10-15"
"""A day inside every window asked below (the demo's covered date is 2026-10-30)."""
WEEKDAY_90 = ("release", "--query", "weekday", "--window", "90", "--epsilon", "0.2")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy per test: these tests spend budget in it, never in the shared template."""
    path = tmp_path / "demo.sqlite"
    path.write_bytes(demo_template.read_bytes())
    return path


def _run(db: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return run_privacy_cli(db, *args, **settings)


def _ok(db: Path, *args: str) -> dict | list:
    result = _run(db, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _spent(db: Path, viewer: str = "Maya", day: str = DAY) -> float:
    (entry,) = _ok(db, "budget", "--viewer", viewer, "--from", day, "--to", day)["days"]
    return entry["spent"]


def test_release_prints_json_and_a_second_viewer_gets_the_same_values_free(db: Path) -> None:
    fresh = _ok(db, *WEEKDAY_90[:1], "--viewer", "Sam", *WEEKDAY_90[1:])
    assert fresh["epsilon_spent"] == fresh["epsilon_of_release"] == pytest.approx(0.2)
    assert not fresh["replayed"]
    assert fresh["period"] == ["2026-08-02", "2026-10-30"]
    assert len(fresh["values"]) == len(fresh["intervals"]) == len(fresh["labels"]) == 7
    assert _spent(db) == pytest.approx(0.2)
    again = _ok(db, *WEEKDAY_90[:1], "--viewer", "Leo", *WEEKDAY_90[1:])
    assert again["replayed"] and again["epsilon_spent"] == 0.0
    assert (again["values"], again["intervals"]) == (fresh["values"], fresh["intervals"])
    assert _spent(db) == pytest.approx(0.2)


def test_release_over_named_dates_charges_exactly_those_days(db: Path) -> None:
    out = _ok(
        db, "release", "--viewer", "Ivy", "--query", "family_average",
        "--from", "2026-10-05", "--to", "2026-10-11", "--epsilon", "0.1",
    )  # fmt: skip
    assert out["period"] == ["2026-10-05", "2026-10-11"]
    days = _ok(db, "budget", "--viewer", "Ivy", "--from", "2026-10-04", "--to", "2026-10-12")["days"]
    assert [d["spent"] for d in days] == [0.0] + [pytest.approx(0.1)] * 7 + [0.0]


@pytest.mark.parametrize("epsilon", ["5", "nan", "abc", "0", "0.000001"])
def test_refused_epsilon_exits_3_and_spends_nothing(db: Path, epsilon: str) -> None:
    args = ("release", "--viewer", "Leo", "--query", "champion", "--window", "30", "--epsilon", epsilon)
    result = _run(db, *args)
    assert result.returncode == 3, result.stderr
    assert "refused" in result.stderr and result.stdout == ""
    assert charged(db) == 0


def test_a_viewer_past_their_share_exits_3_having_spent_nothing(db: Path) -> None:
    args = ("release", "--viewer", "Ivy", "--query", "family_average", "--epsilon", "0.2")
    assert _run(db, *args, "--window", "7").returncode == 0
    refused = _run(db, *args, "--window", "30")
    assert refused.returncode == 3
    assert "never renew" in refused.stderr and refused.stdout == ""
    assert _spent(db, day="2026-10-30") == pytest.approx(0.2)
    assert _spent(db, day=DAY) == 0.0
    assert len(_ok(db, "board")) == 1


def test_budget_shows_the_lifetime_the_share_and_the_last_90_days(db: Path) -> None:
    _ok(db, "release", "--viewer", "Maya", "--query", "trend", "--window", "30", "--epsilon", "0.1")
    out = _ok(db, "budget", "--viewer", "Maya")
    assert (out["lifetime"], out["reserve"]) == (3.0, 0.5)
    assert out["share"]["quota_per_day"] == 0.25
    assert out["share"]["left_over_range"] == pytest.approx(0.15)
    days = out["days"]
    assert len(days) == 90 and days[-1]["date"] == "2026-10-30"
    assert [d["date"] for d in days] == [
        (date(2026, 10, 30) - timedelta(days=89 - i)).isoformat() for i in range(90)
    ]
    for d in days:
        assert d["spent"] == pytest.approx(0.1 if d["date"] >= "2026-10-01" else 0.0)
        assert d["spent"] + d["remaining"] == pytest.approx(3.0)
    other = _ok(db, "budget", "--viewer", "Sam")
    assert other["share"]["left_over_range"] == 0.25  # the quota is per viewer; the days are the family's


def test_board_lists_every_release_without_values(db: Path) -> None:
    assert _ok(db, "board") == []
    _ok(db, *WEEKDAY_90[:1], "--viewer", "Sam", *WEEKDAY_90[1:])
    _ok(db, *WEEKDAY_90[:1], "--viewer", "Nana", *WEEKDAY_90[1:])  # a replay: no second row
    (row,) = _ok(db, "board")
    assert row == {
        "query": "weekday",
        "product": None,
        "period": ["2026-08-02", "2026-10-30"],
        "epsilon": 0.2,
        "kind": "asked",
        "released_on": "2026-11-02",
        "by_visit_of": "Sam",
    }


def test_unknown_viewer_is_refused(db: Path) -> None:
    result = _run(
        db, "release", "--viewer", "Nobody", "--query", "champion", "--window", "7", "--epsilon", "0.1"
    )
    assert result.returncode == 3 and result.stdout == ""


def test_a_missing_store_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.sqlite"
    result = _run(missing, "budget", "--viewer", "Maya")
    assert result.returncode == 3 and result.stdout == ""
    assert f"no store at {missing}; create one with" in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("value", ["0.05", "10.5"])
def test_a_lifetime_outside_its_range_stops_start_up_naming_the_variable(db: Path, value: str) -> None:
    result = _run(db, "budget", "--viewer", "Maya", lifetime_epsilon=value)
    assert result.returncode == 3 and result.stdout == ""
    assert "HEARTH_LIFETIME_EPSILON" in result.stderr


def test_a_bad_time_zone_stops_start_up(db: Path) -> None:
    result = _run(db, "budget", "--viewer", "Maya", tz="Mars/Olympus_Mons")
    assert result.returncode == 3 and result.stdout == ""
    assert "HEARTH_TZ" in result.stderr


def test_a_closed_stdout_pipe_is_one_line_and_exit_3(db: Path) -> None:
    env = {**os.environ, "HEARTH_DB": str(db), "HEARTH_FROZEN_NOW": FROZEN_NOW}
    with subprocess.Popen(
        [sys.executable, "-m", "privacy", "budget", "--viewer", "Maya"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()
        err = child.stderr.read()
        assert child.wait(timeout=60) == 3
    assert err.splitlines() == ["refused: stdout was closed before everything was written"]
