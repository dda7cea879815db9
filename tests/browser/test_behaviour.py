"""What a member can do in a real browser, and what the browser is never sent.

Tests that spend start their own server on a fresh store copy (`start_app`); the others share one
server per module. Ledger facts are read straight from the store file, never from the page.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from app_driver import (
    ANSWER,
    StartApp,
    after_rerun,
    copy_store,
    enter_demo,
    go,
    open_app,
    sign_in,
    title,
    wait_for_app,
)
from make_fixture import ACCOUNT, PASSWORD, VIEWER, build_base, frozen_now, settings
from playwright.sync_api import Browser, Page, expect

from dashboard import sitemap, text
from data import store
from data.demo import DEMO_LAST_DAY
from privacy import accounts
from privacy.accounts import create_account
from privacy.constraints import DEFAULT_MAX_EPSILON_PER_VIEW
from privacy.engine.periods import Period
from privacy.queries import QueryId, QuerySpec
from privacy.service import Hearth

pytestmark = pytest.mark.browser

NAV = '[data-testid="stSidebarNav"]'
METER = ".st-key-budget-meter"
LEAK_CHECKED_PAGES = tuple(p.title for p in sitemap.PAGES if p is not sitemap.LAB)
"""Every page but the Privacy vs accuracy lab, which shows the made-up family's true values by design."""
PLOTLY_JSON = """(root) => [...root.querySelectorAll('.js-plotly-plot')].map(p =>
    JSON.stringify({data: p.data, layout: p.layout}, (k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v))"""
"""Each chart's figure as plotly holds it in the page (typed arrays made plain): hover data included."""


@pytest.fixture
def tab(browser: Browser, browser_context_args: dict) -> Iterator[Page]:
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


# --- store facts -------------------------------------------------------------------------------------


def member_id(db: Path, name: str) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT id FROM members WHERE name = ?", (name,)).fetchone()[0])


def share_spent(db: Path, name: str) -> int:
    """What `name` has taken from the days' reserves (micro-epsilon), straight from the ledger."""
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(spent_micro), 0) FROM budget_shares WHERE viewer_id = ?",
            (member_id(db, name),),
        ).fetchone()
    return int(row[0])


def release_count(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM board_releases").fetchone()[0])


def daily_totals(db: Path) -> pl.DataFrame:
    """Every member's exact daily totals over the whole store: member name, day, steps."""
    with closing(store.connect(db)) as conn:
        first, last = store.data_range(conn)
        frame = store.daily_frame(conn, first, last)
        names = {m.id: m.name for m in store.members(conn)}
    return frame.with_columns(pl.col("member_id").replace_strict(names, return_dtype=pl.String).alias("name"))


ASK_DAYS = Period(DEMO_LAST_DAY - timedelta(days=30), DEMO_LAST_DAY - timedelta(days=1))
"""The Ask panel's default days: the 30 whole days before the demo family's 'today'."""


def spend_share(db: Path, name: str) -> None:
    """Take all of `name`'s share of the Ask panel's default days with another question (ε 0.25)."""
    hearth = Hearth.open(settings(db))
    try:
        viewer = hearth.demo_sign_in(member_id(db, name))
        hearth.ask(viewer, QuerySpec(QueryId.WEEKDAY, None), 0.25, ASK_DAYS)
    finally:
        hearth.close()


def open_ask(page: Page) -> None:
    """Unfold the Ask panel (its contents are hidden, and so not clickable, while folded)."""
    page.locator(".st-key-ask summary").click()
    expect(page.locator(".st-key-ask-statistic")).to_be_visible()
    wait_for_app(page)


def ask(page: Page) -> None:
    """Click the Ask button once it is shown, and wait for the rerun it causes."""
    button = page.locator(".st-key-ask-submit button")
    expect(button).to_be_enabled()
    after_rerun(page, button.click)


# --- sign-in -----------------------------------------------------------------------------------------


def test_password_sign_in_then_sign_out(tab: Page, shared_app) -> None:
    open_app(tab, shared_app.url)
    sign_in(tab, ACCOUNT, "not the password")
    expect(tab.locator('[data-testid="stAlert"]')).to_have_count(1)
    expect(tab.locator(NAV)).to_have_count(0)

    sign_in(tab, ACCOUNT, PASSWORD)
    title(tab, "Overview")
    expect(tab.get_by_text(f"Signed in as {ACCOUNT}")).to_be_visible()
    expect(tab.locator(NAV)).to_be_visible()

    tab.locator(".st-key-sign-out button").click()
    title(tab, "Hearth")
    expect(tab.locator(NAV)).to_have_count(0)
    expect(tab.locator(".st-key-sign-out")).to_have_count(0)
    expect(tab.locator(METER)).to_have_count(0)


def test_signed_out_demo_visitor_sees_the_sign_in_page_only(tab: Page, shared_app) -> None:
    open_app(tab, shared_app.url)
    title(tab, "Hearth")
    for absent in (NAV, METER, ".st-key-sign-out", ".st-key-epsilon-slider", ".js-plotly-plot"):
        expect(tab.locator(absent)).to_have_count(0)


def test_signed_out_visitor_of_a_real_store_sees_no_names(
    tab: Page, start_app: StartApp, tmp_path: Path
) -> None:
    names = ("Maya", "Sam", "Ruth")
    db = tmp_path / "real.sqlite"
    with closing(store.connect(db)) as conn:
        accounts.ensure_schema(conn)
        for name in names[:2]:
            store.add_member(conn, name)
        create_account(conn, names[2], PASSWORD, now=frozen_now())
    app = start_app(db=db)
    for path in ("", "/overview", "/trends", "/my_data", "/budget", "/tradeoff"):
        open_app(tab, app.url + path)
        title(tab, "Hearth")
        expect(tab.locator(NAV)).to_have_count(0)
        expect(tab.locator(".st-key-demo-card")).to_have_count(0)
        html = tab.content()
        assert [n for n in names if re.search(rf"\b{n}\b", html)] == [], path
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM board_releases").fetchone()[0] == 0


# --- epsilon and budget ------------------------------------------------------------------------------


def slider_value(page: Page) -> float:
    return float(page.locator('.st-key-epsilon-slider [data-testid="stSliderThumbValue"]').inner_text())


@pytest.mark.parametrize("cap", [None, "0.7"], ids=["default-cap", "cap-0.7"])
def test_epsilon_slider_stops_at_the_cap(tab: Page, shared_app, start_app: StartApp, cap: str | None) -> None:
    app = shared_app if cap is None else start_app(env={"HEARTH_MAX_EPSILON": cap})
    limit = DEFAULT_MAX_EPSILON_PER_VIEW if cap is None else float(cap)
    open_app(tab, app.url)
    enter_demo(tab, "Leo")
    expect(tab.locator(".st-key-epsilon-slider")).to_contain_text(f"at most {limit:g}")
    thumb = tab.locator('.st-key-epsilon-slider [role="slider"], .st-key-epsilon-slider input[type="range"]')

    thumb.first.focus()
    tab.keyboard.press("End")
    for _ in range(5):
        tab.keyboard.press("ArrowRight")
    tab.keyboard.press("PageUp")
    expect(tab.locator(".st-key-epsilon-slider")).to_contain_text(f"{limit:.2f}")
    wait_for_app(tab)
    assert slider_value(tab) == limit

    tab.keyboard.press("Home")
    expect(tab.locator('.st-key-epsilon-slider [data-testid="stSliderThumbValue"]')).not_to_have_text(
        f"{limit:.2f}"
    )
    wait_for_app(tab)
    handle = tab.locator('.st-key-epsilon-slider [data-testid="stSliderThumbValue"]').bounding_box()
    track = tab.locator('.st-key-epsilon-slider [data-testid="stSlider"]').bounding_box()
    assert handle is not None and track is not None
    tab.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] + 8)
    tab.mouse.down()
    tab.mouse.move(track["x"] + track["width"] + 300, handle["y"] + handle["height"] + 8, steps=10)
    tab.mouse.up()
    expect(tab.locator('.st-key-epsilon-slider [data-testid="stSliderThumbValue"]')).to_have_text(
        f"{limit:.2f}"
    )
    wait_for_app(tab)
    assert slider_value(tab) == limit
    expect(tab.get_by_text(f"A question costs ε {limit:g} per day")).to_be_visible()


def test_overview_opens_with_a_number_and_its_interval_and_no_show_button(
    tab: Page, start_app: StartApp, tmp_path: Path
) -> None:
    db = tmp_path / "first-visit.sqlite"
    build_base(db)  # no noticeboard yet: this visit makes the week's releases
    app = start_app(db=db)
    open_app(tab, app.url)
    enter_demo(tab, "Leo")
    week = tab.locator(".st-key-overview-week")
    expect(week.locator('[data-testid="stMetricValue"]')).to_have_text(ANSWER)
    expect(week).to_contain_text("New this week: released for the family at ε 1 per day.")
    expect(week).to_contain_text("all 5 members")
    expect(tab.get_by_role("button", name=re.compile(r"^Show"))).to_have_count(0)
    made = release_count(db)
    assert made > 0

    tab.reload()  # a new session, the same week: replayed, and not announced again
    wait_for_app(tab)
    enter_demo(tab, "Ivy")
    expect(week.locator('[data-testid="stMetricValue"]')).to_have_text(ANSWER)
    expect(week).not_to_contain_text("New this week")
    assert release_count(db) == made


def test_two_members_in_two_browser_contexts_see_the_same_figure_text(
    browser: Browser, browser_context_args: dict, shared_app
) -> None:
    seen = []
    for member in ("Maya", "Nana"):
        context = browser.new_context(**browser_context_args)
        page = context.new_page()
        open_app(page, shared_app.url)
        enter_demo(page, member)
        cards = [".st-key-overview-week", ".st-key-overview-goal", ".st-key-overview-champion"]
        seen.append(
            [page.locator(f'{c} [data-testid="stMetricValue"], {c} h3').all_inner_texts() for c in cards]
            + [page.locator(f'{c} [data-testid="stCaptionContainer"]').all_inner_texts() for c in cards]
        )
        context.close()
    assert seen[0] == seen[1]
    assert any(ANSWER.search(value) for value in seen[0][0])


def test_a_refused_question_spends_nothing_and_says_why(
    tab: Page, fixture_store: Path, start_app: StartApp, tmp_path: Path
) -> None:
    member = "Leo"
    db = copy_store(fixture_store, tmp_path / "share-spent")
    spend_share(db, member)
    taken, releases = share_spent(db, member), release_count(db)
    app = start_app(db=db)
    open_app(tab, app.url)
    enter_demo(tab, member)
    expect(tab.locator(METER)).to_contain_text("Your share left: ε 0 of 0.25 per day")
    open_ask(tab)
    ask(tab)
    refusal = tab.locator('.st-key-ask [data-testid="stAlert"]')
    expect(refusal).to_contain_text("Not asked")
    expect(refusal).to_contain_text("your share of")
    expect(refusal).to_contain_text("nothing was spent")
    expect(tab.locator('.st-key-ask [data-testid="stMetric"]')).to_have_count(0)
    assert (share_spent(db, member), release_count(db)) == (taken, releases)


def test_a_question_spends_once_and_no_reload_or_tab_restores_the_share(
    browser: Browser, browser_context_args: dict, start_app: StartApp
) -> None:
    app = start_app()
    member = "Leo"
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    open_app(page, app.url)
    enter_demo(page, member)
    expect(page.locator(METER)).to_contain_text("Your share left: ε 0.25 of 0.25 per day")
    open_ask(page)
    ask(page)
    expect(page.locator('.st-key-ask [data-testid="stMetricValue"]')).to_have_text(ANSWER)
    assert share_spent(app.db, member) == 100_000 * ASK_DAYS.days
    expect(page.locator(METER)).to_contain_text("Your share left: ε 0.15 of 0.25 per day")
    taken, releases = share_spent(app.db, member), release_count(app.db)

    page.reload()  # a reload is a new Streamlit session: sign in again
    wait_for_app(page)
    enter_demo(page, member)
    second_tab = context.new_page()
    open_app(second_tab, app.url)
    enter_demo(second_tab, member)
    other_context = browser.new_context(**browser_context_args)
    fresh = other_context.new_page()
    open_app(fresh, app.url)
    enter_demo(fresh, member)
    for view in (page, second_tab, fresh):
        expect(view.locator(METER)).to_contain_text("Your share left: ε 0.15 of 0.25 per day")
        open_ask(view)  # the same question is on the board now: shown free, no button
        expect(view.locator('.st-key-ask [data-testid="stMetricValue"]')).to_have_text(ANSWER)
    for view in (page, second_tab, fresh):
        expect(view.locator(".st-key-ask-submit")).to_have_count(0)
    assert (share_spent(app.db, member), release_count(app.db)) == (taken, releases)
    other_context.close()
    context.close()


# --- own data and leaks ------------------------------------------------------------------------------


def figures(page: Page, within: str = "body") -> list[dict]:
    return [json.loads(figure) for figure in page.locator(within).evaluate(PLOTLY_JSON)]


def test_my_data_shows_only_the_viewer_own_steps(tab: Page, shared_app) -> None:
    open_app(tab, shared_app.url)
    enter_demo(tab)  # Maya
    go(tab, "My data")
    totals = daily_totals(shared_app.db)
    first, last = date(2026, 10, 19), date(2026, 10, 25)  # the last complete week, the picker's default
    window = totals.filter(pl.col("day").is_between(first, last))
    own = {
        d.isoformat(): s
        for d, s in window.filter(pl.col("name") == VIEWER).select("day", "steps").iter_rows()
    }

    bars = [t for f in figures(tab, ".st-key-my-data-daily") for t in f["data"] if t.get("name") == "You"]
    assert len(bars) == 1
    shown = {x: y for x, y in zip(bars[0]["x"], bars[0]["y"], strict=True) if y}
    assert shown == {day: steps for day, steps in own.items() if steps}

    mean = sum(own.values()) / 7
    expect(tab.locator('[data-testid="stMetric"]').first).to_contain_text(text.steps(mean))
    others = set(window["name"].unique()) - {VIEWER}
    html = tab.content()
    assert [n for n in others if re.search(rf"\b{n}\b", html)] == []


GEOMETRY = re.compile(
    r"\s(?:d|transform|points|viewBox|style|x|y|x1|x2|y1|y2|cx|cy|r|rx|ry|dx|dy|width|height|"
    r'stroke-dasharray|offset|class|id|data-[\w-]+)="[^"]*"'
)
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?![\w]|[.,]\d)")


def numbers_in_text(html: str) -> set[int]:
    """Whole numbers written in text ('12,345' or '12345'): not SVG geometry, comments, scripts or styles,
    nor digits inside a decimal, a word or a hex colour."""
    html = re.sub(r"<(script|style)\b.*?</\1>|<!--.*?-->|#[0-9a-fA-F]{3,8}\b", "", html, flags=re.S)
    return {int(token.replace(",", "")) for token in NUMBER.findall(GEOMETRY.sub("", html))}


def numbers_in_json(value: object) -> set[int]:
    """Whole numbers in a plotly figure: integral numbers, and numbers written in its strings."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, int | float):
        return {int(value)} if float(value).is_integer() else set()
    if isinstance(value, str):
        return numbers_in_text(value)
    if isinstance(value, dict):
        return set().union(*(numbers_in_json(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(numbers_in_json(v) for v in value)) if value else set()
    return set()


def telling(value: int) -> bool:
    """Totals worth looking for: four digits or more, not round (noisy figures and axes are rounded to
    tens or coarser) and not a year (dates are on every page)."""
    return value >= 1_000 and value % 10 != 0 and not 1_900 <= value <= 2_100


def exact_totals(totals: pl.DataFrame) -> dict[str, set[int]]:
    """Each member's exact daily totals and Monday-to-Sunday weekly totals."""
    weekly = totals.group_by("name", pl.col("day").dt.truncate("1w")).agg(pl.col("steps").sum())
    found: dict[str, set[int]] = {}
    for frame in (totals, weekly):
        for name, steps in frame.select("name", "steps").iter_rows():
            found.setdefault(name, set()).add(int(steps))
    return found


def test_no_page_holds_another_member_exact_daily_or_weekly_totals(tab: Page, shared_app) -> None:
    totals = exact_totals(daily_totals(shared_app.db))
    own = totals.pop(VIEWER)
    forbidden = {v: n for n, values in totals.items() for v in values if telling(v) and v not in own}
    assert len(forbidden) > 1_000  # the check has something to find

    open_app(tab, shared_app.url)
    enter_demo(tab)
    seen: dict[str, set[int]] = {}
    for page_title in LEAK_CHECKED_PAGES:
        go(tab, page_title)
        seen[page_title] = numbers_in_text(tab.content()) | numbers_in_json(figures(tab))

    leaks = {
        page: {v: forbidden[v] for v in sorted(numbers & forbidden.keys())} for page, numbers in seen.items()
    }
    assert {page: found for page, found in leaks.items() if found} == {}
    # The detector sees chart data: the viewer's own exact totals are found on My data.
    assert len(seen["My data"] & {v for v in own if telling(v)}) >= 4  # a week of days


# --- layout --------------------------------------------------------------------------------------------


def test_tradeoff_page_keeps_its_wide_layout_on_every_rerun(tab: Page, shared_app) -> None:
    """The router sets layout="centered" and the lab page then "wide" on every run; the lab must stay wide."""
    open_app(tab, shared_app.url)
    enter_demo(tab)
    go(tab, "Privacy vs accuracy")
    widths = []
    for section in ("What moves the needle", "Subtracting yourself", "Release vs truth") * 2:
        radio = tab.locator(".st-key-tradeoff-section").get_by_text(section, exact=True)
        after_rerun(tab, radio.click)
        box = tab.locator('[data-testid="stMainBlockContainer"]').bounding_box()
        widths.append((section, round(box["width"]) if box else 0))
    assert {w for _, w in widths} == {widths[0][1]} and widths[0][1] > 900, widths
