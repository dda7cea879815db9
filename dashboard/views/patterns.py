"""Patterns: which weekdays (a year at a time) and which hours (a quarter) the family walks."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, runtime, text, theme
from dashboard.components import figure_card, period_picker
from privacy.budget.plan import Product
from privacy.release import Release

TITLES = {Product.WEEKDAYS: "Steps by day of the week", Product.HOURS: "Steps by hour of the day"}


def render() -> None:
    """Two products of the family plan, each with its own period: a weekday needs a year of days."""
    hearth, viewer = runtime.require()
    st.title("Patterns")
    today = hearth.today()
    year = period_picker.show("patterns-year", Product.WEEKDAYS, today, count=1, title="Year")
    figure_card.show(
        hearth,
        viewer,
        Product.WEEKDAYS,
        _body,
        key="patterns-weekday",
        title=TITLES[Product.WEEKDAYS],
        period=year,
    )
    quarter = period_picker.show("patterns-quarter", Product.HOURS, today, title="Quarter")
    figure_card.show(
        hearth, viewer, Product.HOURS, _body, key="patterns-hour", title=TITLES[Product.HOURS], period=quarter
    )


def _body(release: Release, key: str) -> None:
    figure = charts.figure_for(release)
    if figure is not None:
        st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key=f"{key}-chart")
    st.caption(text.md(charts.describe(release, charts.TITLES[release.spec.query][0]), 1500))


if __name__ == "__main__":
    render()
