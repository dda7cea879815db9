"""The family's time zone: one reading of `HEARTH_TZ`, so importers, coverage and the CLI agree on 'today'."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALTIME = "/etc/localtime"


def family_zone(environ: Mapping[str, str]) -> tzinfo:
    """`HEARTH_TZ` (an IANA name) or, unset, the system's zone; a typo fails loudly, never falls back to UTC.

    >>> family_zone({"HEARTH_TZ": "Europe/Paris"})
    zoneinfo.ZoneInfo(key='Europe/Paris')
    """
    name = environ.get("HEARTH_TZ", "").strip()
    if not name:
        return system_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"HEARTH_TZ={name!r} is not a known IANA time zone name (for example Europe/London)"
        ) from None


def system_zone() -> tzinfo:
    """The system's zone with its daylight-saving rules, else the current fixed offset."""
    try:
        with open(LOCALTIME, "rb") as file:
            return ZoneInfo.from_file(file, key="localtime")
    except (OSError, ValueError):
        return datetime.now(UTC).astimezone().tzinfo or UTC


def local_today(zone: tzinfo, now: datetime) -> date:
    """The date in `zone` at the moment `now` (a naive `now` is read as UTC).

    >>> local_today(ZoneInfo("Pacific/Auckland"), datetime(2026, 10, 31, 12, tzinfo=UTC))
    datetime.date(2026, 11, 1)
    """
    moment = now if now.tzinfo else now.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()
