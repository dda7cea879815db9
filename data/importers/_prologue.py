"""Make an Apple Health export's XML prologue safe to parse: drop the DOCTYPE, refuse entity tricks.

iOS 16 and later write an internal DTD that a strict parser rejects (an ATTLIST missing its `>`), so
every working reader drops the `<!DOCTYPE HealthData [ ... ]>` block. Dropping it also removes the only
place entities could be declared; a block that declares entities or points at an external DTD is
refused outright (billion laughs, XXE) instead of being silently dropped, so the owner learns why.
"""

from __future__ import annotations

import re
from datetime import date

from data.importers._source import Context
from data.model import BadInput

PROLOGUE_LIMIT = 1 << 20
"""Apple's DTD is ~10 KB; a prologue longer than this is not an export."""
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_SUBSET_END = re.compile(rb"\]\s*>")
_SKIPPED = ((b"<?", b"?>"), (b"<!--", b"-->"))


def clean_prologue(head: bytes, ctx: Context) -> bytes:
    """`head` with the DOCTYPE replaced by as many newlines as it spanned (line numbers stay right)."""
    pos = len(head) - len(head.removeprefix(b"\xef\xbb\xbf"))
    while True:
        pos += len(head[pos:]) - len(head[pos:].lstrip())
        if head.startswith(b"<!DOCTYPE", pos):
            end = _doctype_end(head, pos, ctx)
            filler = b"\n" * head.count(b"\n", pos, end)
            head, pos = head[:pos] + filler + head[end:], pos + len(filler)
        elif skip := next((pair for pair in _SKIPPED if head.startswith(pair[0], pos)), None):
            pos = _after(head, pos, skip[1], ctx)
        elif root := _ROOT.match(head, pos):
            if root.group(1) != b"HealthData":
                raise ctx.bad(_line(head, pos), "not an Apple Health export (the root is not HealthData)")
            return head
        else:
            raise ctx.bad(_line(head, pos), "malformed XML before the first element")


def is_health_data(head: bytes) -> bool:
    """Whether `head` (an XML file's start) opens an Apple Health export: its root is HealthData."""
    try:
        clean_prologue(head, Context("", date.min, 0))
    except BadInput:
        return False
    return True


def _doctype_end(head: bytes, pos: int, ctx: Context) -> int:
    """End of the DOCTYPE block at `pos`, after checking it declares no entities and no external DTD."""
    bracket, close = head.find(b"[", pos), _after(head, pos, b">", ctx)
    header_end = bracket if 0 <= bracket < close else close
    if re.search(rb"\b(SYSTEM|PUBLIC)\b", head[pos:header_end]):
        raise ctx.bad(_line(head, pos), "refused: the DOCTYPE points at an external DTD")
    if header_end == close:
        return close
    subset_end = _SUBSET_END.search(head, bracket)
    if subset_end is None:
        raise ctx.bad(_line(head, pos), "the DOCTYPE block is not closed near the start of the file")
    if b"<!ENTITY" in head[bracket : subset_end.start()]:
        raise ctx.bad(_line(head, pos), "refused: the DOCTYPE declares entities (never in a real export)")
    return subset_end.end()


def _after(head: bytes, pos: int, marker: bytes, ctx: Context) -> int:
    """Position just after the next `marker`, or an error when the prologue runs past the head."""
    found = head.find(marker, pos)
    if found < 0:
        raise ctx.bad(_line(head, pos), "the XML prologue is unterminated or too long")
    return found + len(marker)


def _line(head: bytes, pos: int) -> str:
    newlines = head.count(b"\n", 0, pos)
    return f"line {newlines + 1}"
