"""How fast do the family pages rerun on the server after a control change? Targets: Overview and Trends
median <= 100 ms; the Privacy budget calendar (a year of days) median <= 150 ms.

Run: .venv/bin/python bench/page_reruns.py [--reruns 20]

Drives the real app (router, sidebar, page, Ask panel) with Streamlit's AppTest on the browser suite's
fixture store (demo family, noticeboard already holding every opening figure) at the suite's frozen
clock, signed in as Maya, and times `AppTest.run()` after each single control change: the whole script,
charts built (AppTest renders no pixels, so browser drawing time is not counted).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from make_fixture import FROZEN_NOW, build_store  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(ROOT / "dashboard" / "app.py")
TARGETS_MS = {"Overview": 100.0, "Trends": 100.0, "Privacy budget": 150.0}


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _checked(at: AppTest, title: str) -> None:
    if at.exception or [t.value for t in at.title] != [title]:
        raise SystemExit(f"{title}: the page did not render ({at.exception})")


def overview(at: AppTest, n: int) -> float:
    """The sidebar's epsilon slider, alternating: every figure replays, the Ask panel re-prices."""
    at.slider(key="epsilon-slider").set_value((0.2, 0.1)[n % 2])
    return _timed(at.run)


def trends(at: AppTest, n: int) -> float:
    """Weekly / monthly, and the smoothed line on and off: derived from stored weekly releases."""
    if n % 2:
        at.toggle(key="trends-smooth").set_value(n % 4 == 1)
    else:
        at.segmented_control(key="trends-bucket").set_value(("Weekly", "Monthly")[n % 4 == 0])
    return _timed(at.run)


def budget(at: AppTest, n: int) -> float:
    """The calendar's year, alternating 2025 and 2026: a year of days read and drawn each time."""
    at.segmented_control(key="budget-year").set_value((2025, 2026)[n % 2])
    return _timed(at.run)


PAGES = {
    "Overview": ("views/overview.py", overview),
    "Trends": ("views/trends.py", trends),
    "Privacy budget": ("views/budget.py", budget),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=20, help="timed control changes per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-reruns-") as name:
        db = Path(name) / "fixture.sqlite"
        build_store(db)
        os.environ.update({"HEARTH_DB": str(db), "HEARTH_FROZEN_NOW": FROZEN_NOW})
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.button(key="demo-enter").click().run()
        _checked(at, "Overview")
        results = {}
        for title, (path, change) in PAGES.items():
            at.switch_page(path).run()
            _checked(at, title)
            change(at, 0)  # the first change of a page warms its plotly builders
            results[title] = [change(at, n) for n in range(1, args.reruns + 1)]
            _checked(at, title)
    print(f"\nserver-side rerun after one control change, ms (n={args.reruns} each)\n")
    print(f"{'page':<16} {'median':>8} {'min':>8} {'max':>8}  target")
    for title, times in results.items():
        median = statistics.median(times)
        verdict = "meets" if median <= TARGETS_MS[title] else "MISSES"
        row = f"{title:<16} {median:8.1f} {min(times):8.1f} {max(times):8.1f}"
        print(f"{row}  <= {TARGETS_MS[title]:g} ms ({verdict})")


if __name__ == "__main__":
    main()
