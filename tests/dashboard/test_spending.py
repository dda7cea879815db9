"""Only an explicit button spends the reserve: Ask and Sharpen price first; forged values are refused."""

from __future__ import annotations

import math
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from apptest_support import covered_through, enter_demo, fresh_app, releases_of, reserve_spent, unescaped

ASK = "ask-submit"
SHARPEN = "overview-week-sharpen"
THIRTY_DAYS = 30


def test_moving_the_slider_spends_nothing(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    for value in (0.2, 0.8, 1.0):
        at.slider(key="epsilon-slider").set_value(value).run()
        assert not at.exception
    assert at.button(key=ASK).label == "Ask (costs ε 1 per day)"
    assert at.button(key=SHARPEN).label == "Sharpen (costs ε 1 per day)"
    assert reserve_spent(demo_store) == 0


def test_a_question_shows_its_cost_and_interval_then_spends_once_on_the_button(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    offer = " ".join(at.caption.values)
    assert "Costs ε 0.1 per day on each of the 30 days" in offer
    assert "ε 0.25 per day left on them" in offer and "Expected 95% interval: ±" in offer
    assert reserve_spent(demo_store) == 0
    at.button(key=ASK).click().run()
    assert not at.exception
    assert reserve_spent(demo_store) == 100_000 * THIRTY_DAYS
    shown = {m.label: m.value for m in at.metric}["steps per member-day"]
    assert "±" in shown or "(95%: " in shown  # an interval the noise pushed against 0 is shown as its ends
    at.run()
    assert reserve_spent(demo_store) == 100_000 * THIRTY_DAYS
    assert ASK not in [b.key for b in at.button]
    assert releases_of(demo_store, "asked") == 1


def test_a_question_beyond_the_viewers_share_spends_nothing_and_says_why(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.slider(key="epsilon-slider").set_value(0.3).run()
    at.button(key=ASK).click().run()
    assert not at.exception
    (refusal,) = [unescaped(e) for e in at.error.values if e.startswith("Not asked")]
    assert "your share of" in refusal and "nothing was spent" in refusal
    assert reserve_spent(demo_store) == 0
    assert releases_of(demo_store, "asked") == 0


def test_sharpen_shows_the_narrower_interval_and_cost_before_paying(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.slider(key="epsilon-slider").set_value(0.25).run()
    offers = [c for c in at.caption.values if c.startswith("One more release at ε 0.25")]
    assert "± 29 pts becomes about ± 21 pts" in offers[1]
    assert reserve_spent(demo_store) == 0
    at.button(key="overview-goal-sharpen").click().run()
    assert not at.exception
    assert reserve_spent(demo_store) == 250_000 * 28
    assert any("Combines 2 releases" in unescaped(c) for c in at.caption.values)
    assert releases_of(demo_store, "sharpen") == 1


def test_accuracy_first_solves_a_weeks_epsilon_for_sharpening_and_spends_nothing(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.segmented_control(key="epsilon-mode").set_value("accuracy").run()
    at.number_input(key="epsilon-margin").set_value(3000).run()
    assert not at.exception
    assert at.session_state["epsilon"] == pytest.approx(0.713273)
    assert "0.713273" in at.button(key=SHARPEN).label
    assert reserve_spent(demo_store) == 0


def test_accuracy_first_prices_the_question_asked_and_spends_what_it_showed(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.segmented_control(key="epsilon-mode").set_value("accuracy").run()
    at.number_input(key="epsilon-margin").set_value(6000).run()
    (aimed,) = [c for c in at.caption.values if c.startswith("Aiming at ± 6,000 steps on these days: ε")]
    epsilon = float(aimed.split("ε ")[1].split(" ")[0])
    assert epsilon < at.session_state["epsilon"]  # thirty days need less than one week for the same margin
    assert at.button(key=ASK).label == f"Ask (costs ε {epsilon:g} per day)"
    at.button(key=ASK).click().run()
    assert not at.exception
    assert reserve_spent(demo_store) == round(epsilon * 1_000_000) * THIRTY_DAYS


def test_accuracy_beyond_the_cap_is_refused(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.segmented_control(key="epsilon-mode").set_value("accuracy").run()
    at.number_input(key="epsilon-margin").set_value(500).run()
    assert any("safe maximum" in e for e in at.sidebar.error.values)
    assert ASK not in [b.key for b in at.button]
    assert reserve_spent(demo_store) == 0


@pytest.mark.parametrize("forged", [1e9, -1, math.nan, "1", None, True])
def test_forged_epsilon_is_refused_with_a_message(demo_store: Path, forged: object) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.session_state["epsilon"] = forged
    at.run()
    assert not at.exception
    assert any("nothing was spent" in e for e in at.sidebar.error.values)
    assert ASK not in [b.key for b in at.button]
    assert SHARPEN not in [b.key for b in at.button]
    assert reserve_spent(demo_store) == 0


@pytest.mark.parametrize("forged", [1e9, -1, math.nan, "1"])
@pytest.mark.parametrize("button", [ASK, SHARPEN])
def test_forged_epsilon_with_a_click_spends_nothing(demo_store: Path, forged: object, button: str) -> None:
    at = enter_demo(fresh_app(), demo_store)
    clicked = at.button(key=button)
    at.session_state["epsilon"] = forged
    clicked.click().run()
    assert not at.exception
    assert reserve_spent(demo_store) == 0


@pytest.mark.parametrize("forged", [1e9, -1, math.nan])
def test_forged_slider_value_falls_back_to_the_minimum(demo_store: Path, forged: float) -> None:
    """Streamlit resets an out-of-range slider value to the widget's default, its minimum here."""
    at = enter_demo(fresh_app(), demo_store)
    at.session_state["epsilon-slider"] = forged
    at.button(key=ASK).click().run()
    assert not at.exception
    assert reserve_spent(demo_store) in (0, 10_000 * THIRTY_DAYS)


@pytest.mark.parametrize(
    "forged",
    [
        (date(2026, 10, 1), date(2026, 11, 30)),
        (date(2026, 10, 20), date(2026, 10, 1)),
        (date(2024, 1, 1), date(2026, 10, 30)),
        (date(2026, 10, 1),),
    ],
    ids=["past-the-covered-day", "reversed", "over-a-year", "one-day-only"],
)
def test_a_window_not_offered_is_refused_with_nothing_spent(demo_store: Path, forged: object) -> None:
    at = enter_demo(fresh_app(), demo_store)
    clicked = at.button(key=ASK)
    at.session_state["ask-days"] = forged
    clicked.click().run()
    assert not at.exception
    assert any("nothing was spent" in w for w in at.warning.values + at.error.values)
    assert reserve_spent(demo_store) == 0
    assert releases_of(demo_store, "asked") == 0


def test_a_question_about_another_goal_is_its_own_question(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    at.selectbox(key="ask-statistic").set_value("goal_attainment").run()
    at.number_input(key="ask-goal").set_value(10_000).run()
    at.button(key=ASK).click().run()
    assert not at.exception
    with closing(sqlite3.connect(demo_store)) as conn:
        (key,) = conn.execute("SELECT query_key FROM board_releases WHERE kind = 'asked'").fetchone()
    assert key == "goal_attainment/dates/week/10000"
    assert reserve_spent(demo_store) == 100_000 * THIRTY_DAYS
    assert any("Days at the step goal" in unescaped(c) for c in at.caption.values)


def test_a_figure_that_left_someone_out_offers_a_refresh_once_they_import_and_spends_on_the_button(
    demo_store: Path,
) -> None:
    covered_through(demo_store, "Nana", date(2026, 10, 10))  # her October exports are not in yet
    at = enter_demo(fresh_app(), demo_store)  # the week of 19 October waits for her; 12-18 October settled
    footer = " ".join(unescaped(c) for c in at.caption.values)
    assert "12–18 October 2026 · 4 of 5: Nana's data not imported for this week" in footer
    assert "overview-week-refresh" not in [b.key for b in at.button]

    covered_through(demo_store, "Nana", date(2026, 10, 18))  # one arrives: the shown week is covered now
    at.run()
    (offer,) = [unescaped(c) for c in at.caption.values if c.startswith("A fresh release at ε 0.1")]
    assert "with Nana included" in offer
    assert reserve_spent(demo_store) == 0
    at.button(key="overview-week-refresh").click().run()
    assert not at.exception
    assert reserve_spent(demo_store) == 100_000 * 7
    assert releases_of(demo_store, "refresh") == 1
    footer = " ".join(unescaped(c) for c in at.caption.values)
    assert "12–18 October 2026 · all 5 members · ε 0.1 per day" in footer
    assert "overview-week-refresh" not in [b.key for b in at.button]
