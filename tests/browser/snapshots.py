"""Screenshot comparison, pixelmatch-style, in numpy: a per-pixel YIQ colour threshold and a whole-image
tolerance, as Streamlit's own suite uses (threshold 0.05, at most 0.2% of pixels differing).

Baselines live in `__snapshots__/<platform>/<module>/<name>.png`. A missing baseline is written and the
test fails, so CI never passes without one; `--update-snapshots` (or `HEARTH_UPDATE_SNAPSHOTS=1`)
rewrites them. On a mismatch the actual image and a diff (differing pixels in red over a faded copy)
are written to `__diff__/<module>/` (gitignored).
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
SNAPSHOTS = HERE / "__snapshots__" / sys.platform
DIFFS = HERE / "__diff__"
THRESHOLD = 0.05
"""Per-pixel: YIQ distance as a share of the largest possible (pixelmatch's `threshold`)."""
TOLERANCE = 0.002
"""Whole image: the share of pixels allowed past the threshold (0.2%)."""
MAX_YIQ_DELTA = 35215.0
"""pixelmatch's largest squared YIQ distance (black against white)."""


@dataclass(frozen=True)
class Comparison:
    """How two images differ."""

    differing: int
    total: int
    diff: Image.Image | None
    """Red where pixels differ over a faded copy of the baseline; None when the sizes differ."""

    @property
    def share(self) -> float:
        """Share of pixels past the threshold (1.0 when the sizes differ)."""
        return self.differing / self.total if self.total else 1.0

    def passes(self, tolerance: float = TOLERANCE) -> bool:
        """Within the whole-image tolerance."""
        return self.diff is not None and self.share <= tolerance


def _rgb(image: Image.Image) -> np.ndarray:
    """RGB floats, any alpha blended over white as pixelmatch does."""
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float64)
    alpha = rgba[..., 3:4] / 255.0
    return rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)


def _yiq(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = r * 0.29889531 + g * 0.58662247 + b * 0.11448223
    i = r * 0.59597799 - g * 0.27417610 - b * 0.32180189
    q = r * 0.21147017 - g * 0.52261711 + b * 0.31114694
    return y, i, q


def compare(expected: Image.Image, actual: Image.Image, threshold: float = THRESHOLD) -> Comparison:
    """Count pixels whose YIQ distance exceeds `threshold` of the largest possible.

    >>> white = Image.new("RGB", (10, 10), "white")
    >>> compare(white, white).differing
    0
    >>> dot = white.copy(); dot.putpixel((0, 0), (0, 0, 0))
    >>> compare(white, dot).differing, compare(white, dot).passes()
    (1, False)
    >>> faint = white.copy(); faint.putpixel((0, 0), (250, 250, 250))
    >>> compare(white, faint).differing
    0
    """
    total = expected.width * expected.height
    if expected.size != actual.size:
        return Comparison(differing=total, total=total, diff=None)
    a, b = _rgb(expected), _rgb(actual)
    ya, ia, qa = _yiq(a)
    yb, ib, qb = _yiq(b)
    delta = 0.5053 * (ya - yb) ** 2 + 0.299 * (ia - ib) ** 2 + 0.1957 * (qa - qb) ** 2
    mask = delta > MAX_YIQ_DELTA * threshold * threshold
    faded = (255.0 - (255.0 - ya) * 0.1).clip(0, 255)
    diff = np.repeat(faded[..., None], 3, axis=2)
    diff[mask] = (255.0, 0.0, 0.0)
    return Comparison(int(mask.sum()), total, Image.fromarray(diff.astype(np.uint8), "RGB"))


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
    if result.diff is not None:
        result.diff.save(out / f"{name}-diff.png")
        return (
            f"{name}: {result.differing} pixels ({result.share:.3%}) differ from {baseline}"
            f" (tolerance {TOLERANCE:.1%}); see {out / (name + '-diff.png')}"
        )
    return f"{name}: size {actual.size} != baseline {expected.size}; actual in {out / (name + '-actual.png')}"
