"""Command line for loading data without the app: `python -m data import|demo|daily` (see data/README.md).

Exit codes: 0 success (an already imported file included), 2 refused input, usage, or a file or store
that cannot be used (one line naming it, never a traceback).
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import sys
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from data import store
from data.console import silence_stdout
from data.demo import DEMO_FIRST_DAY, DEMO_LAST_DAY, load_demo
from data.importers import parse_file
from data.model import BadInput, ParsedImport
from data.progress import TextProgress
from data.summary import summary_lines
from data.zone import family_zone, local_today

BIG_FILE = 20 * 1024 * 1024
"""Bytes above which the progress bar shows even when stderr is not a terminal (a log still shows life)."""
REFUSED = 2


class Refused(Exception):
    """A request the CLI turns down with a message and exit code 2 (no traceback: the input was wrong)."""


def member_name(text: str) -> str:
    """A display name the store accepts: 1-64 printable characters, outer spaces dropped.

    >>> member_name("  Maya ")
    'Maya'
    """
    name = text.strip()
    if not 1 <= len(name) <= 64 or any(unicodedata.category(ch).startswith("C") for ch in name):
        raise argparse.ArgumentTypeError("a member name is 1-64 printable characters")
    return name


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run one command; every refusal and file or store failure is one line, exit 2."""
    args = _parser().parse_args(argv)
    try:
        args.zone = family_zone(os.environ)
        args.today = local_today(args.zone, datetime.now(UTC))
        status = args.command(args)
        sys.stdout.flush()  # a closed pipe is reported here, not as a traceback at interpreter exit
        return status
    except (Refused, BadInput, store.WrongStore, ValueError) as error:
        return _fail(str(error))
    except sqlite3.Error as error:
        return _fail(f"{store.default_path()}: the store cannot be used ({error})")
    except BrokenPipeError:
        silence_stdout()
        return _fail("stdout: the output was closed before everything was written")
    except OSError as error:
        return _fail(f"{error.filename or store.default_path()}: {error.strerror or error}")


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return REFUSED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data", description="Load and inspect Hearth's step store."
    )
    commands = parser.add_subparsers(required=True, metavar="{import,demo,daily}")
    imp = commands.add_parser("import", help="import one export file for a member (format read from content)")
    imp.add_argument("--member", required=True, type=member_name, help="an existing member's display name")
    imp.add_argument("--new-member", action="store_true", help="add the member if there is none of that name")
    imp.add_argument("file", type=Path)
    imp.set_defaults(command=_import)
    demo = commands.add_parser("demo", help="load the bundled demo family")
    demo.set_defaults(command=_demo)
    daily = commands.add_parser("daily", help="print a member's stored daily totals as CSV date,steps")
    daily.add_argument("--member", required=True, type=member_name)
    daily.set_defaults(command=_daily)
    return parser


def _import(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise Refused(f"{path}: no such file")
    conn = store.connect()
    try:
        if store.store_kind(conn) != "real":
            raise store.WrongStore(
                f"{store.default_path()} is a {store.store_kind(conn)} store; set HEARTH_DB"
            )
        if not args.new_member and store.member_by_name(conn, args.member) is None:
            raise Refused(
                f"no member named {args.member!r} in {store.default_path()}; add --new-member to add one"
            )
        parsed = _parse(path, args)
        outcome = store.ingest(conn, args.member, parsed, path.name, parsed.sha256, today=args.today)
    finally:
        conn.close()
    print(_import_summary(path, args.member, parsed, outcome))
    return 0


def _parse(path: Path, args: argparse.Namespace) -> ParsedImport:
    progress = TextProgress(sys.stderr) if _wants_progress(path) else None
    try:
        return parse_file(path, display_name=path.name, progress=progress, zone=args.zone)
    except OSError as error:
        raise Refused(f"{path}: {error.strerror or error}") from None
    finally:
        if progress is not None:
            progress.close()


def _demo(args: argparse.Namespace) -> int:
    conn = store.connect()
    try:
        outcomes = load_demo(conn)
    except store.WrongStore as error:
        raise Refused(f"{store.default_path()}: {error} (set HEARTH_DB)") from None
    finally:
        conn.close()
    names = ", ".join(o.member.name for o in outcomes)
    verb = "Already loaded" if all(o.batch_id is None for o in outcomes) else "Loaded"
    print(f"{verb} the demo family ({names}) in {store.default_path()}")
    print(f"days {DEMO_FIRST_DAY} to {DEMO_LAST_DAY}; the app's 'today' is {DEMO_LAST_DAY}")
    return 0


def _daily(args: argparse.Namespace) -> int:
    path = store.default_path()
    if not path.is_file():
        raise Refused(f"no store at {path}; import a file or load the demo first")
    conn = store.connect(path)
    try:
        member = store.member_by_name(conn, args.member)
        if member is None:
            raise Refused(f"no member named {args.member!r} in {path}")
        rows = _daily_rows(conn, member.id)
    finally:
        conn.close()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("date", "steps"))
    writer.writerows(rows)
    return 0


def _daily_rows(conn: sqlite3.Connection, member_id: int) -> list[tuple[str, int]]:
    span = store.data_range(conn)
    if span is None:
        return []
    frame = store.daily_frame(conn, *span).filter(pl.col("member_id") == member_id).sort("day")
    return [(day.isoformat(), steps) for day, steps in frame.select("day", "steps").iter_rows()]


def _import_summary(path: Path, member: str, parsed: ParsedImport, outcome: store.ImportOutcome) -> str:
    if outcome.batch_id is None:
        return f"{path.name} was already imported for {member}: nothing changed"
    hourly = sum(1 for s in parsed.samples if s.end - s.start == timedelta(hours=1))
    lines = [
        f"Imported {path.name} for {member} ({parsed.format})",
        f"rows read: {parsed.rows_read}",
        f"hourly buckets stored: {hourly}",
        f"daily buckets stored: {len(parsed.samples) - hourly}",
        f"duplicates dropped: {parsed.duplicates_dropped}",
        *summary_lines(parsed),
        f"complete through: {(outcome.covered_through or date.min).isoformat()}",
    ]
    return "\n".join(lines + [f"note: {note}" for note in parsed.notes])


def _wants_progress(path: Path) -> bool:
    return sys.stderr.isatty() or path.stat().st_size >= BIG_FILE


if __name__ == "__main__":
    sys.exit(main())
