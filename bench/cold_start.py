"""How fast the Overview's figures appear in headless Chromium, from a fresh server each time.

Goals, medians: the week's releases already on the noticeboard, navigation to every Overview figure
visible within 2.5 s (cold: a fresh server and browser context each time); the first visit of a new week,
whose release is made during the page load, within 3 s. Also timed: a family's very first visit (all 15
opening releases made during the load), warm loads (one server, new sessions) and returning visits (the
browser's HTTP cache warm). The store is the browser suite's fixture (demo family, Maya the admin) at the
suite's frozen clock. Server-side reruns are timed by bench/page_reruns.py.

    .venv/bin/python bench/cold_start.py [--cold 5] [--warm 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from app_driver import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, running_app, wait_for_app  # noqa: E402
from make_fixture import (  # noqa: E402
    VIEWER,
    build_base,
    build_store,
    opening_periods,
    settings,
)
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from privacy.budget.plan import PRODUCTS, Product  # noqa: E402
from privacy.engine.periods import latest_ended  # noqa: E402
from privacy.service import Hearth  # noqa: E402

GOALS_S = {"cold": 2.5, "new week": 3.0}
VIEWPORT = {"width": 1280, "height": 1600}
PICTURES = """() => document.querySelectorAll('.js-plotly-plot .main-svg').length / 3
    + [...document.querySelectorAll('[data-testid="stImage"] img')]
        .filter(image => image.complete && image.naturalWidth).length"""
"""Pictures on screen: each drawn plotly chart (three SVG layers each), each decoded image."""
FIGURES_SHOWN = f"""n => ({PICTURES})() >= n
    && [...document.querySelectorAll('.st-key-overview-week [data-testid="stMetricValue"]')]
        .some(e => e.textContent.includes('±'))"""
"""Every picture drawn and the week's number with its interval on screen: the Overview's figures visible."""


def load_overview(browser: Browser, url: str, charts: int, context: BrowserContext | None = None) -> dict:
    """Navigate, enter the demo, and time the steps up to the figures visible (`charts` charts drawn).

    A fresh context by default (a first visit: nothing cached); pass one to reuse its HTTP cache.
    """
    own = context is None
    context = context or browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url)
        page.locator(".st-key-demo-enter button").wait_for(timeout=TIMEOUT_MS)
        ready = time.perf_counter()
        page.locator(".st-key-demo-enter button").click()
        page.get_by_role("heading", name="Overview").wait_for(timeout=TIMEOUT_MS)
        titled = time.perf_counter()
        page.wait_for_function(FIGURES_SHOWN, arg=charts, polling="raf", timeout=TIMEOUT_MS)
        done = time.perf_counter()
        return {
            "sign-in page": ready - start,
            "enter -> Overview title": titled - ready,
            "title -> figures visible": done - titled,
            "total": done - start,
        }
    finally:
        page.close()
        if own:
            context.close()


def count_charts(browser: Browser, url: str) -> int:
    """How many pictures (charts and images) the Overview shows once settled (replays in the fixture)."""
    context = browser.new_context(viewport=VIEWPORT)
    page: Page = context.new_page()
    try:
        page.goto(url)
        wait_for_app(page)
        page.locator(".st-key-demo-enter button").click()
        page.get_by_role("heading", name="Overview").wait_for(timeout=TIMEOUT_MS)
        wait_for_app(page)
        return int(page.evaluate(PICTURES))
    finally:
        context.close()


def new_week_store(path: Path) -> None:
    """The fixture's family with every opening release but the newest week's: a visit makes that one."""
    build_base(path)
    hearth = Hearth.open(settings(path))
    try:
        viewer = hearth.demo_sign_in(next(m.id for m in hearth.roster() if m.name == VIEWER))
        newest = latest_ended(hearth.today(), PRODUCTS[Product.WEEKLY].cadence)
        for product, period in opening_periods():
            if (product, period) != (Product.WEEKLY, newest):
                hearth.figure(viewer, product, period)
    finally:
        hearth.close()


def copy_of(template: Path, path: Path) -> None:
    """A fresh copy of the fixture store: every opening release already on the noticeboard."""
    path.write_bytes(template.read_bytes())


def cold_loads(
    browser: Browser, make: Callable[[Path], None], folder: Path, label: str, runs: int, charts: int
) -> list[dict]:
    """`runs` loads, each on a fresh server over a fresh store made by `make`."""
    out = []
    for n in range(runs):
        db = folder / f"{label}-{n}.sqlite"
        make(db)
        boot = time.perf_counter()
        with running_app(db, folder / f"{label}-{n}.log") as app:
            healthy = time.perf_counter() - boot
            out.append({"server boot": healthy, **load_overview(browser, app.url, charts)})
    return out


def browser_runs(template: Path, folder: Path, cold: int, warm: int) -> tuple[dict[str, list[dict]], int]:
    """Cold starts on the fixture, on a new week and on a first-ever visit (fresh server and context
    each), warm loads (same server, fresh context) and returning visits (same server, same context: the
    browser's HTTP cache holds Streamlit's scripts)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        db = folder / "count.sqlite"
        db.write_bytes(template.read_bytes())
        with running_app(db, folder / "count.log") as app:
            # Counting needs a server too; this first cold start is not timed.
            charts = count_charts(browser, app.url)
        runs = {
            "cold": cold_loads(browser, partial(copy_of, template), folder, "cold", cold, charts),
            "new week": cold_loads(browser, new_week_store, folder, "new-week", cold, charts),
            "first visit ever": cold_loads(browser, build_base, folder, "first", cold, charts),
        }
        db = folder / "warm.sqlite"
        db.write_bytes(template.read_bytes())
        with running_app(db, folder / "warm.log") as app:
            load_overview(browser, app.url, charts)  # first load warms the server's caches
            runs["warm"] = [load_overview(browser, app.url, charts) for _ in range(warm)]
            returning = browser.new_context(viewport=VIEWPORT)
            load_overview(browser, app.url, charts, returning)  # fills this context's HTTP cache
            runs["returning"] = [load_overview(browser, app.url, charts, returning) for _ in range(warm)]
            returning.close()
        browser.close()
    return runs, charts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cold", type=int, default=5, help="timed cold starts of each kind (fresh server each)"
    )
    parser.add_argument("--warm", type=int, default=5, help="timed warm loads (one server, new sessions)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as name:
        folder = Path(name)
        template = folder / "fixture.sqlite"
        build_store(template)
        loads, charts = browser_runs(template, folder, args.cold, args.warm)

    print(f"\nOverview with {charts} pictures; medians and ranges in seconds\n")
    print(f"{'measure':<52} {'median':>8} {'min':>8} {'max':>8}  goal")
    for label, runs in loads.items():
        for key in runs[0]:
            values = [run[key] for run in runs]
            goal = f"<= {GOALS_S[label]:g} s" if key == "total" and label in GOALS_S else ""
            row = f"{label} {key} (n={len(values)})"
            print(f"{row:<52} {statistics.median(values):8.3f} {min(values):8.3f} {max(values):8.3f}  {goal}")
    for label, goal in GOALS_S.items():
        median = statistics.median(run["total"] for run in loads[label])
        print(
            f"{label}: median {median:.2f} s {'meets' if median <= goal else 'MISSES'} its goal of {goal:g} s"
        )


if __name__ == "__main__":
    main()
