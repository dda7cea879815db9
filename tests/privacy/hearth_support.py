"""What the service-level privacy tests share: a frozen clock, demo copies and ledger read-outs."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

from privacy.epsilon import Epsilon
from privacy.identity import Viewer
from privacy.service import Hearth
from privacy.settings import Settings

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""Two days after the demo's fixed 'today' (2026-10-31): the family's date is the demo's."""


def copy_store(source: Path, target: Path) -> Path:
    """A writable copy of a store (the demo template is shared by the whole session)."""
    target.write_bytes(source.read_bytes())
    return target


def open_hearth(path: Path, clock: datetime = NOW, **settings: object) -> Hearth:
    """The service on `path` with `settings` (lifetime_epsilon, unit, ...) and a frozen clock.

    Epsilon settings may be given as numbers; they are read as `Settings.from_env` would read them.
    """
    for name in ("lifetime_epsilon", "max_epsilon_per_view"):
        if isinstance(settings.get(name), int | float):
            settings[name] = Epsilon.request(settings[name])
    return Hearth.open(Settings(db=path, **settings), clock=lambda: clock)


def viewer(hearth: Hearth, index: int = 0) -> Viewer:
    """A demo sign-in of the roster's `index`th member."""
    return hearth.demo_sign_in(hearth.roster()[index].id)


def block_totals(path: Path) -> dict[str, int]:
    """Block -> micro-epsilon spent, as the ledger stores it."""
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT block, spent_micro FROM budget_blocks").fetchall())


def charged(path: Path) -> int:
    """Micro-epsilon over every (release, block) charge row: moves whenever anything is spent."""
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT total(charge_micro) FROM budget_charges").fetchone()[0])


def spent_on(hearth: Hearth, who: Viewer, day: date) -> int:
    """What the budget calendar says the block holding `day` has spent."""
    (entry,) = hearth.budget(who, day, day).days
    return entry.spent_micro
