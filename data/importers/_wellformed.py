"""Is this XML well formed? Asked of a second process, because pyexpat holds the GIL while it parses.

The caller streams the same chunks it extracts records from, each framed by its length, so expat here
sees the chunking the careful parser would see, and refuses the same way: entity and DTD declarations,
and any tag or comment left open past `max_token` bytes. The answer is the exit status: 0 means well
formed. Run as a script (`python -I _wellformed.py MAX_TOKEN`): it imports nothing but the standard library.
"""

from __future__ import annotations

import fcntl
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from queue import Queue
from xml.parsers import expat

FRAME = struct.Struct("<I")
WELL_FORMED = 0
PIPE_BYTES = 4 << 20
"""Room for two chunks in the pipe (the kernel may allow less: it only costs speed)."""
QUEUED = 4
"""Chunks waiting for the pipe: 8 MiB of memory at most."""


class Checker:
    """The parent's end: feed chunks, then ask whether all of them made one well-formed document.

    A thread writes to the pipe (a blocked write releases the GIL), so the caller goes on extracting
    while the checker catches up, holding at most QUEUED chunks.
    """

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.broken = False
        self.queue: Queue[bytes | None] = Queue(QUEUED)
        self.writer = threading.Thread(target=self._write, name="wellformed-writer", daemon=True)
        self.writer.start()

    def feed(self, chunk: bytes) -> bool:
        """Queue a chunk; False once the checker has stopped reading (it found a fault)."""
        if not self.broken:
            self.queue.put(chunk)
        return not self.broken

    def well_formed(self) -> bool:
        """Close the stream and wait for the verdict."""
        self._close()
        return self.process.wait() == WELL_FORMED and not self.broken

    def stop(self) -> None:
        """Kill the checker if it is still running (the caller gave up), and end the writer."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._close()

    def _close(self) -> None:
        if self.writer.is_alive():
            self.queue.put(None)
            self.writer.join()

    def _write(self) -> None:
        pipe = self.process.stdin
        while (chunk := self.queue.get()) is not None:
            if not self.broken:
                try:
                    pipe.write(FRAME.pack(len(chunk)))
                    pipe.write(chunk)
                except OSError:  # BrokenPipeError: the checker stopped at a fault
                    self.broken = True
        with suppress(OSError):
            pipe.close()


@contextmanager
def checker(max_token: int) -> Iterator[Checker]:
    """A running checker, stopped on the way out whatever happened."""
    command = [sys.executable, "-I", __file__, str(max_token)]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    with suppress(OSError):  # a smaller pipe only costs speed
        fcntl.fcntl(process.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    running = Checker(process)
    try:
        yield running
    finally:
        running.stop()


class _Refused(Exception):
    """An entity or DTD declaration, or a token left open too long."""


def _refuse(*_: object) -> None:
    raise _Refused


def check(stream, max_token: int) -> bool:
    """Parse framed chunks from `stream` with no element handlers: the floor any import stands on."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = parser.ExternalEntityRefHandler = _refuse
    fed = 0
    try:
        while header := stream.read(FRAME.size):
            (size,) = FRAME.unpack(header)
            chunk = stream.read(size)
            parser.Parse(chunk, False)
            fed += len(chunk)
            if fed - max(parser.CurrentByteIndex, 0) > max_token:
                return False
        parser.Parse(b"", True)
    except (expat.ExpatError, _Refused, struct.error):
        return False
    return True


if __name__ == "__main__":
    sys.exit(WELL_FORMED if check(sys.stdin.buffer, int(sys.argv[1])) else 1)
