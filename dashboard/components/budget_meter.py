"""The sidebar's budget meter: what is left, how many weekly views that buys, and when it renews."""

from __future__ import annotations

import streamlit as st

from dashboard import text
from dashboard.components.epsilon_control import WEEKLY_VIEW, EpsilonChoice
from privacy.epsilon import InvalidEpsilon
from privacy.identity import Viewer
from privacy.release import Refused
from privacy.service import Budget, Hearth


def views_left(available_micro: int, cost_micro: int) -> int:
    """Whole views of `cost_micro` that `available_micro` still buys (the forecast, not a promise).

    >>> views_left(9_000_000, 500_000)
    18
    >>> views_left(400_000, 500_000)
    0
    """
    return available_micro // cost_micro if cost_micro > 0 else 0


def show(hearth: Hearth, viewer: Viewer, choice: EpsilonChoice) -> Budget | None:
    """Draw the meter; nothing here spends, the forecast is a preview."""
    try:
        budget = hearth.budget(viewer)
    except Refused as refusal:
        st.error(str(refusal))
        return None
    share = budget.remaining_micro / budget.total_micro if budget.total_micro else 0.0
    st.progress(
        min(max(share, 0.0), 1.0),
        text=f"Budget left: ε {text.epsilon(budget.remaining_micro)} of {text.epsilon(budget.total_micro)}",
    )
    if budget.family_remaining_micro is not None and budget.family_cap_micro is not None:
        st.caption(
            f"Family-wide: ε {text.epsilon(budget.family_remaining_micro)} of"
            f" {text.epsilon(budget.family_cap_micro)} left for everyone together."
        )
    st.caption(_forecast(hearth, budget, choice) + f" Renews on {budget.renews_on:%-d %B %Y}.")
    return budget


def _forecast(hearth: Hearth, budget: Budget, choice: EpsilonChoice) -> str:
    if choice.problem:
        return "No forecast until a valid epsilon is chosen."
    try:
        cost = hearth.preview(WEEKLY_VIEW, choice.value).epsilon
    except (InvalidEpsilon, Refused):
        return "No forecast until a valid epsilon is chosen."
    count = views_left(budget.available_micro, cost.micro)
    noun = "view" if count == 1 else "views"
    return f"About {count} more weekly {noun} this period at ε {cost}."
