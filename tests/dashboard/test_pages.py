"""Every page renders; family pages open with shared figures; My data is the viewer's own; names escaped."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from apptest_support import (
    HOSTILE,
    covered_through,
    enter_demo,
    fresh_app,
    make_admin,
    member_id,
    releases,
    releases_of,
    reserve_spent,
    texts,
    unescaped,
)

from dashboard import sitemap, text
from data import store

MEMBER_PAGES = [p.path for p in sitemap.PAGES if not p.admin_only]
FIGURE_PAGES = [p.path for p in sitemap.PAGES if p.figures]


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("page", MEMBER_PAGES)
def test_every_page_renders_without_spending_the_reserve(demo_store: Path, page: str) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.switch_page(page).run()
    assert not at.exception
    assert len(at.title) == 1
    assert reserve_spent(demo_store) == 0


@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_family_pages_open_with_figures_and_no_spend_button(demo_store: Path, page: str) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.switch_page(page).run()
    assert not at.exception
    assert not [b.key for b in at.button if str(b.key).endswith("-spend")]
    page_text = " ".join(texts(at))
    assert "all 5 members" in page_text
    assert "released on 2 November 2026" in page_text
    assert at.get("plotly_chart") or at.get("image")
    assert reserve_spent(demo_store) == 0


@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_every_chart_has_a_title_and_its_figures_in_text(demo_store: Path, page: str) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.switch_page(page).run()
    captions = " ".join(at.caption.values)
    for figure in figures(at):
        layout = figure["layout"]
        assert layout["title"]["text"]
        assert layout["transition"]["duration"] == 0
    assert "95%" in captions or "±" in captions


def test_overview_shows_the_week_its_change_goals_champion_and_trend_on_open(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    assert [t.value for t in at.title] == ["Overview"]
    assert at.get("plotly_chart") == []  # small SVG pictures: the first page waits for no chart bundle
    pictures = [image.proto.imgs[0] for image in at.get("image")]
    assert len(pictures) == 3
    assert all(p.url.startswith("data:image/svg+xml;base64,") for p in pictures)
    week, trend, goals = (p.alt for p in pictures)
    assert "95% interval" in week and "2026-10-19 to 2026-10-25:" in week
    assert trend.startswith("13-week trend: about") and "week of 27 July" in trend
    assert "goal attainment" in goals and "pts" in goals
    metrics = {m.label: m.value for m in at.metric}
    assert "±" in metrics["Steps per member-day"]
    assert "pts" in metrics["Member-days at 8,000+ steps"]
    markdown = " ".join(at.markdown.values)
    assert "Change from the week before: about" in markdown
    assert any(v in markdown for v in ("higher", "lower", "can't tell yet"))
    captions = " ".join(at.caption.values)
    assert "19–25 October 2026" in captions
    assert "ε 1 per day" in captions
    assert "13-week trend: about" in captions
    assert releases_of(demo_store, "plan", "weekly") == 13
    assert releases_of(demo_store, "plan", "goals") == 1
    assert releases_of(demo_store, "plan", "champion") == 1


def test_the_first_visit_makes_the_periods_releases_once_and_says_so_once(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    assert "New this week: released for the family at ε 1 per day." in at.success.values
    made = releases(demo_store)
    at.run()
    assert at.success.values == []
    again = enter_demo(fresh_app(), demo_store, "Sam")
    assert again.success.values == []
    assert releases(demo_store) == made


def test_two_members_see_the_same_shared_figure(demo_store: Path) -> None:
    maya = enter_demo(fresh_app(), demo_store, "Maya")
    sam = enter_demo(fresh_app(), demo_store, "Sam")
    assert [m.value for m in maya.metric] == [m.value for m in sam.metric]
    assert maya.caption.values[1:4] == sam.caption.values[1:4]


def test_a_member_without_imports_is_named_as_left_out(demo_store: Path) -> None:
    conn = store.connect(demo_store)
    store.add_member(conn, "Bea")
    conn.close()
    at = enter_demo(fresh_app(), demo_store)
    assert not at.exception
    captions = unescaped(" ".join(at.caption.values))
    assert "5 of 6: Bea's data not imported for this week" in captions
    assert "5 of 6: Bea's data not imported for this 4-week period" in captions
    assert "12–18 October 2026" in captions


def test_trends_derive_months_smoothing_and_slope_free(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.switch_page("views/trends.py").run()
    made = releases(demo_store)
    at.segmented_control(key="trends-bucket").set_value("Monthly").run()
    at.toggle(key="trends-smooth").set_value(True).run()
    assert not at.exception
    (chart,) = figures(at)
    assert len(chart["data"]) == 4  # band and line, smoothed band and line
    assert chart["layout"]["xaxis"]["title"]["text"] == "Month"
    assert "steps a month, between" in " ".join(at.markdown.values)
    assert releases(demo_store) == made
    at.segmented_control(key="trends-span").set_value("52 weeks").run()
    assert releases_of(demo_store, "plan", "weekly") == 52
    assert reserve_spent(demo_store) == 0


@pytest.mark.parametrize(
    ("page", "picker", "product"),
    [
        ("views/goals.py", "goals-period", "goals"),
        ("views/distribution.py", "distribution-period", "distribution"),
        ("views/patterns.py", "patterns-quarter", "hours"),
    ],
)
def test_a_past_period_is_made_once_then_replays(
    demo_store: Path, page: str, picker: str, product: str
) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.switch_page(page).run()
    older = at.selectbox(key=picker).options[1]
    at.selectbox(key=picker).select_index(1).run()
    assert not at.exception
    assert releases_of(demo_store, "plan", product) == 2
    assert any(older in c for c in at.caption.values)
    at.run()
    assert releases_of(demo_store, "plan", product) == 2
    assert reserve_spent(demo_store) == 0


def test_my_data_shows_exactly_the_viewers_own_steps_beside_the_shared_week(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store, "Sam")
    at.switch_page("views/my_data.py").run()
    assert not at.exception
    charted = figures(at)[0]["data"][0]
    sam, maya = member_id(demo_store, "Sam"), member_id(demo_store, "Maya")
    conn = store.connect(demo_store)
    try:
        daily = store.daily_frame(conn, date(2026, 10, 19), date(2026, 10, 25))
    finally:
        conn.close()
    own = daily.filter(daily["member_id"] == sam).sort("day")
    other = daily.filter(daily["member_id"] == maya).sort("day")
    assert charted["x"] == [d.isoformat() for d in own["day"].to_list()]
    assert charted["y"] == own["steps"].to_list()
    assert charted["y"] != other["steps"].to_list()
    assert "±" in {m.label: m.value for m in at.metric}["Family average"]
    assert reserve_spent(demo_store) == 0


def test_my_average_counts_only_the_days_my_imports_cover(demo_store: Path) -> None:
    covered_through(demo_store, "Sam", date(2026, 10, 21))  # his export reached Wednesday of the week shown
    at = enter_demo(fresh_app(), demo_store, "Sam")
    at.switch_page("views/my_data.py").run()
    assert not at.exception
    with closing(store.connect(demo_store)) as conn:
        daily = store.daily_frame(conn, date(2026, 10, 19), date(2026, 10, 21))
    three_days = daily.filter(daily["member_id"] == member_id(demo_store, "Sam"))["steps"].sum() / 3
    (mine,) = [m for m in at.metric if m.label == "Your average"]
    assert mine.value == f"{text.steps(three_days)} steps/day"
    assert "Over the 3 days your imports cover" in mine.proto.help

    covered_through(demo_store, "Sam", date(2026, 10, 10))  # none of the week is imported
    at.run()
    (mine,) = [m for m in at.metric if m.label == "Your average"]
    assert mine.value == "not imported yet"
    assert not any(c.startswith("You are") for c in at.caption.values)


def test_budget_page_is_a_calendar_with_its_summary_plan_and_noticeboard(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.switch_page("views/budget.py").run()
    assert not at.exception
    (heat,) = [f for f in figures(at) if f["data"][0]["type"] == "heatmap"]
    assert heat["layout"]["title"]["text"] == "Lifetime budget left per day, 2026"
    assert heat["data"][0]["colorbar"]["title"]["text"] == "ε left"
    page = " ".join(texts(at))
    assert "any one member's steps on any one day" in page
    assert "at most ε 3 in total" in page and "about 20" in page
    assert any(c.startswith("Days with less than ε 1 left:") for c in at.caption.values)
    plan, board = (frame.value for frame in at.dataframe)
    assert plan["ε per day"].tolist() == ["1", "0.3", "0.3", "0.3", "0.3", "0.3", "0.5"]
    assert set(board["Paid by"]) == {"family plan"}
    assert set(board["By whose visit"]) == {"Maya"}
    assert "19–25 October 2026" in board["Period"].tolist()
    at.segmented_control(key="budget-year").set_value(2025).run()
    assert not at.exception
    assert reserve_spent(demo_store) == 0


def test_the_plan_page_is_for_admins_only(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store, "Leo")
    with pytest.raises(ValueError, match="family_plan"):
        at.switch_page(sitemap.PLAN.path)


def test_an_admin_changes_the_plan_with_a_live_preview_and_the_change_is_logged(demo_store: Path) -> None:
    make_admin(demo_store, "Ivy")
    at = enter_demo(fresh_app(), demo_store, "Ivy")
    at.switch_page(sitemap.PLAN.path).run()
    assert not at.exception
    before = " ".join(at.caption.values)
    assert "± 2,100 steps" in before
    at.slider(key="plan-weekly-epsilon").set_value(0.5).run()
    assert "± 4,300 steps" in " ".join(at.caption.values)
    assert {m.label: m.value for m in at.metric}["Plan total per day"] == "ε 2 of 3"
    at.button(key="plan-save").click().run()
    assert any("Saved" in s for s in at.success.values)
    conn = store.connect(demo_store)
    try:
        logged = conn.execute("SELECT product, new_micro FROM family_plan_log").fetchall()
    finally:
        conn.close()
    assert logged == [("weekly", 500_000)] or ("weekly", 500_000) in logged


def test_a_plan_with_no_reserve_cannot_be_saved(demo_store: Path) -> None:
    make_admin(demo_store, "Ivy")
    at = enter_demo(fresh_app(), demo_store, "Ivy")
    at.switch_page(sitemap.PLAN.path).run()
    for product in ("weekly", "goals", "distribution", "hours"):
        at.slider(key=f"plan-{product}-epsilon").set_value(1.0).run()
    assert any("leave a reserve" in e for e in at.error.values)
    assert "plan-save" not in [b.key for b in at.button]


def test_hostile_member_name_is_shown_escaped(demo_store: Path) -> None:
    conn = store.connect(demo_store)
    store.add_member(conn, HOSTILE)
    conn.close()
    at = enter_demo(fresh_app(), demo_store, HOSTILE)
    assert not at.exception
    for page in (
        "views/overview.py",
        "views/budget.py",
        "views/import_data.py",
        "views/my_data.py",
        "views/account.py",
    ):
        at.switch_page(page).run()
        for shown in texts(at):
            assert "<img" not in shown.replace("\\<img", "")
        for chart in at.get("plotly_chart"):
            assert "<img" not in chart.proto.spec


def test_overview_names_its_day_from_the_store_not_the_wall_clock(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    assert any(date(2026, 10, 31).strftime("%-d %B %Y") in c for c in at.caption.values)


def test_start_switch_opens_the_lab_first_signed_in_with_the_sidebar(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_START", "tradeoff")
    at = enter_demo(fresh_app().switch_page("views/sign_in.py").run(), demo_store)
    assert not at.exception
    assert [t.value for t in at.title] == ["Privacy vs accuracy"]
    assert at.slider(key="epsilon-slider")


def test_presenting_the_lab_draws_no_shared_sidebar(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_START", "tradeoff")
    monkeypatch.setenv("HEARTH_PRESENT", "1")
    at = enter_demo(fresh_app().switch_page("views/sign_in.py").run(), demo_store)
    assert not at.exception
    assert [t.value for t in at.title] == ["Privacy vs accuracy"]
    assert len(at.sidebar) == 0


def test_a_real_store_never_offers_the_lab_signed_out(
    real_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_START", "tradeoff")
    at = fresh_app()
    assert [t.value for t in at.title] == ["Hearth"]
