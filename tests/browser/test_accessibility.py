"""axe-core on every page, signed out and in, in the light and the dark theme, once the figures are drawn.

No violation of any impact may come from Hearth's own markup. The only ones allowed are Streamlit's own,
listed in STREAMLIT_OWNED by rule and by the exact elements they may hit (see dashboard/README.md,
"Accessibility"), so a new violation, or an old one spreading to other elements, fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_driver import (
    ANSWER,
    TIMEOUT_MS,
    RunningApp,
    StartApp,
    demo_tabs,
    enter_demo,
    go,
    open_app,
    wait_for_app,
)
from axe_playwright_python.sync_playwright import Axe
from make_fixture import build_base
from playwright.sync_api import Browser, Page, expect

from dashboard import sitemap

pytestmark = pytest.mark.browser

SCHEMES = ("light", "dark")
PAGES = tuple(page.title for page in sitemap.PAGES)
NAV_LIST = '[data-testid="stSidebarNav"] ul[data-testid="stSidebarNavItems"]'
NAV_ITEMS = f"{NAV_LIST} li"
STREAMLIT_OWNED = {"list": NAV_LIST, "listitem": NAV_ITEMS}
"""Rule id -> the only elements it may flag. Streamlit groups the sidebar's page links by section as
`<ul><div><header/><li/>...</div></ul>`: a list whose children are not list items (`list`) and items whose
parent is not a list (`listitem`). The markup is Streamlit's; the app only names the sections."""
CHARTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stImage"]')]
  .map(chart => {
    const box = chart.closest('[data-testid="stElementContainer"]');
    const captions = [];
    for (let next = box.nextElementSibling, i = 0; next && i < 2; next = next.nextElementSibling, i++)
        captions.push(next.querySelector('[data-testid="stCaptionContainer"]')?.innerText ?? '');
    const card = box.closest('[data-testid="stVerticalBlock"][class*="st-key-"]');
    const title = chart.querySelector('.gtitle')?.textContent ?? chart.querySelector('img')?.alt ?? '';
    return {title, text: captions.join(' '), card: card?.innerText ?? ''};
  })"""
"""Each figure (a plotly chart, or a picture, whose alt text is its title), the captions of the two elements
after it, and the text of its keyed card."""
FAMILY_PAGES = tuple(page.title for page in sitemap.PAGES if page.figures)
MATCHES = "([target, allowed]) => document.querySelector(target)?.matches(allowed) ?? false"
AXE = Axe()


def violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    return AXE.run(page).response["violations"]


def unexplained(page: Page, found: list[dict]) -> list[str]:
    """Each flagged element that the allow-list does not name, as 'rule (impact): selector  html'."""
    problems = []
    for violation in found:
        allowed = STREAMLIT_OWNED.get(violation["id"])
        for node in violation["nodes"]:
            target = node["target"][0]
            if allowed is None or not page.evaluate(MATCHES, [target, allowed]):
                problems.append(f"{violation['id']} ({violation['impact']}): {target}  {node['html'][:160]}")
    return problems


def assert_clean(page: Page) -> None:
    problems = unexplained(page, violations(page))
    assert not problems, "axe-core violations in Hearth's markup:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def tab_in(browser: Browser, browser_context_args: dict, shared_app: RunningApp) -> Iterator[Callable]:
    """One signed-in tab (Maya, the admin, so every page) per colour scheme, reused across the module."""
    with demo_tabs(
        browser, browser_context_args, shared_app.url, lambda scheme: {"color_scheme": scheme}
    ) as tab:
        yield tab


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_sign_in_page_has_no_violation(
    browser: Browser, browser_context_args: dict, shared_app: RunningApp, scheme: str
) -> None:
    context = browser.new_context(**{**browser_context_args, "color_scheme": scheme})
    try:
        page = context.new_page()
        open_app(page, shared_app.url)
        assert_clean(page)
    finally:
        context.close()


@pytest.mark.parametrize("title", PAGES)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_page_has_no_violation_but_streamlits_own(tab_in: Callable, scheme: str, title: str) -> None:
    page = tab_in(scheme)
    go(page, title)
    assert_clean(page)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_open_ask_panel_has_no_violation(tab_in: Callable, scheme: str) -> None:
    page = tab_in(scheme)
    go(page, sitemap.OVERVIEW.title)
    if page.locator(".st-key-ask details[open]").count() == 0:
        page.locator(".st-key-ask summary").click()
    page.locator(".st-key-ask-statistic").wait_for()
    wait_for_app(page)
    assert_clean(page)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_first_visit_notices_and_an_answer_have_no_violation(
    browser: Browser, browser_context_args: dict, start_app: StartApp, tmp_path: Path, scheme: str
) -> None:
    """On a store with no releases yet, the Overview's first visit makes them and says "New this ...";
    then a question is asked and answered: the coloured notices and the answer are scanned too."""
    build_base(tmp_path / "empty.sqlite")
    app = start_app(db=tmp_path / "empty.sqlite")
    context = browser.new_context(**{**browser_context_args, "color_scheme": scheme})
    try:
        page = context.new_page()
        open_app(page, app.url)
        enter_demo(page)
        expect(page.get_by_text("New this").first).to_be_visible()
        page.locator(".st-key-ask summary").click()
        wait_for_app(page)
        page.locator(".st-key-ask-submit button").click()
        # The answer itself is awaited, not the rerun's start (`after_rerun`), whose signal once went
        # unseen for 30 s in a loaded run.
        answer = page.locator('.st-key-ask [data-testid="stMetricValue"]')
        expect(answer).to_have_text(ANSWER, timeout=TIMEOUT_MS)
        wait_for_app(page)
        assert_clean(page)
    finally:
        context.close()


@pytest.mark.parametrize("title", PAGES)
def test_every_chart_has_a_title_and_its_figures_in_text_beside_it(tab_in: Callable, title: str) -> None:
    """The picture is never the only place a figure lives: a caption with its numbers follows each chart,
    and on the family pages the chart's card also says the period, who is included and the epsilon."""
    page = tab_in("light")
    go(page, title)
    charts = page.evaluate(CHARTS)
    assert charts or title not in FAMILY_PAGES, f"no figure drawn on {title}"
    for chart in charts:
        assert chart["title"].strip(), f"a figure without a title on {title}"
        assert re.search(r"\d", chart["text"]), f"{chart['title']!r}: no figures in text after it"
        if title in FAMILY_PAGES:
            assert re.search(r"all \d+ members|\d+ of \d+:", chart["card"]), f"{chart['title']!r}: who?"
            assert re.search(r"\b20\d\d\b", chart["card"]), f"{chart['title']!r}: which period?"
            assert "released on" in chart["card"] and "ε" in chart["card"], f"{chart['title']!r}: when, ε?"


def test_streamlits_violations_hit_exactly_the_page_list_and_each_link(tab_in: Callable) -> None:
    """The allow-list stays precise: one list, one item per page link; when Streamlit fixes its markup,
    this fails and the entry goes."""
    page = tab_in("light")
    go(page, sitemap.OVERVIEW.title)
    found = {v["id"]: len(v["nodes"]) for v in violations(page)}
    links = page.locator(NAV_ITEMS).count()
    assert links == len(sitemap.PAGES)
    assert {rule: found.get(rule) for rule in STREAMLIT_OWNED} == {"list": 1, "listitem": links}


def test_a_violation_outside_the_allow_list_is_reported(tab_in: Callable) -> None:
    """The checker itself: an image without alternative text added to the page is caught, by selector."""
    page = tab_in("light")
    go(page, sitemap.OVERVIEW.title)
    page.evaluate(
        "() => { const i = document.createElement('img'); i.id = 'planted'; i.src = 'data:,';"
        " document.querySelector('[data-testid=stMain]').prepend(i); }"
    )
    try:
        problems = unexplained(page, violations(page))
    finally:
        page.evaluate("() => document.getElementById('planted').remove()")
    assert any(p.startswith("image-alt (critical): #planted") for p in problems), problems
