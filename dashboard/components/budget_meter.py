"""The sidebar's budget meter: the viewer's share of the reserve, beside the epsilon slider it limits."""

from __future__ import annotations

import streamlit as st

from dashboard import text
from dashboard.components.epsilon_control import WEEKLY_VIEW, EpsilonChoice
from privacy.epsilon import InvalidEpsilon
from privacy.identity import Viewer
from privacy.release import Refused
from privacy.service import BudgetView, Hearth


def questions_left(share_micro: int, cost_micro: int) -> int:
    """Whole questions of `cost_micro` per day that a share of `share_micro` per day still buys.

    >>> questions_left(250_000, 100_000)
    2
    >>> questions_left(50_000, 100_000)
    0
    """
    return share_micro // cost_micro if cost_micro > 0 else 0


def show(hearth: Hearth, viewer: Viewer, choice: EpsilonChoice) -> BudgetView | None:
    """Draw the meter over the last 90 days; nothing here spends, the forecast is a preview."""
    try:
        budget = hearth.budget(viewer)
    except Refused as refusal:
        st.error(text.refusal(refusal))
        return None
    share = budget.share_left_micro / budget.quota_micro if budget.quota_micro else 0.0
    st.progress(
        min(max(share, 0.0), 1.0),
        text=(
            f"Your share left: ε {text.epsilon(budget.share_left_micro)} of"
            f" {text.epsilon(budget.quota_micro)} per day"
        ),
    )
    st.caption(_forecast(hearth, budget, choice))
    return budget


def _forecast(hearth: Hearth, budget: BudgetView, choice: EpsilonChoice) -> str:
    if choice.problem:
        return "No forecast until a valid epsilon is chosen."
    try:
        cost = hearth.preview(WEEKLY_VIEW, choice.value).epsilon
    except (InvalidEpsilon, Refused):
        return "No forecast until a valid epsilon is chosen."
    count = questions_left(budget.share_left_micro, cost.micro)
    noun = "question" if count == 1 else "questions"
    return (
        f"About {count} more {noun} over the last 90 days at ε {cost}. The family's lifetime budget is"
        f" ε {text.epsilon(budget.lifetime_micro)} per day, never renewed; your share is half of what"
        " the plan leaves in reserve."
    )
