"""Trends: the family average week by week or month by month, inside its shaded 95% band."""

from __future__ import annotations

import streamlit as st

from dashboard import runtime
from dashboard.components import dp_view
from privacy.queries import Bucket, QueryId, QuerySpec

BUCKETS = {Bucket.WEEK: "Weekly", Bucket.MONTH: "Monthly"}
WINDOWS = {90: "Last 90 days", 365: "Last 365 days"}


def render() -> None:
    """Choosing a bucket or window changes only the question; the button still decides spending."""
    hearth, viewer = runtime.require()
    st.title("Trends")
    bucket = st.segmented_control(
        "Bucket",
        list(BUCKETS),
        format_func=BUCKETS.__getitem__,
        default=Bucket.WEEK,
        required=True,
        key="trends-bucket",
    )
    window = st.segmented_control(
        "Window",
        list(WINDOWS),
        format_func=WINDOWS.__getitem__,
        default=90,
        required=True,
        key="trends-window",
    )
    spec = QuerySpec(QueryId.TREND, window_days=window, bucket=bucket)
    dp_view.show(hearth, viewer, spec, key="trends-average", title=f"{BUCKETS[bucket]} family average")
    st.caption(
        "The line is the noisy family average; the shaded band is where the true value lies, 95% of the time."
    )


if __name__ == "__main__":
    render()
