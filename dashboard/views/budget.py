"""Privacy budget: the lifetime budget as a calendar, the guarantee in words, the plan and the noticeboard."""

from __future__ import annotations

import math
from datetime import date, timedelta, tzinfo

import streamlit as st

from dashboard import calendar_chart, figure_text, runtime, text, theme
from privacy.budget.ledger import Stored
from privacy.budget.plan import PRODUCTS, FamilyPlan, Product
from privacy.constraints import DAILY_STEPS_BOUNDS, MICRO
from privacy.queries import UNIT_WORDS
from privacy.service import Hearth
from privacy.settings import Settings

KINDS = {"plan": "family plan", "asked": "question", "sharpen": "sharpening", "refresh": "refresh"}
"""How each release was paid for, in words: the plan's share of each day, or the reserve."""


def render() -> None:
    """Read-only: the ledger is the server's; this page shows it and spends nothing."""
    hearth, viewer = runtime.require()
    settings = hearth.settings
    last = hearth.today() - timedelta(days=1)
    st.title("Privacy budget")
    st.write(_guarantee(settings))
    year = st.segmented_control(
        "Year", [last.year - 1, last.year], default=last.year, required=True, key="budget-year"
    )
    budget = hearth.budget(viewer, date(year, 1, 1), min(date(year, 12, 31), last))
    with st.container(key="budget-calendar"):
        st.plotly_chart(
            calendar_chart.heat_map(budget.days, year, budget.lifetime_micro),
            theme=None,
            config=theme.PLOTLY_CONFIG,
            key="budget-calendar-chart",
        )
        st.caption(calendar_chart.summary(budget.days, budget.lifetime_micro))
    yours, reserve = st.columns(2)
    yours.metric(
        f"Your share left in {year}",
        f"ε {text.epsilon(budget.share_left_micro)} per day",
        help="What one question over all these days could still cost you: half of each day's reserve.",
    )
    reserve.metric("Reserve for questions", f"ε {text.epsilon(budget.reserve_micro)} per day")
    st.header("The family plan")
    st.dataframe(_plan_rows(hearth.plan()), hide_index=True, width="stretch", key="budget-plan")
    st.header("The family's noticeboard")
    st.caption("Every release ever made: each is shared with the whole family and replays free.")
    with st.container(key="budget-board"):
        st.dataframe(_board_rows(hearth), hide_index=True, width="stretch")


def _guarantee(settings: Settings) -> str:
    """The lifetime guarantee in one plain sentence, with this family's own numbers."""
    return (
        f"**The guarantee.** For {UNIT_WORDS[settings.unit]}, everything Hearth will ever show anyone —"
        f" every shared figure, question and sharpening, forever — costs at most ε"
        f" {settings.lifetime_epsilon} in total, so whether those steps are in the data or not changes the"
        f" chance of anything shown by at most a factor of {_factor(settings.lifetime_epsilon.value)}."
        f" Days count as at most {DAILY_STEPS_BOUNDS[1]:,} steps. Nothing ever renews: new days bring"
        " new budget."
    )


def _factor(epsilon: float) -> str:
    """The factor e^ε as a plain multiple: 'about 20' for ε 3."""
    return f"about {math.exp(epsilon):.0f}" if epsilon >= 1 else f"{math.exp(epsilon):.2f}"


def _plan_rows(plan: FamilyPlan) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "Figure": PRODUCTS[product].title,
            "Released every": PRODUCTS[product].cadence.value,
            "ε per day": "off" if epsilon is None else str(epsilon),
        }
        for product, epsilon in plan.epsilons
    ]
    rows.append(
        {
            "Figure": "Reserve for questions",
            "Released every": "—",
            "ε per day": text.epsilon(plan.reserve_micro),
        }
    )
    return rows


def _board_rows(hearth: Hearth) -> list[dict[str, object]]:
    names = {m.id: m.name for m in hearth.roster()}
    return [_board_row(s, names, hearth.settings.zone) for s in hearth.board()]


def _board_row(stored: Stored, names: dict[int, str], zone: tzinfo) -> dict[str, object]:
    what = (
        PRODUCTS[Product(stored.product)].title if stored.product else text.describe_query(stored.query_key)
    )
    period = figure_text.period_words(
        date.fromisoformat(stored.first_day), date.fromisoformat(stored.last_day)
    )
    return {
        "What": what,
        "Period": period,
        "ε per day": stored.charge_micro / MICRO,
        "Paid by": KINDS.get(stored.kind.value, stored.kind.value),
        "Released on": figure_text.day_in(stored.created_at, zone).isoformat(),
        "By whose visit": text.safe_name(names.get(stored.requested_by or 0, "—")),
    }


if __name__ == "__main__":
    render()
