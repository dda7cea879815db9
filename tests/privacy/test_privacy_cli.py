"""`python -m privacy` is a contract for scripts: JSON on success, exit 3 and nothing spent on refusal."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_support import run_privacy_cli


@pytest.fixture(scope="module")
def db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A module-wide copy: these tests spend budget in it, never in the shared template."""
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite"
    path.write_bytes(demo_template.read_bytes())
    return path


def _run(db: Path, *args: str, budget: str = "10") -> subprocess.CompletedProcess[str]:
    return run_privacy_cli(db, *args, budget=budget)


def _spent(db: Path, viewer: str) -> float:
    result = _run(db, "budget", "--viewer", viewer)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["spent"]


def test_release_prints_json_then_replays_at_zero_cost(db: Path) -> None:
    args = ("release", "--viewer", "Sam", "--query", "weekday", "--window", "90", "--epsilon", "0.4")
    first = _run(db, *args)
    assert first.returncode == 0, first.stderr
    fresh = json.loads(first.stdout)
    assert fresh["fresh"] and fresh["epsilon_spent"] == pytest.approx(0.4)
    assert len(fresh["values"]) == len(fresh["intervals"]) == 7
    again = json.loads(_run(db, *args).stdout)
    assert again["replayed"] and again["epsilon_spent"] == 0.0
    assert again["values"] == fresh["values"]
    assert _spent(db, "Sam") == pytest.approx(0.4)


@pytest.mark.parametrize("epsilon", ["5", "-1", "nan", "inf", "abc", "0"])
def test_refused_epsilon_exits_3_and_spends_nothing(db: Path, epsilon: str) -> None:
    before = _spent(db, "Leo")
    result = _run(db, "release", "--viewer", "Leo", "--query", "champion", "--epsilon", epsilon)
    assert result.returncode == 3
    assert "refused" in result.stderr and result.stdout == ""
    assert _spent(db, "Leo") == before


def test_budget_exhaustion_exits_3_with_the_renewal_date(db: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.sqlite"
    small.write_bytes(db.read_bytes())
    args = ("release", "--viewer", "Ivy", "--query", "family_average", "--epsilon", "1")
    assert _run(small, *args, "--window", "7", budget="1.5").returncode == 0
    refused = _run(small, *args, "--window", "30", budget="1.5")
    assert refused.returncode == 3
    assert "renews on" in refused.stderr and refused.stdout == ""
    assert _spent(small, "Ivy") == pytest.approx(1.0)


def test_unknown_viewer_is_refused(db: Path) -> None:
    result = _run(db, "release", "--viewer", "Nobody", "--query", "champion", "--epsilon", "0.5")
    assert result.returncode == 3 and result.stdout == ""
