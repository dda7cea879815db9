"""The time zone a Fitbit archive states for its owner (`Profile.csv`, column `timezone`), if any.

Fitbit writes UTC; the owner's zone at export time is in the profile. When it names a real zone it
wins over the family's, since it is the archive saying where its owner lives.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from data.importers._zip import sniff

PROFILE = "profile.csv"
SNIFF = 64 << 10


def archive_zone(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> tzinfo | None:
    """The zone in the first Fitbit `Profile.csv` holding a valid IANA `timezone`, else None."""
    for info in infos:
        if info.filename.rsplit("/", 1)[-1].lower() == PROFILE and "fitbit" in info.filename.lower():
            zone = _zone(sniff(archive, info, SNIFF))
            if zone is not None:
                return zone
    return None


def _zone(head: bytes) -> tzinfo | None:
    r"""The `timezone` cell of the profile's first row, when it is a known IANA name.

    >>> _zone(b"id,timezone\nX1,Europe/Oslo\n")
    zoneinfo.ZoneInfo(key='Europe/Oslo')
    """
    rows = csv.reader(io.StringIO(head.decode("utf-8-sig", errors="replace")))
    header, first = next(rows, []), next(rows, [])
    names = [name.strip().lower() for name in header]
    if "timezone" not in names or len(first) <= names.index("timezone"):
        return None
    try:
        return ZoneInfo(first[names.index("timezone")].strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None
