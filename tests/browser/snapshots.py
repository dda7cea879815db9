"""Screenshot comparison with pixelmatch, at Streamlit's own suite's tolerances: a per-pixel YIQ colour
threshold of 0.05, anti-aliased pixels not counted (`includeAA=False`), at most 0.2% of pixels differing.

Baselines live in `__snapshots__/<platform>/<module>/<name>.png`. A missing baseline is written and the
test fails, so CI never passes without one; `--update-snapshots` (or `HEARTH_UPDATE_SNAPSHOTS=1`)
rewrites them. On a mismatch the actual image and pixelmatch's diff (differing pixels in red, anti-aliased
ones in yellow, over a faded copy) are written to `__diff__/<module>/` (gitignored).
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops
from pixelmatch.contrib.PIL import pixelmatch

HERE = Path(__file__).resolve().parent
SNAPSHOTS = HERE / "__snapshots__" / sys.platform
DIFFS = HERE / "__diff__"
THRESHOLD = 0.05
"""Per pixel: YIQ distance as a share of the largest possible (pixelmatch's `threshold`)."""
TOLERANCE = 0.002
"""Whole image: the share of pixels allowed past the threshold (0.2%)."""
MARGIN = 3
"""pixelmatch judges anti-aliasing from neighbours up to two pixels away; a crop this much wider than
the changed area counts exactly what the whole image would, in a fraction of pure Python's time."""


@dataclass(frozen=True)
class Comparison:
    """How two images differ."""

    differing: int
    total: int
    same_size: bool

    @property
    def share(self) -> float:
        """Share of pixels past the threshold (1.0 when the sizes differ)."""
        return self.differing / self.total if self.total else 1.0

    def passes(self, tolerance: float = TOLERANCE) -> bool:
        """Within the whole-image tolerance."""
        return self.same_size and self.share <= tolerance


def compare(expected: Image.Image, actual: Image.Image, threshold: float = THRESHOLD) -> Comparison:
    """Count the pixels pixelmatch finds past `threshold`, anti-aliasing not counted.

    >>> white = Image.new("RGB", (10, 10), "white")
    >>> compare(white, white).differing
    0
    >>> dot = white.copy(); dot.putpixel((4, 4), (0, 0, 0))
    >>> compare(white, dot).differing, compare(white, dot).passes()
    (1, False)
    >>> faint = white.copy(); faint.putpixel((4, 4), (250, 250, 250))
    >>> compare(white, faint).differing
    0
    """
    total = expected.width * expected.height
    if expected.size != actual.size:
        return Comparison(differing=total, total=total, same_size=False)
    changed = ImageChops.difference(expected.convert("RGBA"), actual.convert("RGBA"))
    box = changed.getbbox(alpha_only=False)  # by default an RGBA image's box is its alpha's only
    if box is None:
        return Comparison(differing=0, total=total, same_size=True)
    left, top, right, bottom = box
    region = (
        max(0, left - MARGIN),
        max(0, top - MARGIN),
        min(expected.width, right + MARGIN),
        min(expected.height, bottom + MARGIN),
    )
    differing = pixelmatch(expected.crop(region), actual.crop(region), threshold=threshold, includeAA=False)
    return Comparison(differing=differing, total=total, same_size=True)


def diff_image(expected: Image.Image, actual: Image.Image) -> Image.Image:
    """pixelmatch's picture of the difference, for a person to look at after a failure."""
    out = Image.new("RGBA", expected.size)
    pixelmatch(expected, actual, out, threshold=THRESHOLD, includeAA=False)
    return out


def baseline_path(module: str, name: str) -> Path:
    """Where the baseline for screenshot `name` of test module `module` lives."""
    return SNAPSHOTS / module / f"{name}.png"


def check(png: bytes, module: str, name: str, update: bool) -> str | None:
    """Compare a screenshot with its baseline; returns a failure message, or None when it matches.

    With `update`, the baseline is (re)written and it matches; a missing baseline is written and fails.
    """
    baseline = baseline_path(module, name)
    actual = Image.open(io.BytesIO(png))
    actual.load()
    if update or not baseline.exists():
        baseline.parent.mkdir(parents=True, exist_ok=True)
        actual.save(baseline, optimize=True)
        return None if update else f"no baseline for {name}: wrote {baseline}; check it and commit it"
    with Image.open(baseline) as expected:
        expected.load()
    result = compare(expected, actual)
    if result.passes():
        return None
    out = DIFFS / module
    out.mkdir(parents=True, exist_ok=True)
    actual.save(out / f"{name}-actual.png")
    if result.same_size:
        diff_image(expected, actual).save(out / f"{name}-diff.png")
        return (
            f"{name}: {result.differing} pixels ({result.share:.3%}) differ from {baseline}"
            f" (tolerance {TOLERANCE:.1%}); see {out / (name + '-diff.png')}"
        )
    return f"{name}: size {actual.size} != baseline {expected.size}; actual in {out / (name + '-actual.png')}"
