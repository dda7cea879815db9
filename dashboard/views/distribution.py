"""Distribution: how the family's days spread over fixed, public step bands."""

from __future__ import annotations

import streamlit as st

from dashboard import runtime
from dashboard.components import dp_view, window_choice
from privacy.constraints import DAILY_STEPS_BOUNDS
from privacy.queries import QueryId, QuerySpec


def render() -> None:
    """The bands are fixed in advance: bands chosen from the data would leak it."""
    hearth, viewer = runtime.require()
    st.title("Distribution")
    window = window_choice.show("distribution-window")
    spec = QuerySpec(QueryId.DISTRIBUTION, window_days=window)
    dp_view.show(hearth, viewer, spec, key="distribution-bands", title="Share of member-days per step band")
    st.caption(
        f"Days above {DAILY_STEPS_BOUNDS[1]:,} steps count in the top band; a day without data counts as"
        " zero steps, so every member adds the same number of days."
    )


if __name__ == "__main__":
    render()
