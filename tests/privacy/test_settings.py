"""Settings are checked once at start-up: a value outside its hard limits stops Hearth, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacy.epsilon import Epsilon
from privacy.settings import BadSetting, Settings


def _from_env(**variables: str) -> Settings:
    return Settings.from_env({"HEARTH_DB": "/tmp/unused.sqlite", **variables})


@pytest.mark.parametrize("value", ["0.1", "3", "10"])
def test_a_lifetime_within_0_1_to_10_is_accepted(value: str) -> None:
    assert _from_env(HEARTH_LIFETIME_EPSILON=value).lifetime_epsilon == Epsilon.request(float(value))


@pytest.mark.parametrize("value", ["0.0999999", "0.05", "10.000001", "11", "1e9"])
def test_a_lifetime_outside_0_1_to_10_is_refused_naming_the_variable_and_the_range(value: str) -> None:
    with pytest.raises(BadSetting, match=r"HEARTH_LIFETIME_EPSILON must be between 0\.1 and 10"):
        _from_env(HEARTH_LIFETIME_EPSILON=value)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "abc", "1,5"])
def test_a_lifetime_that_is_not_a_positive_number_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(BadSetting, match="HEARTH_LIFETIME_EPSILON"):
        _from_env(HEARTH_LIFETIME_EPSILON=value)


def test_the_constructor_enforces_the_same_range_as_the_environment() -> None:
    with pytest.raises(BadSetting, match="HEARTH_LIFETIME_EPSILON"):
        Settings(db=Path("x.sqlite"), lifetime_epsilon=Epsilon.request(10.5))


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "UTC+25", "../../etc/passwd"])
def test_a_bad_time_zone_is_refused_naming_the_variable(zone: str) -> None:
    with pytest.raises(BadSetting, match="HEARTH_TZ"):
        _from_env(HEARTH_TZ=zone)


def test_a_real_time_zone_sets_the_family_calendar() -> None:
    assert str(_from_env(HEARTH_TZ="Europe/Berlin").zone) == "Europe/Berlin"


@pytest.mark.parametrize("value", ["2.5", "100"])
def test_a_per_view_maximum_above_the_hard_maximum_is_refused(value: str) -> None:
    with pytest.raises(BadSetting, match="HEARTH_MAX_EPSILON must be at most 2"):
        _from_env(HEARTH_MAX_EPSILON=value)


@pytest.mark.parametrize("value", ["-1", "91", "seven"])
def test_settle_days_outside_0_to_90_are_refused(value: str) -> None:
    with pytest.raises(BadSetting, match="HEARTH_SETTLE_DAYS"):
        _from_env(HEARTH_SETTLE_DAYS=value)
