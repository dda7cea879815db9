"""A process's own peak memory, for the benchmarks that run their work in a child."""

from __future__ import annotations

from pathlib import Path


def peak_mb() -> float:
    """VmHWM, the high-water mark of this process's own memory since exec.

    ru_maxrss is no good in a child: at exec Linux folds the parent's peak into it.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
