"""Which synthetic family the lab runs on, and the entry that refuses a real family's store."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

import polars as pl

from data import store
from data.demo import SYNTHETIC_NAMES, load_synthetic
from privacy.release import NotAllowed

LAB_SEED = 20261124
"""Seed of the made-up family generator (data, not noise): the same choices give the same family."""
MADE_UP_KINDS = ("demo", "synthetic")
KEPT_FAMILIES = 8
"""Generated families kept in memory (oldest dropped first): a presenter tries a handful at most."""


class Source(StrEnum):
    """Where the lab's family comes from."""

    STORE = "store"
    """The demo (or synthetic) family already in the open store."""
    SYNTHETIC = "synthetic"
    """A family generated in memory from the presenter's choices."""


@dataclass(frozen=True)
class FamilyChoice:
    """The presenter's family settings; hashable, so it keys caches and stored runs."""

    source: Source = Source.STORE
    """The open store's family, or a generated one."""
    members: int = 5
    """Family size of a generated family (1..12)."""
    days: int = 365
    """Days of history of a generated family, ending on the store's 'today'."""
    typical_steps: int = 8_000
    """Family mean steps per member-day of a generated family."""
    night_walker: bool = True
    """Whether a generated family's grandparent walks between 22:00 and 01:00."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", Source(self.source))
        if not 1 <= self.members <= len(SYNTHETIC_NAMES):
            raise ValueError(f"members must be 1..{len(SYNTHETIC_NAMES)}, got {self.members}")
        if not 30 <= self.days <= 730:
            raise ValueError(f"days must be 30..730, got {self.days}")
        if not 1_000 <= self.typical_steps <= 25_000:
            raise ValueError(f"typical steps must be 1000..25000, got {self.typical_steps}")
        if self.source is Source.STORE:
            object.__setattr__(self, "members", 5)
            object.__setattr__(self, "days", 365)
            object.__setattr__(self, "typical_steps", 8_000)
            object.__setattr__(self, "night_walker", True)

    @property
    def key(self) -> str:
        """Canonical text form, part of every stored run's key.

        >>> FamilyChoice("synthetic", 3, 90, 6000, False).key
        'synthetic/3/90/6000/False'
        """
        return f"{self.source.value}/{self.members}/{self.days}/{self.typical_steps}/{self.night_walker}"


@dataclass(frozen=True, eq=False)
class Family:
    """A made-up family's exact data, in the store's frame shapes (never a real member's)."""

    label: str
    """How the page names it: 'the demo family' or 'a made-up family of 3'."""
    daily: pl.DataFrame
    """member_id, day, steps."""
    hourly: pl.DataFrame
    """member_id, day, hour, steps."""
    names: Mapping[int, str]
    """Display names by member id, in roster order."""
    today: date
    """Last day of the data: every window ends here."""
    version: str
    """What the data is: the choice's key plus the store's data version; keys stored runs."""

    @property
    def member_ids(self) -> tuple[int, ...]:
        """The roster, in joining order."""
        return tuple(self.names)


@dataclass
class Lab:
    """The lab's own door: one connection to a demo or synthetic store, never to a real one."""

    conn: sqlite3.Connection
    lock: threading.RLock = field(default_factory=threading.RLock)
    _families: dict[FamilyChoice, Family] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path | str | None = None) -> Lab:
        """Open the store at `path` (or `HEARTH_DB`); a real family's store raises `NotAllowed`."""
        conn = store.connect(path)
        try:
            refuse_real(conn)
        except NotAllowed:
            conn.close()
            raise
        return cls(conn)

    def close(self) -> None:
        """Release the connection (tests and benchmarks; the app keeps one for its lifetime)."""
        self.conn.close()

    def kind(self) -> str:
        """`demo` or `synthetic`."""
        with self.lock:
            return store.store_kind(self.conn)

    def family(self, choice: FamilyChoice) -> Family:
        """The family `choice` names, built once per process and kept: it is made up, not anyone's."""
        with self.lock:
            if choice not in self._families:
                refuse_real(self.conn)
                if len(self._families) >= KEPT_FAMILIES:
                    self._families.pop(next(iter(self._families)))
                built = _from_store if choice.source is Source.STORE else _generated
                self._families[choice] = built(self.conn, choice)
            return self._families[choice]


def refuse_real(conn: sqlite3.Connection) -> None:
    """True values may be shown for made-up data only: a real (or mixed) store is refused outright."""
    if store.store_kind(conn) not in MADE_UP_KINDS or store.holds_real_data(conn):
        raise NotAllowed(
            "The privacy lab shows true values, so it opens only the demo or a synthetic store;"
            " this store holds a real family's data."
        )


def _from_store(conn: sqlite3.Connection, choice: FamilyChoice) -> Family:
    span = store.data_range(conn)
    if span is None:
        raise NotAllowed("This store holds no family yet: load the demo family first (python -m data demo).")
    kind = store.store_kind(conn)
    return Family(
        label="the demo family" if kind == "demo" else "this synthetic family",
        daily=store.daily_frame(conn, *span),
        hourly=store.hourly_frame(conn, *span),
        names={m.id: m.name for m in store.members(conn)},
        today=store.today(conn),
        version=f"{choice.key}/v{store.data_version(conn)}/{store.today(conn)}",
    )


def _generated(conn: sqlite3.Connection, choice: FamilyChoice) -> Family:
    """Generate in a private in-memory store: the same import path and rollups as real data get."""
    today = store.today(conn)
    memory = store.connect(":memory:")
    try:
        load_synthetic(
            memory,
            members=choice.members,
            days=choice.days,
            typical_steps=choice.typical_steps,
            night_walker=choice.night_walker,
            seed=LAB_SEED,
            last_day=today,
        )
        span = store.data_range(memory) or (today, today)
        return Family(
            label=f"a made-up family of {choice.members}",
            daily=store.daily_frame(memory, *span),
            hourly=store.hourly_frame(memory, *span),
            names={m.id: m.name for m in store.members(memory)},
            today=today,
            version=f"{choice.key}/{today}",
        )
    finally:
        memory.close()
