"""Every page, as a demo member sees it, pixel-compared with its committed baseline.

All figures are replays of the fixture ledger (no spend buttons), the clock is frozen and the viewport
fixed, so a difference is a change in the page. See snapshots.py for the comparison and its flags.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from app_driver import PHONE, after_rerun, enter_demo, go, open_app, settle_pointer, wait_for_app
from make_fixture import board_size, fixture_lab_run_keys, lab_run_keys
from playwright.sync_api import Browser, Page, expect
from snapshots import check

from dashboard import sitemap

pytestmark = pytest.mark.browser

MODULE = Path(__file__).stem
PAGES = tuple(page.title for page in sitemap.PAGES)
"""Every page a signed-in member reaches (Maya is the fixture's admin, so the Family plan too)."""
SLUGS = {page.title: page.slug for page in sitemap.PAGES}
LAB_SECTIONS = ("What moves the needle", "Subtracting yourself")
"""Tradeoff sections beyond the default one whose draws the fixture stores (see make_fixture.py)."""
STALE = "regenerate the fixture: .venv/bin/python tests/browser/make_fixture.py, then --update-snapshots"


@pytest.fixture(scope="module")
def member_page(browser: Browser, browser_context_args: dict, shared_app) -> Iterator[Page]:
    """One tab signed in as Maya for the whole module: pages are switched in-app, as a visitor does."""
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    open_app(page, shared_app.url)
    enter_demo(page)
    yield page
    context.close()


def replays_only(page: Page, db: Path, releases: int) -> None:
    """Every figure is a free replay: nothing announced as new, no release added, no fresh lab noise."""
    expect(
        page.get_by_text("New this"), f"a figure here is not in the fixture ledger; {STALE}"
    ).to_have_count(0)
    assert board_size(db) == releases, f"a page made a release; {STALE}"
    assert lab_run_keys(db) <= fixture_lab_run_keys(), f"the tradeoff lab drew fresh noise; {STALE}"


def snap(page: Page, name: str, update: bool) -> None:
    settle_pointer(page)
    wait_for_app(page)
    problem = check(page.screenshot(animations="disabled", caret="hide"), MODULE, name, update)
    if problem:
        pytest.fail(problem, pytrace=False)


@pytest.mark.parametrize("title", PAGES)
def test_page_matches_baseline(
    member_page: Page, shared_app, fixture_store: Path, title: str, update_snapshots: bool
) -> None:
    go(member_page, title)
    replays_only(member_page, shared_app.db, board_size(fixture_store))
    snap(member_page, SLUGS[title], update_snapshots)


@pytest.mark.parametrize("section", LAB_SECTIONS)
def test_tradeoff_section_matches_baseline(
    member_page: Page, shared_app, fixture_store: Path, section: str, update_snapshots: bool
) -> None:
    go(member_page, "Privacy vs accuracy")
    radio = member_page.locator(".st-key-tradeoff-section").get_by_text(section, exact=True)
    after_rerun(member_page, radio.click)
    replays_only(member_page, shared_app.db, board_size(fixture_store))
    snap(member_page, f"tradeoff-{section.lower().replace(' ', '-')}", update_snapshots)


def test_sign_in_page_matches_baseline(
    browser: Browser, browser_context_args: dict, shared_app, update_snapshots: bool
) -> None:
    context = browser.new_context(**browser_context_args)
    try:
        page = context.new_page()
        open_app(page, shared_app.url)
        snap(page, "sign-in", update_snapshots)
    finally:
        context.close()


def test_phone_overview_matches_baseline(
    browser: Browser, browser_context_args: dict, shared_app, fixture_store: Path, update_snapshots: bool
) -> None:
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    try:
        page = context.new_page()
        open_app(page, shared_app.url)
        enter_demo(page)
        replays_only(page, shared_app.db, board_size(fixture_store))
        snap(page, "overview-phone", update_snapshots)
    finally:
        context.close()
