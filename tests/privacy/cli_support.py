"""Run `python -m privacy` as scripts do: a fresh process on a given store, with settings from env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FROZEN_NOW = "2026-11-02T09:00:00+00:00"


def run_privacy_cli(db: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """Exit code and output of one CLI call; `settings` become HEARTH_<NAME> variables."""
    env = {**os.environ, "HEARTH_DB": str(db), "HEARTH_FROZEN_NOW": FROZEN_NOW}
    env.update({f"HEARTH_{name.upper()}": value for name, value in settings.items()})
    return subprocess.run(
        [sys.executable, "-m", "privacy", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
