"""A member with a keyboard and no mouse: sign in, change page, move the epsilon slider, ask a question.

Only `keyboard.press` drives the page (Tab to move, Enter and the arrow keys to act); every stop on the
way must show where the focus is, as an outline or a focus ring (box-shadow): WCAG 2.1.1 and 2.4.7.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from app_driver import ANSWER, TIMEOUT_MS, StartApp, open_app, title, wait_for_app
from make_fixture import board_size
from playwright.sync_api import Browser, Page, expect

from dashboard import sitemap

pytestmark = pytest.mark.browser

MAX_TABS = 80
"""More stops than any page has: the walk fails rather than cycling for ever."""
FOCUSED_IN = "(selector) => !!document.activeElement?.closest(selector)"
FOCUS_STYLE = """() => {
    const style = getComputedStyle(document.activeElement);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const element = document.activeElement.outerHTML.slice(0, 120);
    return {element, outline, ring: style.boxShadow !== 'none'};
}"""
WHERE = """() => {
    const here = document.activeElement;
    if (here === document.body) return 'body';
    if (here === window.__firstStop) return 'round';
    window.__firstStop ??= here;
    return here.tagName === 'INPUT' && here.type !== 'range' ? 'field' : 'check';
}"""
"""Where one Tab press landed: the body (between the last stop and the first), back at the first stop (a
whole round done), a text field, or a stop whose own style must show the focus."""
SLIDER = '.st-key-epsilon-slider [role="slider"], .st-key-epsilon-slider input'


@pytest.fixture
def tab(browser: Browser, browser_context_args: dict) -> Iterator[Page]:
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focus is on (or inside) `selector`, then check that it shows."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_IN, selector):
            assert_focus_visible(page)
            return
    pytest.fail(f"{MAX_TABS} presses of Tab never reached {selector}", pytrace=False)


def assert_focus_visible(page: Page) -> None:
    style = page.evaluate(FOCUS_STYLE)
    assert style["outline"] or style["ring"], f"no visible focus on {style['element']}"


def slider_value(page: Page) -> str:
    slider = page.locator(SLIDER).first
    return slider.get_attribute("aria-valuenow") or slider.input_value()


def moved(page: Page, before: str) -> str:
    """The slider's value once it differs from `before` (the browser's side of the change)."""
    for _ in range(100):
        if (now := slider_value(page)) != before:
            return now
        page.wait_for_timeout(50)
    pytest.fail(f"the slider stayed at {before}", pytrace=False)


def test_a_keyboard_alone_signs_in_changes_page_and_epsilon_and_asks(tab: Page, start_app: StartApp) -> None:
    app = start_app()
    open_app(tab, app.url)

    tab_to(tab, ".st-key-demo-enter button")
    tab.keyboard.press("Enter")
    title(tab, sitemap.OVERVIEW.title)

    tab_to(tab, f'[data-testid="stSidebarNav"] a[href$="/{sitemap.TRENDS.slug}"]')
    tab.keyboard.press("Enter")
    title(tab, sitemap.TRENDS.title)

    tab_to(tab, SLIDER)
    before = slider_value(tab)
    tab.keyboard.press("ArrowRight")
    chosen = moved(tab, before)
    # The server has the new ε once the (folded) Ask panel prices its question at it.
    expect(tab.locator(".st-key-ask-submit button")).to_contain_text(f"ε {chosen}", timeout=TIMEOUT_MS)
    wait_for_app(tab)

    tab_to(tab, ".st-key-ask summary")
    tab.keyboard.press("Enter")
    expect(tab.locator(".st-key-ask-statistic")).to_be_visible()
    wait_for_app(tab)
    released = board_size(app.db)
    tab_to(tab, ".st-key-ask-submit button")
    expect(tab.locator(".st-key-ask-submit button")).to_contain_text(f"ε {slider_value(tab)}")
    tab.keyboard.press("Enter")
    answer = tab.locator('.st-key-ask [data-testid="stMetricValue"]')
    expect(answer).to_have_text(ANSWER, timeout=TIMEOUT_MS)
    wait_for_app(tab)
    assert board_size(app.db) == released + 1


def test_every_stop_on_the_overview_shows_its_focus(tab: Page, start_app: StartApp) -> None:
    """One whole round of the tab order of a figure page, sidebar included. Text fields are left out:
    BaseWeb draws their focus on the field's frame, not on the input itself."""
    open_app(tab, start_app().url)
    tab_to(tab, ".st-key-demo-enter button")
    tab.keyboard.press("Enter")
    title(tab, sitemap.OVERVIEW.title)
    stops = 0
    for _ in range(MAX_TABS):
        tab.keyboard.press("Tab")
        where = tab.evaluate(WHERE)
        if where == "round":
            break
        if where == "check":
            assert_focus_visible(tab)
        stops += where != "body"
    assert stops > len(sitemap.PAGES) + 3, "the walk ended early: the links, slider, sign-out and Ask"
