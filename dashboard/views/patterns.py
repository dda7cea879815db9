"""Patterns: which weekdays and which hours the family walks, each with its 95% interval."""

from __future__ import annotations

import streamlit as st

from dashboard import runtime
from dashboard.components import dp_view, window_choice
from privacy.queries import QueryId, QuerySpec


def render() -> None:
    """Two separate figures, two separate costs: the viewer buys only the one they want."""
    hearth, viewer = runtime.require()
    st.title("Patterns")
    window = window_choice.show("patterns-window", (30, 90, 365), default=90)
    weekday = QuerySpec(QueryId.WEEKDAY, window_days=window)
    hourly = QuerySpec(QueryId.HOUR_OF_DAY, window_days=window)
    dp_view.show(hearth, viewer, weekday, key="patterns-weekday", title="Steps by day of the week")
    dp_view.show(hearth, viewer, hourly, key="patterns-hour", title="Steps by hour of the day")


if __name__ == "__main__":
    render()
