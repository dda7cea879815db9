"""Who counted an Apple step record: `sourceName` plus the device's stable fields, never its address.

The `device` attribute is an escaped blob (`<<HKDevice: 0x283f1a2b0>, name:iPhone, manufacturer:Apple,
model:iPhone, hardware:iPhone10,4, software:12.3>`) whose memory address changes with every record
and whose software version changes with every update: neither tells devices apart, so neither is kept.
"""

from __future__ import annotations

import re

from data.importers._checks import BadValue

STABLE_FIELDS = ("name", "manufacturer", "model", "hardware")
MAX_KEY_CHARS = 256
"""Source names and device fields longer than this are told apart by their first 256 characters."""
MAX_SOURCES = 10_000
"""Genuine exports hold tens to hundreds of apps and devices; ten thousand is a generated file."""
CACHE_LIMIT = 100_000
_FIELD = re.compile(r"(\w+):(.*?)(?=,\s*\w+:|>\s*$|$)")


def stable_device(device: str | None) -> str | None:
    """The blob's stable fields as `name:..., manufacturer:..., model:..., hardware:...`, or None.

    >>> stable_device("<<HKDevice: 0x28>, name:iPhone, model:iPhone, hardware:iPhone10,4, software:12.3>")
    'name:iPhone, model:iPhone, hardware:iPhone10,4'
    """
    if device is None:
        return None
    fields = dict(_FIELD.findall(device[device.find(">") + 1 :]))
    kept = [f"{name}:{fields[name].strip()[:MAX_KEY_CHARS]}" for name in STABLE_FIELDS if name in fields]
    return ", ".join(kept)


class SourceKeys:
    """Source indexes for the parser, with a cache keyed by what the start handler can slice cheaply."""

    def __init__(self, sources: dict[tuple[str, str | None], int]) -> None:
        self.sources = sources
        self.cache: dict[tuple[str, str | None], int] = {}
        """(sourceName, device blob after its address) -> index: the start handler's one lookup."""

    def index(self, name: str, device: str | None, *, cache: bool) -> int:
        """Index of the source a record names; new sources are numbered in order of appearance."""
        key = (name[:MAX_KEY_CHARS], stable_device(device))
        index = self.sources.get(key)
        if index is None:
            if len(self.sources) >= MAX_SOURCES:
                raise BadValue(f"more than {MAX_SOURCES:,} different sources: not an export Hearth can read")
            index = self.sources[key] = len(self.sources)
        if cache and len(self.cache) < CACHE_LIMIT:
            self.cache[name, device and device[device.find(">") + 1 :]] = index
        return index
