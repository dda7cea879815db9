"""Overview: this week's and this month's family average, goal attainment, champion, budget left."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, runtime, text, theme
from dashboard.components import dp_view
from privacy.constraints import DEFAULT_STEP_GOAL
from privacy.queries import Bucket, QueryId, QuerySpec
from privacy.release import Release

WEEK = QuerySpec(QueryId.FAMILY_AVERAGE, window_days=7)
MONTH = QuerySpec(QueryId.FAMILY_AVERAGE, window_days=30)
GOAL = QuerySpec(QueryId.GOAL_ATTAINMENT, window_days=30, bucket=Bucket.MONTH)
CHAMPION = QuerySpec(QueryId.CHAMPION, window_days=7)


def render() -> None:
    """Four family figures, each bought separately with its own button; the budget last."""
    hearth, viewer = runtime.require()
    st.title("Overview")
    st.caption(f"The family up to {hearth.today():%A %-d %B %Y}. Noise is added so no one's routine shows.")
    week, month = st.columns(2)
    with week:
        dp_view.show(hearth, viewer, WEEK, key="overview-week", title="Last 7 days", render=_metric)
    with month:
        dp_view.show(hearth, viewer, MONTH, key="overview-month", title="Last 30 days", render=_metric)
    goal, champion = st.columns(2)
    with goal:
        title = f"Days at {DEFAULT_STEP_GOAL:,}+ steps, last 30 days"
        dp_view.show(hearth, viewer, GOAL, key="overview-goal", title=title, render=_metric)
    with champion:
        title = "Champion, last 7 days"
        dp_view.show(hearth, viewer, CHAMPION, key="overview-champion", title=title, render=_champion)
    budget = hearth.budget(viewer)
    st.metric(
        "Your privacy budget left",
        f"ε {text.epsilon(budget.remaining_micro)} of {text.epsilon(budget.total_micro)}",
        help=f"Renews on {budget.renews_on:%-d %B %Y}. The Privacy budget page lists what you bought.",
    )


def _metric(release: Release, key: str) -> None:
    """A headline number with its interval drawn beneath; a series (a window over two months) as a chart."""
    if len(release.values) > 1:
        dp_view.chart(release, key)
        return
    st.metric(release.unit, charts.summary(release))
    goal = DEFAULT_STEP_GOAL if charts.measure(release) is charts.Measure.AMOUNT else None
    figure = charts.interval_strip(release, goal=goal)
    st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key=f"{key}-chart")


def _champion(release: Release, key: str) -> None:
    st.markdown(f"### :material/emoji_events: {text.md(charts.champion(release))}")


if __name__ == "__main__":
    render()
