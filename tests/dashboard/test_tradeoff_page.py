"""The privacy-vs-accuracy page: renders signed out on made-up data, spends nothing, refuses real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apptest_support import APP, TIMEOUT, releases, spent
from streamlit.testing.v1 import AppTest

from privacy.service import Hearth
from privacy.settings import Settings

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard" / "views" / "tradeoff.py")
SECTIONS = ("release", "curves", "needle", "subtraction", "attack", "share", "renewal")
CONTROLS = (
    ("select_slider", "tradeoff-epsilon", 0.05),
    ("select_slider", "tradeoff-epsilon", 2.0),
    ("radio", "tradeoff-unit", "member-week"),
    ("select_slider", "tradeoff-window", 365),
    ("selectbox", "tradeoff-query", "hour_of_day"),
    ("radio", "tradeoff-family", "synthetic"),
    ("select_slider", "tradeoff-members", 2),
    ("toggle", "tradeoff-night-walker", False),
)


ROUTER = f"""
import streamlit as st
st.set_page_config(page_title="Hearth", layout="centered")
st.navigation([st.Page({PAGE!r}, title="Privacy vs accuracy", default=True)], position="hidden").run()
"""
"""Like the app's router: page config first, then the page as a file page (so its labels must pickle)."""


def _page() -> AppTest:
    return AppTest.from_string(ROUTER, default_timeout=TIMEOUT)


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _ledger_ready(path: Path) -> None:
    Hearth.open(Settings(db=path)).close()


def test_renders_without_sign_in_on_the_demo_store(demo_store: Path) -> None:
    at = _page().run()
    assert not at.exception
    assert at.title[0].value == "Privacy vs accuracy"
    assert any("spends no privacy budget" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 1


def test_on_a_real_familys_store_the_page_keeps_its_heading_and_says_why_it_is_closed(
    real_store: Path,
) -> None:
    at = _page().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Privacy vs accuracy"]
    (closed,) = at.info.values
    assert "opens only the demo or a synthetic store" in closed
    assert at.get("plotly_chart") == []
    assert spent(real_store) == 0


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_draws_its_charts(demo_store: Path, section: str) -> None:
    at = _page().run()
    at.radio(key="tradeoff-section").set_value(section).run()
    assert not at.exception
    assert at.get("plotly_chart")
    for spec in _charts(at):
        assert spec["layout"]["title"]["text"]


def _section(section: str) -> AppTest:
    at = _page().run()
    at.radio(key="tradeoff-section").set_value(section).run()
    assert not at.exception
    return at


def _words(at: AppTest) -> str:
    return " ".join(str(m.value) for m in (*at.markdown, *at.caption))


def test_ask_once_share_draws_its_chart_with_its_figures_beside_it(demo_store: Path) -> None:
    at = _section("share")
    (chart,) = at.get("plotly_chart")
    assert "tradeoff-share-chart" in chart.proto.id
    spec = json.loads(chart.proto.spec)
    assert spec["layout"]["title"]["text"].startswith("Ask once, share")
    words = _words(at)
    assert "5 fresh answers at ε 0.5, pooled" in words
    assert "± 1,809 expected" in words and "± 4,280 expected" in words and "± 856 expected" in words
    assert "spends ε 2.5 per member-day" in words and "spends ε 0.5 per member-day" in words
    assert "Chart description:" in words


def test_renewing_vs_lifetime_draws_its_chart_with_its_figures_beside_it(demo_store: Path) -> None:
    at = _section("renewal")
    (chart,) = at.get("plotly_chart")
    assert "tradeoff-renewal-chart" in chart.proto.id
    spec = json.loads(chart.proto.spec)
    assert spec["layout"]["title"]["text"] == "One member-day's privacy loss over a year"
    words = _words(at)
    assert "day 2025-10-27 reaches ε 32.5 on 2026-01-23" in words
    assert "never above ε 3 per day" in words
    assert "Chart description:" in words


def test_at_tiny_epsilon_the_share_section_says_why_errors_fall_short(demo_store: Path) -> None:
    at = _section("share")
    at.select_slider(key="tradeoff-epsilon").set_value(0.01).run()
    assert not at.exception
    assert "clipped to 0–25,000 steps" in _words(at)


def test_a_family_of_one_has_nobody_to_pool_with(demo_store: Path) -> None:
    at = _section("share")
    at.radio(key="tradeoff-family").set_value("synthetic").run()
    at.select_slider(key="tradeoff-members").set_value(1).run()
    assert not at.exception
    assert not at.get("plotly_chart")
    assert any("at least two" in i.value for i in at.info)


def test_moving_the_controls_spends_nothing(demo_store: Path) -> None:
    _ledger_ready(demo_store)
    at = _page().run()
    for section in SECTIONS:
        at.radio(key="tradeoff-section").set_value(section).run()
        for kind, key, value in CONTROLS[:5]:
            getattr(at, kind)(key=key).set_value(value).run()
            assert not at.exception
    for kind, key, value in CONTROLS[5:]:
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception
    assert spent(demo_store) == 0
    assert releases(demo_store) == 0


def test_the_same_settings_draw_the_same_picture(demo_store: Path) -> None:
    first = _page().run()
    first.radio(key="tradeoff-section").set_value("attack").run()
    again = _page().run()
    again.radio(key="tradeoff-section").set_value("attack").run()
    assert _charts(first) == _charts(again)


def test_a_real_store_is_refused_with_no_chart_and_no_names(real_store: Path) -> None:
    at = _page().run()
    assert not at.exception
    assert not at.get("plotly_chart")
    assert any("real family" in i.value for i in at.info)
    assert not any("Maya" in str(m.value) for m in (*at.markdown, *at.caption))


def test_presentation_mode_from_the_environment_hides_the_sidebar(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_PRESENT", "1")
    at = _page().run()
    assert at.toggle(key="tradeoff-present").value is True
    assert len(at.sidebar) == 0
    assert not at.exception


def test_presentation_mode_from_the_url(demo_store: Path) -> None:
    at = _page()
    at.query_params["present"] = "1"
    at.run()
    assert at.toggle(key="tradeoff-present").value is True
    assert len(at.sidebar) == 0


def test_outside_presentation_mode_the_sidebar_has_the_note(demo_store: Path) -> None:
    at = _page().run()
    assert at.toggle(key="tradeoff-present").value is False
    assert len(at.sidebar) == 1
    at.toggle(key="tradeoff-present").set_value(True).run()
    assert len(at.sidebar) == 0


START = """
import streamlit as st
from dashboard.components.tradeoff_start import StartOptions
options = StartOptions.read()
st.text(f"{options.start_here} {options.present}")
"""


@pytest.mark.parametrize(
    ("environment", "query", "expected"),
    [
        ({}, {}, "False False"),
        ({"HEARTH_START": "tradeoff", "HEARTH_PRESENT": "1"}, {}, "True True"),
        ({}, {"view": "tradeoff", "present": "yes"}, "True True"),
        ({"HEARTH_START": "overview", "HEARTH_PRESENT": "0"}, {"present": "no"}, "False False"),
    ],
)
def test_start_up_switches(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], query: dict[str, str], expected: str
) -> None:
    for name in ("HEARTH_START", "HEARTH_PRESENT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_string(START, default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    assert at.run().text[0].value == expected


def test_the_app_starts_straight_into_the_page_signed_out(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_START", "tradeoff")
    _ledger_ready(demo_store)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Privacy vs accuracy"
    at.select_slider(key="tradeoff-epsilon").set_value(1.0).run()
    assert spent(demo_store) == 0


def test_the_app_without_the_switch_opens_on_sign_in(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HEARTH_START", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not any(t.value == "Privacy vs accuracy" for t in at.title)
