"""Every page renders; My data is the viewer's own; hostile names arrive escaped."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from apptest_support import HOSTILE, enter_demo, fresh_app, member_id, spent, texts

from data import store

PAGES = (
    "views/overview.py",
    "views/trends.py",
    "views/goals.py",
    "views/distribution.py",
    "views/patterns.py",
    "views/my_data.py",
    "views/budget.py",
    "views/import_data.py",
    "views/account.py",
    "views/tradeoff.py",
)
SPEND_BUTTONS = {
    "views/overview.py": [
        "overview-week-spend",
        "overview-month-spend",
        "overview-goal-spend",
        "overview-champion-spend",
    ],
    "views/trends.py": ["trends-average-spend"],
    "views/goals.py": ["goals-attainment-spend"],
    "views/distribution.py": ["distribution-bands-spend"],
    "views/patterns.py": ["patterns-weekday-spend", "patterns-hour-spend"],
}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_spending(demo_store: Path, page: str) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.switch_page(page).run()
    assert not at.exception
    assert len(at.title) == 1
    assert spent(demo_store) == 0


@pytest.mark.parametrize(("page", "keys"), SPEND_BUTTONS.items())
def test_every_family_figure_can_be_bought_and_carries_its_interval(
    demo_store: Path, page: str, keys: list[str]
) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.switch_page(page).run()
    for key in keys:
        at.button(key=key).click().run()
        assert not at.exception
    captions = [c for c in at.caption.values if c.startswith("Protects")]
    assert len(captions) == len(keys)
    assert all("ε 0.5" in c and "Mechanism" in c for c in captions)
    assert spent(demo_store) == 500_000 * len(keys)
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        assert figure["layout"]["transition"]["duration"] == 0
        layout = figure["layout"]
        is_strip = layout["height"] <= 150  # a metric's interval strip: the metric above names the unit
        assert is_strip or (layout["title"]["text"] and layout["yaxis"]["title"]["text"])
        assert layout["yaxis"]["range"] if not is_strip else layout["xaxis"]["range"]


def test_my_data_shows_exactly_the_viewers_own_steps(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store, "Sam")
    at.switch_page("views/my_data.py").run()
    assert not at.exception
    charted = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    sam, maya = member_id(demo_store, "Sam"), member_id(demo_store, "Maya")
    conn = store.connect(demo_store)
    try:
        last = store.today(conn)
        daily = store.daily_frame(conn, last - timedelta(days=29), last)
    finally:
        conn.close()
    own = daily.filter(daily["member_id"] == sam).sort("day")
    other = daily.filter(daily["member_id"] == maya).sort("day")
    assert charted["x"] == [d.isoformat() for d in own["day"].to_list()]
    assert charted["y"] == own["steps"].to_list()
    assert charted["y"] != other["steps"].to_list()
    assert spent(demo_store) == 0


def test_my_data_compares_with_a_family_average_already_bought(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.button(key="overview-month-spend").click().run()
    bought = spent(demo_store)
    at.switch_page("views/my_data.py").run()
    assert not at.exception
    assert "±" in " ".join(f"{m.value}" for m in at.metric)
    assert spent(demo_store) == bought


def test_budget_page_lists_the_ledger_and_the_privacy_unit(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.button(key="overview-week-spend").click().run()
    at.switch_page("views/budget.py").run()
    assert not at.exception
    page = " ".join(texts(at))
    assert "any one member's steps on any one day" in page
    assert "25,000" in page
    assert "renews" in page or "next period starts" in page
    ledger = at.dataframe[0].value
    assert ledger["Figure"].tolist() == ["Family average, last 7 days"]
    assert ledger["Day"].tolist() == ["2026-11-02"]


def test_hostile_member_name_is_shown_escaped(demo_store: Path) -> None:
    conn = store.connect(demo_store)
    store.add_member(conn, HOSTILE)
    conn.close()
    at = enter_demo(fresh_app(), demo_store, HOSTILE)
    assert not at.exception
    at.button(key="overview-champion-spend").click().run()
    assert not at.exception
    for page in ("views/overview.py", "views/import_data.py", "views/my_data.py", "views/account.py"):
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
