"""Several files' buckets as one import: the same bucket of one source adds up, sources stay apart.

A Takeout splits one stream over many files (a Fitbit file per month), so the same source's bucket
in two files is summed; different sources remain separate streams, of which the store keeps the
largest per day, never their sum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from data.model import ParsedImport, StepSample

MIXED = "takeout"


def merge_streams(parts: Sequence[ParsedImport]) -> ParsedImport:
    """One ParsedImport from several; the format is shared or `takeout`, notes and sources united."""
    steps: defaultdict[tuple[datetime, datetime, str], int] = defaultdict(int)
    for part in parts:
        for sample in part.samples:
            steps[sample.start, sample.end, sample.source] += sample.steps
    samples = tuple(
        StepSample(start, end, count, source) for (start, end, source), count in sorted(steps.items())
    )
    formats = {part.format for part in parts}
    return ParsedImport(
        format=formats.pop() if len(formats) == 1 else MIXED,
        samples=samples,
        rows_read=sum(part.rows_read for part in parts),
        duplicates_dropped=sum(part.duplicates_dropped for part in parts),
        notes=tuple(dict.fromkeys(note for part in parts for note in part.notes)),
        skipped=_add_skipped(parts),
        sources=tuple(dict.fromkeys(source for part in parts for source in part.sources)),
    )


def _add_skipped(parts: Sequence[ParsedImport]) -> tuple[tuple[str, int], ...]:
    counts: defaultdict[str, int] = defaultdict(int)
    for part in parts:
        for reason, count in part.skipped:
            counts[reason] += count
    return tuple(counts.items())
