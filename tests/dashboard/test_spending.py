"""Only an explicit button spends: slider moves and reruns never do; forged epsilon is refused."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from apptest_support import enter_demo, fresh_app, spent

WEEK_SPEND = "overview-week-spend"


def test_moving_the_slider_spends_nothing(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    for value in (0.2, 0.8, 1.0):
        at.slider(key="epsilon-slider").set_value(value).run()
        assert not at.exception
    assert at.button(key=WEEK_SPEND).label == "Show (costs ε 1)"
    assert spent(demo_store) == 0


def test_accuracy_first_solves_epsilon_and_spends_nothing(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.segmented_control(key="epsilon-mode").set_value("accuracy").run()
    at.number_input(key="epsilon-margin").set_value(3000).run()
    assert not at.exception
    assert at.session_state["epsilon"] == pytest.approx(0.713273)
    assert "0.713273" in at.button(key=WEEK_SPEND).label
    assert spent(demo_store) == 0


def test_accuracy_beyond_the_cap_is_refused(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.segmented_control(key="epsilon-mode").set_value("accuracy").run()
    at.number_input(key="epsilon-margin").set_value(500).run()
    assert any("safe maximum" in e for e in at.sidebar.error.values)
    assert WEEK_SPEND not in [b.key for b in at.button]
    assert spent(demo_store) == 0


def test_the_button_spends_once_and_a_rerun_replays_free(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.button(key=WEEK_SPEND).click().run()
    assert not at.exception
    first = spent(demo_store)
    assert first == 500_000
    assert any("Spent ε 0.5" in c for c in at.caption.values)
    at.run()
    at.run()
    assert spent(demo_store) == first
    assert any("Replayed — no cost" in c for c in at.caption.values)
    assert WEEK_SPEND not in [b.key for b in at.button]


@pytest.mark.parametrize("forged", [1e9, -1, math.nan, "1", None, True])
def test_forged_epsilon_is_refused_with_a_message(demo_store: Path, forged: object) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.session_state["epsilon"] = forged
    at.run()
    assert not at.exception
    assert any("nothing was spent" in e for e in at.sidebar.error.values)
    assert WEEK_SPEND not in [b.key for b in at.button]
    assert at.get("plotly_chart") == []
    assert spent(demo_store) == 0


@pytest.mark.parametrize("forged", [1e9, -1, math.nan, "1"])
def test_forged_epsilon_with_a_click_spends_nothing(demo_store: Path, forged: object) -> None:
    at = enter_demo(fresh_app(), demo_store)
    button = at.button(key=WEEK_SPEND)
    at.session_state["epsilon"] = forged
    button.click().run()
    assert not at.exception
    assert spent(demo_store) == 0


@pytest.mark.parametrize("forged", [1e9, -1, math.nan])
def test_forged_slider_value_falls_back_to_the_minimum(demo_store: Path, forged: float) -> None:
    """Streamlit resets an out-of-range slider value to the widget's default, its minimum here."""
    at = enter_demo(fresh_app(), demo_store)
    at.session_state["epsilon-slider"] = forged
    at.button(key=WEEK_SPEND).click().run()
    assert not at.exception
    assert spent(demo_store) in (0, 10_000)


def test_exhausted_budget_shows_the_refusal_and_no_chart(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_BUDGET", "0.6")
    at = enter_demo(fresh_app(), demo_store)
    at.button(key=WEEK_SPEND).click().run()
    charts_before = len(at.get("plotly_chart"))
    at.button(key="overview-month-spend").click().run()
    assert not at.exception
    refusals = [e for e in at.error.values if "renews on" in e]
    assert len(refusals) == 1
    assert len(at.get("plotly_chart")) == charts_before
    assert spent(demo_store) == 500_000
