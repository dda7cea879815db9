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
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from app_driver import (
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
from make_fixture import ACCOUNT, PASSWORD, VIEWER, frozen_now
from playwright.sync_api import Browser, Page, expect

from dashboard import text
from data import store
from privacy import accounts
from privacy.accounts import create_account
from privacy.queries import Bucket, QueryId, QuerySpec
from privacy.release import BudgetExhausted
from privacy.service import Hearth
from privacy.settings import PrivacySettings

pytestmark = pytest.mark.browser

NAV = '[data-testid="stSidebarNav"]'
METER = ".st-key-budget-meter"
LEAK_CHECKED_PAGES = (
    "Overview",
    "Trends",
    "Goals",
    "Distribution",
    "Patterns",
    "My data",
    "Privacy budget",
    "Import",
    "Account",
)
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


def spent_micro(db: Path, name: str) -> int:
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(spent_micro), 0) FROM ledger_spent WHERE viewer_id = ?",
            (member_id(db, name),),
        ).fetchone()
    return int(row[0])


def release_count(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM ledger_releases").fetchone()[0])


def daily_totals(db: Path) -> pl.DataFrame:
    """Every member's exact daily totals over the whole store: member name, day, steps."""
    with closing(store.connect(db)) as conn:
        first, last = store.data_range(conn)
        frame = store.daily_frame(conn, first, last)
        names = {m.id: m.name for m in store.members(conn)}
    return frame.with_columns(pl.col("member_id").replace_strict(names, return_dtype=pl.String).alias("name"))


def exhaust(db: Path, name: str) -> str:
    """Spend `name`'s whole budget through the real service, distinct views, until even ε 0.01 is refused.

    Returns the renewal date the refusal names.
    """
    hearth = Hearth.open(db, PrivacySettings(), clock=frozen_now)
    try:
        viewer = hearth.demo_sign_in(member_id(db, name))
        specs = iter(
            QuerySpec(query, window_days=window, bucket=bucket, goal=goal)
            for goal in range(8_000, 25_001, 500)
            for query in (QueryId.GOAL_ATTAINMENT, QueryId.TREND, QueryId.FAMILY_AVERAGE, QueryId.WEEKDAY)
            for window in (7, 30, 90, 365)
            for bucket in (Bucket.WEEK, Bucket.MONTH)
        )
        for epsilon in (1.0, 0.1, 0.01):
            while True:
                try:
                    hearth.release(viewer, next(specs), epsilon)
                except BudgetExhausted:
                    break
        return hearth.budget(viewer).renews_on.isoformat()
    finally:
        hearth.close()


def remaining_text(db: Path, name: str, total_micro: int = 10_000_000) -> str:
    return (
        f"Budget left: ε {text.epsilon(total_micro - spent_micro(db, name))} of {text.epsilon(total_micro)}"
    )


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
        assert conn.execute("SELECT count(*) FROM ledger_releases").fetchone()[0] == 0


# --- epsilon and budget ------------------------------------------------------------------------------


def slider_value(page: Page) -> float:
    return float(page.locator('.st-key-epsilon-slider [data-testid="stSliderThumbValue"]').inner_text())


@pytest.mark.parametrize("cap", [None, "0.7"], ids=["default-cap", "cap-0.7"])
def test_epsilon_slider_stops_at_the_cap(tab: Page, shared_app, start_app: StartApp, cap: str | None) -> None:
    app = shared_app if cap is None else start_app(env={"HEARTH_MAX_EPSILON": cap})
    limit = PrivacySettings().max_epsilon_per_view if cap is None else float(cap)
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
    expect(tab.get_by_text(f"Each view costs ε {limit:g}")).to_be_visible()


def test_spending_lowers_the_budget_and_no_reload_or_tab_restores_it(
    browser: Browser, browser_context_args: dict, start_app: StartApp
) -> None:
    app = start_app()
    member = "Leo"
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    open_app(page, app.url)
    enter_demo(page, member)
    expect(page.locator(METER)).to_contain_text("Budget left: ε 10 of 10")

    page.locator(".st-key-overview-week-spend button").click()
    expect(page.locator(".st-key-overview-week .js-plotly-plot")).to_have_count(1)
    wait_for_app(page)
    assert spent_micro(app.db, member) > 0
    after = remaining_text(app.db, member)
    assert after != "Budget left: ε 10 of 10"
    expect(page.locator(METER)).to_contain_text(after)
    spent, releases = spent_micro(app.db, member), release_count(app.db)

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
        expect(view.locator(METER)).to_contain_text(after)
        expect(view.locator(".st-key-overview-week-spend")).to_have_count(0)  # replayed, not offered again
        expect(view.locator(".st-key-overview-week .js-plotly-plot")).to_have_count(1)
    assert (spent_micro(app.db, member), release_count(app.db)) == (spent, releases)
    other_context.close()
    context.close()


def test_exhausted_budget_shows_the_refusal_with_renewal_date_and_no_chart(
    tab: Page, fixture_store: Path, start_app: StartApp, tmp_path: Path
) -> None:
    member = "Leo"
    db = copy_store(fixture_store, tmp_path / "exhausted")
    renews_on = exhaust(db, member)
    spent, releases = spent_micro(db, member), release_count(db)
    app = start_app(db=db)
    open_app(tab, app.url)
    enter_demo(tab, member)

    card = tab.locator(".st-key-overview-week")
    card.locator(".st-key-overview-week-spend button").click()
    expect(card.locator('[data-testid="stAlert"]')).to_contain_text("Not shown")
    wait_for_app(tab)
    expect(card).to_contain_text(renews_on)
    for absent in (".js-plotly-plot", '[data-testid="stMetric"]', ".st-key-overview-week-chart"):
        expect(card.locator(absent)).to_have_count(0)
    assert (spent_micro(db, member), release_count(db)) == (spent, releases)


# --- own data and leaks ------------------------------------------------------------------------------


def figures(page: Page, within: str = "body") -> list[dict]:
    return [json.loads(figure) for figure in page.locator(within).evaluate(PLOTLY_JSON)]


def test_my_data_shows_only_the_viewer_own_steps(tab: Page, shared_app) -> None:
    open_app(tab, shared_app.url)
    enter_demo(tab)  # Maya
    go(tab, "My data")
    totals = daily_totals(shared_app.db)
    with closing(store.connect(shared_app.db)) as conn:
        last = store.today(conn)
    first = last - timedelta(days=29)
    window = totals.filter(pl.col("day").is_between(first, last))
    own = {
        d.isoformat(): s
        for d, s in window.filter(pl.col("name") == VIEWER).select("day", "steps").iter_rows()
    }

    bars = [t for f in figures(tab, ".st-key-my-data-daily") for t in f["data"] if t.get("name") == "You"]
    assert len(bars) == 1
    shown = {x: y for x, y in zip(bars[0]["x"], bars[0]["y"], strict=True) if y}
    assert shown == {day: steps for day, steps in own.items() if steps}

    mean = sum(own.values()) / 30
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
    assert len(seen["My data"] & {v for v in own if telling(v)}) >= 10


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
