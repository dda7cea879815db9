"""The command lines' shared care for their output: a reader that goes away is not a crash."""

from __future__ import annotations

import os
import sys


def silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
