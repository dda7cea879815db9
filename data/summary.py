"""What an import did, in the words both the command line and the Import page show."""

from __future__ import annotations

from data.model import ParsedImport


def days_imported(parsed: ParsedImport) -> int:
    """Distinct local days holding any bucket."""
    return len({sample.start.date() for sample in parsed.samples})


def skipped_records(parsed: ParsedImport) -> int:
    """Records skipped as impossible, all reasons together."""
    return sum(count for _, count in parsed.skipped)


def summary_lines(parsed: ParsedImport) -> list[str]:
    """`days imported`, `sources kept` and `records skipped` lines (reasons included)."""
    lines = [f"days imported: {days_imported(parsed)}", f"sources kept: {len(parsed.sources) or 1}"]
    reasons = "; ".join(f"{count} {reason}" for reason, count in parsed.skipped)
    lines.append(f"records skipped: {skipped_records(parsed)}" + (f" ({reasons})" if reasons else ""))
    return lines
