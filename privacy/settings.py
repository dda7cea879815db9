"""Settings: one frozen value built once at start-up from the environment and passed down."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TypeVar

from data.store import default_path
from data.zone import family_zone
from privacy.accounts import TrustedProxies
from privacy.constraints import (
    DEFAULT_LIFETIME_EPSILON,
    DEFAULT_MAX_EPSILON_PER_VIEW,
    DEFAULT_SETTLE_DAYS,
    HARD_MAX_EPSILON_PER_VIEW,
    LIFETIME_EPSILON_RANGE,
)
from privacy.epsilon import Epsilon
from privacy.queries import PrivacyUnit

T = TypeVar("T")
DEFAULT_CAP = Epsilon.request(DEFAULT_MAX_EPSILON_PER_VIEW)
DEFAULT_LIFETIME = Epsilon.request(DEFAULT_LIFETIME_EPSILON)
NO_PROXIES = TrustedProxies()
ENV_NAMES = (
    "HEARTH_DB",
    "HEARTH_UNIT",
    "HEARTH_MAX_EPSILON",
    "HEARTH_LIFETIME_EPSILON",
    "HEARTH_TZ",
    "HEARTH_SETTLE_DAYS",
    "HEARTH_FROZEN_NOW",
    "HEARTH_TRUSTED_PROXIES",
)
"""Every variable `Settings.from_env` reads, and nothing else does."""


class BadSetting(ValueError):
    """A setting Hearth refuses at start-up, naming the variable and what it accepts."""


@dataclass(frozen=True)
class Settings:
    """The knobs a family may set, each checked against its hard limits once, here."""

    db: Path
    """The store file (`HEARTH_DB`)."""
    unit: PrivacyUnit = PrivacyUnit.MEMBER_DAY
    """Who is protected; the budget's blocks follow it (a day, an ISO week, a whole member)."""
    max_epsilon_per_view: Epsilon = DEFAULT_CAP
    """Safe maximum for one release, never above the hard maximum of 2.0."""
    lifetime_epsilon: Epsilon = DEFAULT_LIFETIME
    """What each block may ever be charged, for life: nothing renews."""
    zone: tzinfo = UTC
    """The family's time zone: calendar periods and 'today' are its own."""
    settle_days: int = DEFAULT_SETTLE_DAYS
    """Days after a period ends before it is released without members who have not imported it."""
    frozen_now: datetime | None = None
    """A pinned clock for screenshot suites (`HEARTH_FROZEN_NOW`); never set in production."""
    trusted_proxies: TrustedProxies = NO_PROXIES
    """Reverse proxies whose `X-Forwarded-For` is believed (`HEARTH_TRUSTED_PROXIES`); none by default."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", PrivacyUnit(self.unit))
        if self.max_epsilon_per_view > Epsilon.request(HARD_MAX_EPSILON_PER_VIEW):
            raise BadSetting(f"HEARTH_MAX_EPSILON must be at most {HARD_MAX_EPSILON_PER_VIEW}")
        low, high = LIFETIME_EPSILON_RANGE
        if not Epsilon.request(low) <= self.lifetime_epsilon <= Epsilon.request(high):
            raise BadSetting(f"HEARTH_LIFETIME_EPSILON must be between {low} and {high}")
        if not 0 <= self.settle_days <= 90:
            raise BadSetting("HEARTH_SETTLE_DAYS must be a whole number of days from 0 to 90")

    def now(self) -> datetime:
        """The clock: pinned for screenshot suites, else the wall clock."""
        return self.frozen_now or datetime.now(UTC)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every HEARTH_* variable once; a bad value stops start-up with a message naming it."""
        env = os.environ if environ is None else environ
        try:
            zone, proxies = family_zone(env), TrustedProxies.from_env(env)
        except ValueError as bad:
            raise BadSetting(str(bad)) from None
        return cls(
            db=Path(env["HEARTH_DB"]) if env.get("HEARTH_DB") else default_path(),
            unit=_read(env, "HEARTH_UNIT", PrivacyUnit, PrivacyUnit.MEMBER_DAY),
            max_epsilon_per_view=_read(env, "HEARTH_MAX_EPSILON", _epsilon, DEFAULT_CAP),
            lifetime_epsilon=_read(env, "HEARTH_LIFETIME_EPSILON", _epsilon, DEFAULT_LIFETIME),
            zone=zone,
            settle_days=_read(env, "HEARTH_SETTLE_DAYS", int, DEFAULT_SETTLE_DAYS),
            frozen_now=_read(env, "HEARTH_FROZEN_NOW", _aware, None),
            trusted_proxies=proxies,
        )


def _read(env: Mapping[str, str], name: str, parse: Callable[[str], T], default: T) -> T:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return parse(raw)
    except ValueError:
        raise BadSetting(f"{name}={raw[:40]!r} is not valid; see the README's Configuration table") from None


def _epsilon(raw: str) -> Epsilon:
    return Epsilon.request(float(raw))


def _aware(text: str) -> datetime:
    pinned = datetime.fromisoformat(text)
    return pinned if pinned.tzinfo else pinned.replace(tzinfo=UTC)
