"""A plain text progress bar for long imports: stderr only, so stdout stays clean for scripts."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


def bar(done: int, total: int, width: int = WIDTH) -> str:
    """One frame of the bar; an unknown or zero total shows the bytes read so far.

    >>> bar(50, 200, width=10)
    '[##--------]  25%'
    >>> bar(3_500_000, 0)
    '3.5 MB read'
    """
    if total <= 0:
        return f"{done / 1e6:.1f} MB read"
    share = min(max(done / total, 0.0), 1.0)
    filled = int(share * width)
    return f"[{'#' * filled}{'-' * (width - filled)}] {int(share * 100):3d}%"


class TextProgress:
    """Progress callback `(done, total)` drawing over one line, redrawn only when the text changes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = ""

    def __call__(self, done: int, total: int) -> None:
        """Redraw when the visible frame changes: a 1 GB file reports often, the terminal need not."""
        frame = bar(done, total)
        if frame != self.shown:
            self.stream.write("\r" + frame)
            self.stream.flush()
            self.shown = frame

    def close(self) -> None:
        """End the bar's line so the next message starts clean."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
