"""Benchmark: hostile uploads are imported or refused with bounded memory and time.

Usage: .venv/bin/python bench/import_hostile.py [--attribute-mb 200]

Three files, each parsed by `parse_file` in its own child process (peak memory: its own VmHWM):
- many sources: 200 Apple sources, each with one record spanning 2000 to today (35 KB); the old
  de-duplication cut every record into hours, a few hundred thousand per source;
- long attribute: an export.xml whose one attribute is hundreds of MB, which made expat rescan the
  open token on every chunk (quadratic);
- many streams: 5,000 sources of 100 non-overlapping records each (86 MB): each source was a pass over
  every better source's intervals, so time grew with sources x records;
- long attribute, zipped: the same trick in a zip that stays under the 200x ratio limit.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from peak_memory import peak_mb

ROOT = Path(__file__).resolve().parents[1]
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
RECORD = (
    ' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="{name}" unit="count"'
    ' startDate="{start}" endDate="{end}" value="{value}"/>\n'
)


def many_sources(path: Path, sources: int = 200) -> None:
    lines = [
        RECORD.format(
            name=f"App {n}", start="2000-01-01 00:00:00 +0000", end="2026-11-01 00:00:00 +0000", value=5000
        )
        for n in range(sources)
    ]
    path.write_text(HEAD + "".join(lines) + "</HealthData>\n")


def many_streams(path: Path, sources: int = 5000, each: int = 100) -> None:
    """Thousands of sources, each with many short records that never overlap: each one a stream to rank."""
    minute = 60
    first = 18_262 * 86_400  # 2020-01-01 in seconds since 1970
    with path.open("w") as out:
        out.write(HEAD)
        for source in range(sources):
            lines = []
            for n in range(each):
                start = first + (n * sources + source) * 2 * minute
                walk = {"start": _moment(start), "end": _moment(start + minute), "value": 10}
                lines.append(RECORD.format(name=f"App {source}", **walk))
            out.write("".join(lines))
        out.write("</HealthData>\n")


def _moment(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime(seconds))


def long_attribute_lines(mb: int):
    """The export's text in pieces: a few records, then one attribute `mb` MB long that compresses ~150x."""
    yield (
        HEAD
        + RECORD.format(
            name="iPhone", start="2024-01-15 08:00:00 +0000", end="2024-01-15 08:10:00 +0000", value=600
        )
    ).encode()
    yield b' <Me note="'
    block = base64.b64encode(os.urandom(3072))
    for _ in range((mb << 20) // len(block)):
        yield block
    yield b'"/>\n</HealthData>\n'


def long_attribute(path: Path, mb: int) -> None:
    with path.open("wb") as out:
        for piece in long_attribute_lines(mb):
            out.write(piece)


def long_attribute_zip(path: Path, mb: int) -> None:
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("apple_health_export/export.xml", "w", force_zip64=True) as out,
    ):
        for piece in long_attribute_lines(mb):
            out.write(piece)


def child(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from data.importers import parse_file
    from data.model import BadInput

    started = time.perf_counter()
    try:
        parsed = parse_file(path)
        outcome = f"imported {len(parsed.samples)} buckets, skipped {parsed.skipped}"
    except BadInput as refusal:
        outcome = f"refused: {refusal.where}: {refusal.problem}"
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "maxrss_mb": peak_mb(),
                "outcome": outcome[:160],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attribute-mb", type=int, default=200)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return
    with tempfile.TemporaryDirectory(prefix="hearth-hostile-") as temp:
        files = {
            "many sources": (Path(temp) / "many.xml", many_sources),
            "5,000 streams x 100": (Path(temp) / "streams.xml", many_streams),
            "long attribute": (Path(temp) / "long.xml", lambda p: long_attribute(p, args.attribute_mb)),
            "long attribute, zipped": (
                Path(temp) / "long.zip",
                lambda p: long_attribute_zip(p, args.attribute_mb),
            ),
        }
        for label, (path, make) in files.items():
            make(path)
            command = [sys.executable, __file__, "--child", str(path)]
            done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
            report = json.loads(done.stdout.strip().splitlines()[-1])
            size = path.stat().st_size
            figures = f"{report['seconds']:6.2f} s  peak {report['maxrss_mb']:4.0f} MB"
            print(f"{label:<24} {size / 1e6:>9,.2f} MB  {figures}  {report['outcome']}")


if __name__ == "__main__":
    main()
