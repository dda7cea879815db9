"""Builders for small hand-made import fixtures, written into pytest's tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

# --doctest-modules would import this file as a module named `conftest`, clashing with its siblings.
collect_ignore = ["conftest.py"]

WATCH = (
    "&lt;&lt;HKDevice: 0x1&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2&gt;"
)
PHONE = (
    "&lt;&lt;HKDevice: 0x2&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone14,5&gt;"
)
DEVICES = {"watch": WATCH, "phone": PHONE}
IOS16_DTD = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  sourceName    CDATA #REQUIRED
  startDate     CDATA #REQUIRED
<!ELEMENT MetadataEntry EMPTY>
]>
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write text or bytes to tmp_path/name and return the path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    return _write


@pytest.fixture
def step() -> Callable[..., str]:
    """One Apple step Record line; `device` is 'watch', 'phone', a raw blob or None."""

    def _step(
        start: str, end: str, value: object, source: str = "Anna's Watch", device: str | None = "watch"
    ) -> str:
        blob = "" if device is None else f' device="{DEVICES.get(device, device)}"'
        return (
            f'<Record type="HKQuantityTypeIdentifierStepCount" sourceName="{source}"{blob}'
            f' sourceVersion="9.1" unit="count" creationDate="{end}" startDate="{start}" endDate="{end}"'
            f' value="{value}"/>\n'
        )

    return _step


@pytest.fixture
def apple_xml() -> Callable[..., str]:
    """A whole export.xml around the given record lines, with iOS 16's broken DTD by default."""

    def _export(*records: str, doctype: str = IOS16_DTD) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            + doctype
            + '<HealthData locale="en_US">\n <ExportDate value="2024-12-01 09:00:00 -0700"/>\n'
            + "".join(records)
            + "</HealthData>\n"
        )

    return _export
