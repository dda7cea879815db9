"""Every page at 200% browser zoom and at a 390 px phone width: nothing scrolls sideways, the headline
figure is whole and in view, and a few pages are pixel-compared with their baselines (WCAG 1.4.4, 1.4.10).

200% zoom of the suite's 1280x1600 window is a 640x800 CSS-pixel viewport at two device pixels per CSS
pixel, which is what the browser lays out. Pages are reached through the sidebar at desktop width and the
window is then narrowed (the sidebar closes, as on a phone): the same session, the same replayed figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_driver import (
    ANSWER,
    DESKTOP,
    PHONE,
    RunningApp,
    demo_tabs,
    go,
    open_app,
    settle_pointer,
    wait_for_app,
)
from make_fixture import board_size
from playwright.sync_api import Browser, Page, expect
from snapshots import check

from dashboard import sitemap

pytestmark = pytest.mark.browser

MODULE = Path(__file__).stem
SIZES = {
    "zoom200": ({"width": DESKTOP["width"] // 2, "height": DESKTOP["height"] // 2}, 2),
    "phone": (PHONE, 1),
}
"""Name -> (CSS-pixel viewport, device pixels per CSS pixel)."""
PAGES = tuple(page.title for page in sitemap.PAGES)
SNAPSHOTS = (
    ("zoom200", sitemap.OVERVIEW),
    ("zoom200", sitemap.BUDGET),
    ("phone", sitemap.TRENDS),
    ("phone", sitemap.BUDGET),
)
"""The headline page and the widest content (the budget calendar, the trend chart with its controls)."""
HEADLINE = '.st-key-overview-week [data-testid="stMetricValue"]'
SIDEWAYS = """() => [...document.querySelectorAll(
        'html, body, [data-testid="stAppViewContainer"], [data-testid="stMain"]')]
    .filter(e => e.scrollWidth > e.clientWidth)
    .map(e => `${e.tagName} ${e.dataset.testid ?? ''}: ${e.scrollWidth} > ${e.clientWidth}`)"""
"""The page's scroll containers that are wider than the window (a scroll bar along the bottom)."""


@pytest.fixture(scope="module")
def sized_tab(browser: Browser, browser_context_args: dict, shared_app: RunningApp) -> Iterator[Callable]:
    """A signed-in tab per size (Maya: every page), opened at desktop width, drawn at the size's scale."""
    with demo_tabs(
        browser, browser_context_args, shared_app.url, lambda size: {"device_scale_factor": SIZES[size][1]}
    ) as tab:
        yield tab


def visit(page: Page, title: str, size: str) -> None:
    """Go to `title` at desktop width, then narrow the window to `size` and let the page settle."""
    page.set_viewport_size(DESKTOP)
    go(page, title)
    page.set_viewport_size(SIZES[size][0])
    wait_for_app(page)


def assert_no_sideways_scroll(page: Page) -> None:
    wider = page.evaluate(SIDEWAYS)
    assert not wider, f"the page scrolls sideways: {wider}"


@pytest.mark.parametrize("title", PAGES)
@pytest.mark.parametrize("size", SIZES)
def test_no_page_scrolls_sideways(sized_tab: Callable, size: str, title: str) -> None:
    page = sized_tab(size)
    visit(page, title, size)
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("size", SIZES)
def test_the_sign_in_page_does_not_scroll_sideways(
    browser: Browser, browser_context_args: dict, shared_app: RunningApp, size: str
) -> None:
    viewport, scale = SIZES[size]
    context = browser.new_context(
        **{**browser_context_args, "viewport": viewport, "device_scale_factor": scale}
    )
    try:
        page = context.new_page()
        open_app(page, shared_app.url)
        assert_no_sideways_scroll(page)
        expect(page.locator(".st-key-demo-enter button")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_headline_figure_is_whole_and_in_view(sized_tab: Callable, size: str) -> None:
    """The week's number with its interval is not cut off or ellipsed, and fits the width of the window."""
    page = sized_tab(size)
    visit(page, sitemap.OVERVIEW.title, size)
    headline = page.locator(HEADLINE)
    expect(headline).to_have_text(ANSWER)
    headline.scroll_into_view_if_needed()
    expect(headline).to_be_in_viewport(ratio=1)
    box = headline.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= SIZES[size][0]["width"]
    assert headline.evaluate("e => e.scrollWidth <= e.clientWidth"), "the headline figure is truncated"
    page.evaluate("window.scrollTo(0, 0)")


@pytest.mark.parametrize(("size", "entry"), SNAPSHOTS, ids=[f"{s}-{e.slug}" for s, e in SNAPSHOTS])
def test_page_at_size_matches_baseline(
    sized_tab: Callable,
    shared_app: RunningApp,
    fixture_store: Path,
    size: str,
    entry: sitemap.PageEntry,
    update_snapshots: bool,
) -> None:
    page = sized_tab(size)
    visit(page, entry.title, size)
    expect(page.get_by_text("New this"), "a figure here is not in the fixture ledger").to_have_count(0)
    assert board_size(shared_app.db) == board_size(fixture_store), "a page made a release"
    settle_pointer(page)
    wait_for_app(page)
    problem = check(
        page.screenshot(animations="disabled", caret="hide"), MODULE, f"{entry.slug}-{size}", update_snapshots
    )
    if problem:
        pytest.fail(problem, pytrace=False)
