"""The bundled demo family and made-up families: seeded, so screenshots and tests never drift.

`python -m data.demo` regenerates `demo_family.csv.gz` from `DEMO_SEED`; `load_demo` reads that file
(fast) and a test checks it still equals what `generate()` produces.
"""

from __future__ import annotations

import gzip
import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from data.model import ParsedImport, StepSample
from data.routines import COMMUTER, PUPIL, RUNNER, TEEN, Routine, count_steps, elder, expected_steps
from data.store import ImportOutcome, WrongStore, holds_real_data, ingest, set_kind

DEMO_FIRST_DAY = date(2024, 11, 1)
DEMO_LAST_DAY = date(2026, 10, 31)
"""The demo store's fixed 'today': two full years of data end here."""
DEMO_SEED = 20261031
"""Seed of the committed demo family; changing it (or a routine) means regenerating the file."""
DEMO_FILE = Path(__file__).with_name("demo_family.csv.gz")
SOURCE = "demo"
"""Source name of every demo and synthetic sample (and the batches' format is its kind)."""
CSV_HEADER = "member,date," + ",".join(f"h{hour}" for hour in range(24))
FORGOTTEN_PHONE_CHANCE = 0.015
"""Share of days with no data at all: the phone stayed on the kitchen table."""
LATE_PHONE_CHANCE = 0.02
"""Share of days counted only from late morning: the phone was picked up after a first outing."""
SYNTHETIC_NAMES = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ines", "Jo", "Kai", "Lou")

Family = dict[str, ParsedImport]


@dataclass(frozen=True)
class Persona:
    """One made-up member: a name, a routine, and when their phone was (not) counting."""

    name: str
    routine: Routine
    joined: date | None = None
    """First day with data; None for a member present from the start."""
    phone_broken: tuple[date, date] | None = None
    """An inclusive stretch without any data (a phone at the repair shop)."""


DEMO_FAMILY = (
    Persona("Maya", COMMUTER),
    Persona("Sam", RUNNER, phone_broken=(date(2025, 3, 10), date(2025, 3, 18))),
    Persona("Leo", PUPIL),
    Persona("Ivy", TEEN),
    Persona("Nana", elder(night_walks=True), joined=date(2025, 7, 1)),
)


def generate(seed: int = DEMO_SEED) -> Family:
    """The demo family's two years of hourly steps, by member name, in roster order."""
    return _simulate(DEMO_FAMILY, DEMO_FIRST_DAY, DEMO_LAST_DAY, seed, typical_steps=None, kind="demo")


def synthetic_family(
    members: int, days: int, typical_steps: int, night_walker: bool, seed: int, last_day: date = DEMO_LAST_DAY
) -> Family:
    """A made-up family for the privacy/utility page: routines cycle, family mean near `typical_steps`."""
    if not 1 <= members <= len(SYNTHETIC_NAMES):
        raise ValueError(f"members must be 1..{len(SYNTHETIC_NAMES)}, got {members}")
    if not 1 <= days <= 3660:
        raise ValueError(f"days must be 1..3660, got {days}")
    if not 500 <= typical_steps <= 40_000:
        raise ValueError(f"typical_steps must be 500..40000, got {typical_steps}")
    routines = [COMMUTER, RUNNER, PUPIL, TEEN, elder(night_walker)]
    chosen = [routines[n % len(routines)] for n in range(members)]
    if night_walker and members < len(routines):
        chosen[-1] = routines[-1]
    personas = tuple(Persona(name, r) for name, r in zip(SYNTHETIC_NAMES, chosen, strict=False))
    first = last_day - timedelta(days=days - 1)
    return _simulate(personas, first, last_day, seed, typical_steps=typical_steps, kind="synthetic")


def load_demo(conn: sqlite3.Connection, path: Path = DEMO_FILE) -> tuple[ImportOutcome, ...]:
    """Ingest the committed demo family and mark the store 'demo'; loading twice changes nothing."""
    _refuse_real_store(conn)
    raw = path.read_bytes()
    family = from_csv(gzip.decompress(raw).decode())
    digest = hashlib.sha256(raw).hexdigest()
    outcomes = tuple(
        ingest(conn, name, parsed, path.name, digest, today=DEMO_LAST_DAY + timedelta(days=1))
        for name, parsed in family.items()
    )
    set_kind(conn, "demo", today=DEMO_LAST_DAY)
    return outcomes


def load_synthetic(
    conn: sqlite3.Connection,
    *,
    members: int,
    days: int,
    typical_steps: int,
    night_walker: bool,
    seed: int,
    last_day: date = DEMO_LAST_DAY,
) -> tuple[ImportOutcome, ...]:
    """Ingest a synthetic family and mark the store 'synthetic' (true values may be shown beside DP)."""
    _refuse_real_store(conn)
    family = synthetic_family(members, days, typical_steps, night_walker, seed, last_day)
    spec = f"synthetic:{members}:{days}:{typical_steps}:{night_walker}:{seed}:{last_day}"
    digest = hashlib.sha256(spec.encode()).hexdigest()
    outcomes = tuple(
        ingest(conn, name, parsed, "synthetic family", digest, today=last_day + timedelta(days=1))
        for name, parsed in family.items()
    )
    set_kind(conn, "synthetic", today=last_day)
    return outcomes


def to_csv(family: Family) -> str:
    """One line per member-day with any steps: `member,date,h0..h23`, a zero hour left empty.

    The wide form keeps the committed file small (gzip packs it to about 120 kB).
    """
    days: dict[tuple[str, date], list[str]] = {}
    for name, parsed in family.items():
        for s in parsed.samples:
            days.setdefault((name, s.start.date()), [""] * 24)[s.start.hour] = str(s.steps)
    lines = [CSV_HEADER] + [f"{name},{day.isoformat()}," + ",".join(h) for (name, day), h in days.items()]
    return "\n".join(lines) + "\n"


def from_csv(text: str) -> Family:
    """Inverse of `to_csv`; a malformed line is a bug in the committed file, so it simply raises."""
    lines = text.splitlines()
    if not lines or lines[0] != CSV_HEADER:
        raise ValueError(f"demo file must start with {CSV_HEADER!r}")
    rows: dict[str, list[StepSample]] = {}
    for line in lines[1:]:
        name, day, *hours = line.split(",")
        midnight = datetime.fromisoformat(day)
        samples = rows.setdefault(name, [])
        for hour, steps in enumerate(hours):
            if steps:
                start = midnight.replace(hour=hour)
                samples.append(StepSample(start, start + timedelta(hours=1), int(steps), SOURCE))
    return {name: _parsed(tuple(samples), "demo") for name, samples in rows.items()}


def write_demo_file(path: Path = DEMO_FILE, seed: int = DEMO_SEED) -> Path:
    """Regenerate the committed file; gzip's timestamp is zeroed so the bytes only change with the data."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(to_csv(generate(seed)).encode())
    return path


def _refuse_real_store(conn: sqlite3.Connection) -> None:
    if holds_real_data(conn):
        raise WrongStore("this store holds real imports; load made-up families into a separate store")


def _simulate(
    personas: tuple[Persona, ...], first: date, last: date, seed: int, typical_steps: int | None, kind: str
) -> Family:
    calendar = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    family_seed, *member_seeds = np.random.SeedSequence(seed).spawn(len(personas) + 1)
    shared = _weather(np.random.default_rng(family_seed), len(calendar)) * _season(calendar)
    rngs = [np.random.default_rng(s) for s in member_seeds]
    expected = []
    for persona, rng in zip(personas, rngs, strict=True):
        mean = expected_steps(persona.routine, calendar, rng) * shared[:, None]
        if persona.joined is not None:
            mean[np.array(calendar) < persona.joined] = 0.0
        expected.append(mean)
    scale = 1.0
    if typical_steps is not None:
        scale = typical_steps / np.mean([e.sum(axis=1).mean() for e in expected])
    family: Family = {}
    for persona, rng, mean in zip(personas, rngs, expected, strict=True):
        counts = count_steps(mean * scale, rng)
        _drop_phone_gaps(counts, calendar, persona, rng)
        family[persona.name] = _to_import(counts, calendar, kind)
    return family


def _weather(rng: np.random.Generator, n: int) -> np.ndarray:
    """Shared day-to-day multiplier (rain, heat): an AR(1) in logs, so the whole family has bad weeks."""
    shocks = rng.normal(0.0, 0.12, n)
    log = np.empty(n)
    log[0] = shocks[0] / 0.8
    for t in range(1, n):
        log[t] = 0.6 * log[t - 1] + shocks[t]
    return np.exp(log)


def _season(calendar: list[date]) -> np.ndarray:
    """A yearly swing of +-12%: most walking in late July, least in late January."""
    doy = np.array([d.timetuple().tm_yday for d in calendar])
    return 1.0 + 0.12 * np.sin(2 * np.pi * (doy - 110) / 365.25)


def _drop_phone_gaps(
    counts: np.ndarray, calendar: list[date], persona: Persona, rng: np.random.Generator
) -> None:
    forgotten = rng.random(len(calendar)) < FORGOTTEN_PHONE_CHANCE
    late = rng.random(len(calendar)) < LATE_PHONE_CHANCE
    picked_up = rng.integers(9, 13, len(calendar))
    if persona.phone_broken is not None:
        lo, hi = persona.phone_broken
        forgotten |= np.array([lo <= d <= hi for d in calendar])
    counts[forgotten] = 0
    for row in np.flatnonzero(late):
        counts[row, : picked_up[row]] = 0


def _to_import(counts: np.ndarray, calendar: list[date], kind: str) -> ParsedImport:
    rows, hours = np.nonzero(counts)
    samples = []
    for row, hour in zip(rows.tolist(), hours.tolist(), strict=True):
        start = datetime(calendar[row].year, calendar[row].month, calendar[row].day, hour)
        samples.append(StepSample(start, start + timedelta(hours=1), int(counts[row, hour]), SOURCE))
    return _parsed(tuple(samples), kind)


def _parsed(samples: tuple[StepSample, ...], kind: str) -> ParsedImport:
    return ParsedImport(format=kind, samples=samples, rows_read=len(samples))


if __name__ == "__main__":
    written = write_demo_file()
    print(f"wrote {written} ({written.stat().st_size:,} bytes)")
