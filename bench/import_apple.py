"""Benchmark: end-to-end Apple Health import (parse_file + store.ingest) on a generated export.xml.

Usage: .venv/bin/python bench/import_apple.py [--mb 1024] [--path FILE]

The export mimics a real one: grouped by type, then source, then time; a watch and a phone counting the
same walks; heart-rate records with metadata children, energy and distance records, blood-pressure
correlations and workouts mixed in; daylight-saving and travel offsets. The import runs in a child
process so its peak memory (VmHWM) is its own; CPU seconds are shown too, since wall-clock time
suffers when other work shares the machine. The same child first makes a bare expat pass over the
file (no handlers, the same 2 MiB reads), so the import's throughput is also given as a ratio to it:
the file is read once, its sha256 computed while parsing. CPU seconds count the import's
well-formedness checker too (a second process, so the wall-clock ratio can beat the CPU one).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from peak_memory import peak_mb

ROOT = Path(__file__).resolve().parents[1]
WATCH = (
    "Anna’s Apple Watch",
    "&lt;&lt;HKDevice: 0x283d8c690&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
    "hardware:Watch6,2, software:9.1, creation date:2022-11-02 10:05:27 +0000&gt;",
)
PHONE = (
    "Anna’s iPhone",
    "&lt;&lt;HKDevice: 0x283d8c5f0&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, "
    "hardware:iPhone14,5, software:16.1&gt;",
)
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
<!ELEMENT MetadataEntry EMPTY>
]>
<HealthData locale="en_US">
 <ExportDate value="2026-11-01 09:00:00 -0700"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1985-04-02"
  HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
"""
WATCH_PER_DAY, PHONE_PER_DAY, HEART_PER_DAY, OTHER_PER_DAY = 800, 350, 60, 40
BYTES_PER_DAY = 686_000
CLOCK = [f"{s // 3600:02}:{s // 60 % 60:02}:{s % 60:02}" for s in range(86_400 + 3_600)]


def main() -> None:
    args = _arguments()
    if args.child:
        _child(Path(args.child[0]), Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as temp:
        path = Path(args.path) if args.path else Path(temp) / "export.xml"
        if not path.exists():
            started = time.perf_counter()
            records = generate(path, args.mb << 20)
            print(
                f"generated {path.stat().st_size / 1e6:,.0f} MB, {records:,} step records "
                f"in {time.perf_counter() - started:.0f} s"
            )
        report = _run_child(path, Path(temp) / "bench.sqlite")
        _print(path.stat().st_size, report)


def generate(path: Path, size: int, seed: int = 20261124) -> int:
    """Write an Apple-like export of about `size` bytes; returns the number of step records."""
    rng = np.random.default_rng(seed)
    days = max(1, size // BYTES_PER_DAY)
    first = date(2026, 10, 31) - timedelta(days=days)
    calendar = [(first + timedelta(days=i), _offset(first + timedelta(days=i), i)) for i in range(days)]
    steps = 0
    with path.open("w", encoding="utf-8", buffering=8 << 20) as out:
        out.write(HEADER)
        _block(out, rng, calendar, "HeartRate", WATCH, HEART_PER_DAY, "count/min", heart=True)
        for name, device in (PHONE, WATCH):
            per_day = PHONE_PER_DAY if device is PHONE else WATCH_PER_DAY
            steps += _block(out, rng, calendar, "StepCount", (name, device), per_day, "count")
        _block(out, rng, calendar, "ActiveEnergyBurned", WATCH, OTHER_PER_DAY, "Cal")
        _correlations(out, calendar)
        out.write("</HealthData>\n")
    return steps


def _offset(day: date, index: int) -> str:
    """Pacific time with daylight saving, and a week in Europe every 400 days."""
    if index % 400 < 7:
        return " +0100"
    return " -0700" if date(day.year, 3, 12) <= day < date(day.year, 11, 5) else " -0800"


def _block(out, rng, calendar, kind, source, per_day, unit, heart=False) -> int:
    """One type's records for one source, day by day, as real exports order them."""
    name, device = source
    head = (
        f' <Record type="HKQuantityTypeIdentifier{kind}" sourceName="{name}" sourceVersion="9.1" '
        f'device="{device}" unit="{unit}" creationDate="'
    )
    count = 0
    for day, offset in calendar:
        prefix = f"{day.isoformat()} "
        starts = np.sort(rng.integers(7 * 3600, 22 * 3600, per_day))
        gaps = np.diff(starts, append=starts[-1] + 600)
        durations = np.minimum(rng.integers(30, 420, per_day), np.maximum(gaps - 1, 1))
        values = np.maximum(1, durations * rng.uniform(0.6, 1.9, per_day)).astype(int)
        if heart:
            values = rng.integers(55, 150, per_day)
        lines = []
        for start, length, value in zip(starts.tolist(), durations.tolist(), values.tolist(), strict=True):
            begin = prefix + CLOCK[start] + offset
            end = prefix + CLOCK[start + length] + offset
            line = f'{head}{end}" startDate="{begin}" endDate="{end}" value="{value}"'
            if heart:
                line += (
                    '>\n  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n </Record>\n'
                )
            else:
                line += "/>\n"
            lines.append(line)
        out.write("".join(lines))
        count += per_day
    return count


def _correlations(out, calendar) -> None:
    """A blood-pressure correlation a week (nested records) and a workout every other day."""
    for index, (day, offset) in enumerate(calendar):
        moment = f"{day.isoformat()} 08:00:00{offset}"
        if index % 7 == 0:
            nested = "".join(
                f'  <Record type="HKQuantityTypeIdentifierBloodPressure{part}" sourceName="Omron" '
                f'unit="mmHg" startDate="{moment}" endDate="{moment}" value="{value}"/>\n'
                for part, value in (("Systolic", 118), ("Diastolic", 76))
            )
            out.write(
                f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" '
                f'startDate="{moment}" endDate="{moment}">\n{nested} </Correlation>\n'
            )
        if index % 2 == 0:
            out.write(
                f' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="32" '
                f'sourceName="{WATCH[0]}" startDate="{moment}" endDate="{moment}">\n'
                f'  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{moment}"/>\n </Workout>\n'
            )


def _run_child(path: Path, store: Path) -> dict:
    command = [sys.executable, __file__, "--child", str(path), str(store)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(path: Path, store_path: Path) -> None:
    """The measured import: parse, then ingest into a fresh store, as the CLI would."""
    sys.path.insert(0, str(ROOT))
    from data import store
    from data.importers import parse_file

    expat_s, expat_cpu_s = _bare_expat(path)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    parsed = parse_file(path, display_name="export.xml")
    parsed_at = time.perf_counter()
    conn = store.connect(store_path)
    store.ingest(conn, "Anna", parsed, "export.xml", parsed.sha256, today=date(2026, 11, 2))
    conn.close()
    ingested_at = time.perf_counter()
    print(
        json.dumps(
            {
                "expat_s": expat_s,
                "expat_cpu_s": expat_cpu_s,
                "parse_s": parsed_at - started,
                "ingest_s": ingested_at - parsed_at,
                "cpu_s": _cpu_seconds() - cpu_started,
                "maxrss_mb": peak_mb(),
                "checker_mb": _checker_peak(path),
                "rows_read": parsed.rows_read,
                "buckets": len(parsed.samples),
                "dropped": parsed.duplicates_dropped,
            }
        )
    )


def _cpu_seconds() -> float:
    """This process's CPU time plus its finished children's: the well-formedness checker is one."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _checker_peak(path: Path) -> float:
    """The well-formedness checker's own peak memory on this file (MB), run alone under a wrapper.

    ru_maxrss cannot say: a child's counts the pages of the process that started it. So the checker
    runs by `runpy` inside a wrapper that prints its own VmHWM on the way out.
    """
    from data.importers import _wellformed
    from data.importers._apple_format import CHUNK, MAX_TOKEN
    from data.importers._prologue import PROLOGUE_LIMIT, clean_prologue
    from data.importers._source import Context

    wrapper = (
        "import runpy, sys\nsys.argv = sys.argv[1:]\n"
        "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "finally:\n    sys.stderr.write(open('/proc/self/status').read())\n"
    )
    command = [sys.executable, "-I", "-c", wrapper, _wellformed.__file__, str(MAX_TOKEN)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    with path.open("rb") as file:
        chunk = clean_prologue(file.read(PROLOGUE_LIMIT), Context("export.xml", date.max, 0))
        while chunk:
            process.stdin.write(_wellformed.FRAME.pack(len(chunk)) + chunk)
            chunk = file.read(CHUNK)
    process.stdin.close()
    status = process.stderr.read().decode()
    process.wait()
    (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) / 1024


def _bare_expat(path: Path) -> tuple[float, float]:
    """Seconds for expat alone over the file: the floor any streaming Apple import stands on."""
    from xml.parsers import expat

    from data.importers._prologue import clean_prologue
    from data.importers._source import Context

    started, cpu_started = time.perf_counter(), time.process_time()
    parser = expat.ParserCreate()
    with path.open("rb") as file:
        parser.Parse(clean_prologue(file.read(1 << 20), Context("export.xml", date.max, 0)), False)
        while chunk := file.read(2 << 20):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return time.perf_counter() - started, time.process_time() - cpu_started


def _print(size: int, report: dict) -> None:
    total = report["parse_s"] + report["ingest_s"]
    rows = [
        ("file size", f"{size / 1e6:,.0f} MB"),
        ("step records", f"{report['rows_read']:,}"),
        ("hourly buckets", f"{report['buckets']:,}"),
        ("steps dropped (overlap)", f"{report['dropped']:,}"),
        ("parse", f"{report['parse_s']:.1f} s"),
        ("ingest", f"{report['ingest_s']:.1f} s"),
        ("throughput (parse+ingest)", f"{size / 1e6 / total:.1f} MB/s  (goal >= 40)"),
        ("  same, per CPU second", f"{size / 1e6 / report['cpu_s']:.1f} MB/s"),
        ("bare expat pass", f"{report['expat_s']:.1f} s ({size / 1e6 / report['expat_s']:.1f} MB/s)"),
        ("import / bare expat", f"{report['expat_s'] / total:.2f}  (goal >= 0.8)"),
        ("  same, in CPU seconds", f"{report['expat_cpu_s'] / report['cpu_s']:.2f}  (both processes)"),
        ("peak memory, importer", f"{report['maxrss_mb']:.0f} MB"),
        ("  + its checker process", f"{report['checker_mb']:.0f} MB"),
        ("  = both", f"{report['maxrss_mb'] + report['checker_mb']:.0f} MB  (goal <= 300)"),
    ]
    for label, value in rows:
        print(f"{label:<27} {value:>28}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="size of the generated export.xml")
    parser.add_argument("--path", help="generate here (or reuse if it exists) instead of a temp dir")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
