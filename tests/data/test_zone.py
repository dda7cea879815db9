"""The family zone comes from HEARTH_TZ (or the system), and a typo in it is an error, not UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from data.zone import family_zone, local_today


def test_hearth_tz_names_the_family_zone() -> None:
    assert family_zone({"HEARTH_TZ": "America/Los_Angeles"}) == ZoneInfo("America/Los_Angeles")


def test_an_unknown_zone_name_is_refused_naming_the_variable() -> None:
    with pytest.raises(ValueError, match="HEARTH_TZ"):
        family_zone({"HEARTH_TZ": "Mars/Olympus_Mons"})
    with pytest.raises(ValueError, match="HEARTH_TZ"):
        family_zone({"HEARTH_TZ": "../etc/passwd"})


def test_unset_means_the_systems_zone() -> None:
    zone = family_zone({})
    now = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert now.astimezone(zone).utcoffset() == now.astimezone().utcoffset()


def test_today_is_the_date_in_the_family_zone_not_utc() -> None:
    late_evening_utc = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    assert local_today(ZoneInfo("Europe/Berlin"), late_evening_utc) == date(2026, 11, 1)
    assert local_today(ZoneInfo("America/New_York"), late_evening_utc) == date(2026, 10, 31)
