"""Distribution: how the family's days spread over fixed, public step bands, quarter by quarter."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, runtime, text, theme
from dashboard.components import figure_card, period_picker
from privacy.budget.plan import Product
from privacy.constraints import DAILY_STEPS_BOUNDS
from privacy.release import Release


def render() -> None:
    """The bands are fixed in advance: bands chosen from the data would leak it."""
    hearth, viewer = runtime.require()
    st.title("Distribution")
    period = period_picker.show("distribution-period", Product.DISTRIBUTION, hearth.today())
    figure_card.show(
        hearth,
        viewer,
        Product.DISTRIBUTION,
        _body,
        key="distribution-bands",
        title="Share of member-days per step band",
        period=period,
    )
    st.caption(
        f"Days above {DAILY_STEPS_BOUNDS[1]:,} steps count in the top band; a day without data counts as"
        " zero steps, so every member adds the same number of days."
    )


def _body(release: Release, key: str) -> None:
    figure = charts.figure_for(release)
    if figure is not None:
        st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key=f"{key}-chart")
    st.caption(text.md(charts.describe(release, "Share of member-days per step band"), 1200))


if __name__ == "__main__":
    render()
