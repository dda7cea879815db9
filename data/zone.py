"""The family's time zone: days, weeks and 'today' are the family's own, never UTC's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def family_zone(environ: Mapping[str, str]) -> tzinfo:
    """`HEARTH_TZ` (an IANA name such as Europe/Berlin), else the system's local zone."""
    name = environ.get("HEARTH_TZ", "").strip()
    if not name:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"HEARTH_TZ={name!r} is not a time zone name (try Europe/Berlin or UTC)") from None


def local_today(zone: tzinfo, now: datetime) -> date:
    """The family's date at `now`; a naive `now` is refused, since its day would be a guess."""
    if now.utcoffset() is None:
        raise ValueError("local_today needs a timezone-aware time")
    return now.astimezone(zone).date()
