"""Trends: the family average week by week or month by month, derived free from the stored weekly figures."""

from __future__ import annotations

from datetime import tzinfo

import streamlit as st

from dashboard import figure_text, runtime, series_charts, text, theme
from dashboard.components import figure_card
from privacy import derived
from privacy.budget.plan import Product
from privacy.release import Release

BUCKETS = ("Weekly", "Monthly")
SPANS = {"13 weeks": 13, "52 weeks": 52}
"""The spans offered: fixed and public. The options are their own labels (a page file's functions, run
as `__main__`, cannot be pickled into session state as a format function)."""


def render() -> None:
    """Controls change only how stored weekly releases are drawn: months, smoothing and slope cost nothing."""
    hearth, viewer = runtime.require()
    st.title("Trends")
    bucket, span, smooth = _controls()
    with st.container(border=True, key="trends-average"):
        weeks = figure_card.fetch_series(hearth, viewer, Product.WEEKLY, span)
        if weeks:
            _draw(weeks, bucket == "Monthly", smooth, hearth.settings.zone)
    st.caption(
        "The line is the noisy family average; the shaded band is where the true value lies, 95% of the"
        " time. Months pool the weeks whose Thursday falls in them; the smoothed line averages three"
        " neighbouring points and has its own, narrower band. None of this spends budget."
    )


def _controls() -> tuple[str, int, bool]:
    left, middle, right = st.columns(3)
    with left:
        bucket = st.segmented_control("Bucket", BUCKETS, default="Weekly", required=True, key="trends-bucket")
    with middle:
        span = st.segmented_control("Span", list(SPANS), default="13 weeks", required=True, key="trends-span")
    with right:
        smooth = st.toggle("Smoothed line", key="trends-smooth")
    return bucket, SPANS[span], smooth


def _draw(weeks: tuple[Release, ...], monthly: bool, smooth: bool, zone: tzinfo) -> None:
    """The series with its band, the optional smoothed line, the slope in words and every value in text."""
    if not all(w.replayed for w in weeks):
        st.success(f"New this week: released for the family at ε {weeks[-1].epsilon} per day.")
    points = series_charts.weekly_points(weeks)
    if monthly:
        points = series_charts.monthly_points(points)
    estimates = [p.estimate for p in points]
    smoothed = derived.moving_average(estimates) if smooth else None
    title = f"{'Monthly' if monthly else 'Weekly'} family average, last {len(weeks)} weeks"
    figure = series_charts.band_figure(points, title, "Month" if monthly else "Week starting", smoothed)
    st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key="trends-average-chart")
    slope = derived.slope(estimates)
    st.markdown(
        f"**Slope:** {figure_text.change_words(slope, 'a month' if monthly else 'a week')} (95% interval)."
    )
    st.caption(text.md(_description(title, points), 3000))
    st.caption(text.md(figure_text.series_footer(weeks, zone=zone), 400))


def _description(title: str, points: list[series_charts.Point] | tuple[series_charts.Point, ...]) -> str:
    values = "; ".join(f"{p.first.isoformat()}: {figure_text.estimate_words(p.estimate)}" for p in points)
    return f"{title}, steps per member-day. {values}."


if __name__ == "__main__":
    render()
