"""Goals: the share of member-days that met a step goal, bucket by bucket, with 95% error bars."""

from __future__ import annotations

import streamlit as st

from dashboard import runtime
from dashboard.components import dp_view, window_choice
from privacy.constraints import DEFAULT_STEP_GOAL
from privacy.queries import Bucket, QueryId, QuerySpec


def render() -> None:
    """The goal is public (typed by the viewer), so each goal is its own question with its own cost."""
    hearth, viewer = runtime.require()
    st.title("Goals")
    goal = st.number_input(
        "Daily step goal",
        min_value=1_000,
        max_value=25_000,
        value=DEFAULT_STEP_GOAL,
        step=500,
        key="goals-goal",
    )
    window = window_choice.show("goals-window")
    bucket = Bucket.MONTH if window == 365 else Bucket.WEEK
    spec = QuerySpec(QueryId.GOAL_ATTAINMENT, window_days=window, bucket=bucket, goal=int(goal))
    dp_view.show(
        hearth, viewer, spec, key="goals-attainment", title=f"Member-days at {int(goal):,} steps or more"
    )


if __name__ == "__main__":
    render()
