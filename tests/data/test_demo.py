"""The demo family is reproducible from its seed and lives the routines the README promises."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from data import store
from data.demo import (
    DEMO_FILE,
    DEMO_FIRST_DAY,
    DEMO_LAST_DAY,
    Family,
    from_csv,
    generate,
    load_demo,
    load_synthetic,
    synthetic_family,
    to_csv,
)
from data.model import ParsedImport
from data.school_calendar import is_school_day, is_working_day

NIGHT = (22, 23, 0)


@pytest.fixture(scope="module")
def family() -> Family:
    return generate()


def grid(parsed: ParsedImport, first: date = DEMO_FIRST_DAY, last: date = DEMO_LAST_DAY) -> np.ndarray:
    """Steps as a (days x 24) array over [first, last]; absent hours are 0."""
    out = np.zeros(((last - first).days + 1, 24), dtype=int)
    for s in parsed.samples:
        out[(s.start.date() - first).days, s.start.hour] = s.steps
    return out


def days_where(keep: Callable[[date], bool], first: date = DEMO_FIRST_DAY) -> np.ndarray:
    span = (DEMO_LAST_DAY - first).days + 1
    return np.array([keep(first + timedelta(days=n)) for n in range(span)])


def night_walk_share(steps: np.ndarray) -> float:
    """Share of days with a real walk (1,000+ steps) between 22:00 and 01:00, the 0h counted next day."""
    late = steps[:-1, 22] + steps[:-1, 23] + steps[1:, 0]
    return float(np.mean(late >= 1000))


def test_committed_demo_file_is_what_the_seeded_generator_writes(family: Family) -> None:
    assert gzip.decompress(DEMO_FILE.read_bytes()).decode() == to_csv(family)
    assert from_csv(to_csv(family)) == family


def test_generation_depends_only_on_the_seed(family: Family) -> None:
    assert synthetic_family(2, 30, 8000, False, seed=7) == synthetic_family(2, 30, 8000, False, seed=7)
    assert synthetic_family(2, 30, 8000, False, seed=7) != synthetic_family(2, 30, 8000, False, seed=8)


def test_demo_family_is_five_members_over_two_years(family: Family) -> None:
    assert list(family) == ["Maya", "Sam", "Leo", "Ivy", "Nana"]
    days = {s.start.date() for parsed in family.values() for s in parsed.samples}
    assert (min(days), max(days)) == (date(2024, 11, 1), DEMO_LAST_DAY)
    assert all(s.source == "demo" and s.end - s.start == timedelta(hours=1) for s in family["Leo"].samples)


def test_late_joiner_has_no_data_before_joining(family: Family) -> None:
    first = min(s.start.date() for s in family["Nana"].samples)
    assert date(2025, 7, 1) <= first <= date(2025, 7, 10)


def test_grandparent_walks_between_ten_and_one_at_night(family: Family) -> None:
    joined = date(2025, 7, 1)
    nana = grid(family["Nana"], first=joined)
    assert night_walk_share(nana) > 0.5
    assert night_walk_share(grid(family["Maya"])) < 0.05
    assert night_walk_share(grid(family["Leo"])) < 0.05
    assert nana[:, 1:4].mean() < 0.05 * nana[:, 23].mean()


def test_child_walks_to_school_on_school_days_only(family: Family) -> None:
    leo = grid(family["Leo"])
    school = days_where(is_school_day)
    holiday_weekday = days_where(lambda d: not is_school_day(d) and d.weekday() < 5)
    present = leo.sum(axis=1) > 0
    at_eight = leo[:, 8]
    assert at_eight[school & present].mean() > 3 * at_eight[holiday_weekday & present].mean()
    assert leo[school & present, 10].mean() > 2 * leo[school & present, 9].mean()


def test_commuter_peaks_at_seven_to_nine_and_five_to_seven_on_working_days(family: Family) -> None:
    maya = grid(family["Maya"])
    work = days_where(is_working_day) & (maya.sum(axis=1) > 0)
    profile = maya[work].mean(axis=0)
    for hour in (7, 8, 17, 18):
        assert profile[hour] > 3 * profile[10]


def test_runner_has_big_weekend_mornings(family: Family) -> None:
    sam = grid(family["Sam"])
    weekend = days_where(lambda d: d.weekday() >= 5)
    mornings = sam[:, 7:9].sum(axis=1)
    assert np.median(mornings[weekend]) > 4 * np.median(mornings[~weekend])
    assert np.median(sam[weekend].sum(axis=1)) > 12_000


def test_teenager_is_late_and_irregular(family: Family) -> None:
    ivy, maya = grid(family["Ivy"]), grid(family["Maya"])

    def spread(steps: np.ndarray) -> float:
        totals = steps.sum(axis=1)
        totals = totals[totals > 0]
        return float(totals.std() / totals.mean())

    assert spread(ivy) > 1.5 * spread(maya)
    off = days_where(lambda d: not is_school_day(d))
    assert ivy[off, 7:10].mean() < 0.3 * ivy[off, 13:17].mean()


def test_each_member_misses_some_days_and_sams_phone_was_broken_for_nine(family: Family) -> None:
    for name, parsed in family.items():
        first = min(s.start.date() for s in parsed.samples)
        days = grid(parsed, first=first).sum(axis=1)
        assert 0 < np.count_nonzero(days == 0) < 0.05 * len(days), name
    sam_days = {s.start.date() for s in family["Sam"].samples}
    broken = {date(2025, 3, 10) + timedelta(days=n) for n in range(9)}
    assert not broken & sam_days
    assert date(2025, 3, 9) in sam_days and date(2025, 3, 19) in sam_days


def test_synthetic_family_has_the_asked_size_level_and_span() -> None:
    made = synthetic_family(6, 365, 10_000, night_walker=False, seed=3)
    assert len(made) == 6
    days = [s.start.date() for parsed in made.values() for s in parsed.samples]
    assert max(days) <= DEMO_LAST_DAY and min(days) >= DEMO_LAST_DAY - timedelta(days=364)
    totals = [s.steps for parsed in made.values() for s in parsed.samples]
    mean_day = sum(totals) / (6 * 365)
    assert 8_500 < mean_day < 11_000


def test_synthetic_night_walker_is_there_only_when_asked() -> None:
    first = DEMO_LAST_DAY - timedelta(days=199)
    with_walker = synthetic_family(3, 200, 8000, night_walker=True, seed=5)
    without = synthetic_family(3, 200, 8000, night_walker=False, seed=5)
    assert max(night_walk_share(grid(p, first=first)) for p in with_walker.values()) > 0.5
    assert max(night_walk_share(grid(p, first=first)) for p in without.values()) < 0.05


@pytest.mark.parametrize(
    ("members", "days", "typical"), [(0, 30, 8000), (13, 30, 8000), (3, 0, 8000), (3, 30, 100)]
)
def test_synthetic_family_refuses_out_of_range_arguments(members: int, days: int, typical: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        synthetic_family(members, days, typical, night_walker=False, seed=1)


def test_loading_the_demo_twice_changes_nothing(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "demo.sqlite")
    first = load_demo(conn)
    version = store.data_version(conn)
    again = load_demo(conn)
    assert all(o.batch_id is not None for o in first)
    assert all(o.batch_id is None for o in again)
    assert store.data_version(conn) == version == 5
    assert (store.store_kind(conn), store.today(conn)) == ("demo", DEMO_LAST_DAY)
    assert [m.name for m in store.members(conn)] == ["Maya", "Sam", "Leo", "Ivy", "Nana"]
    assert store.data_range(conn) == (DEMO_FIRST_DAY, DEMO_LAST_DAY)
    assert set(store.coverage(conn).values()) == {DEMO_LAST_DAY}
    conn.close()


def test_made_up_families_are_refused_by_a_store_with_real_data(tmp_path: Path, family: Family) -> None:
    conn = store.connect(tmp_path / "real.sqlite")
    real = ParsedImport("csv-timestamp", family["Maya"].samples[:3], rows_read=3)
    store.ingest(conn, "Maya", real, "mine.csv", "mine")
    with pytest.raises(store.WrongStore):
        load_demo(conn)
    with pytest.raises(store.WrongStore):
        load_synthetic(conn, members=2, days=10, typical_steps=8000, night_walker=False, seed=1)
    assert store.data_version(conn) == 1
    assert store.store_kind(conn) == "real"
    conn.close()


def test_load_synthetic_marks_the_store_synthetic(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "synthetic.sqlite")
    load_synthetic(conn, members=4, days=60, typical_steps=8000, night_walker=True, seed=2)
    assert (store.store_kind(conn), store.today(conn)) == ("synthetic", DEMO_LAST_DAY)
    assert len(store.members(conn)) == 4
    conn.close()
