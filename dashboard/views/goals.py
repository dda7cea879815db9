"""Goals: the share of member-days at the step goal, week by week over a 4-week period, with 95% bars."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, figure_text, runtime, text, theme
from dashboard.components import figure_card, period_picker
from privacy import derived
from privacy.budget.plan import Product
from privacy.constraints import DEFAULT_STEP_GOAL
from privacy.noticeboard import estimates
from privacy.release import Release


def render() -> None:
    """The family plan releases goal attainment every 4 weeks; older periods replay, or are made once."""
    hearth, viewer = runtime.require()
    st.title("Goals")
    period = period_picker.show("goals-period", Product.GOALS, hearth.today())
    title = f"Member-days at {DEFAULT_STEP_GOAL:,} steps or more"
    figure_card.show(hearth, viewer, Product.GOALS, _body, key="goals-attainment", title=title, period=period)
    st.caption("Ask a question below for another goal or other days; it is paid from your share.")


def _body(release: Release, key: str) -> None:
    pooled = derived.pooled_mean(estimates(release), release.denominators)
    st.metric("Over the whole period", figure_text.share_words(pooled))
    figure = charts.figure_for(release)
    if figure is not None:
        st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key=f"{key}-chart")
    st.caption(text.md(charts.describe(release, "Goal attainment week by week"), 800))


if __name__ == "__main__":
    render()
