"""Trends: the family average week by week or month by month, inside its shaded 95% band."""

from __future__ import annotations

import streamlit as st

from dashboard import runtime
from dashboard.components import dp_view, window_choice
from privacy.queries import Bucket, QueryId, QuerySpec

BUCKETS = {Bucket.WEEK: "Weekly", Bucket.MONTH: "Monthly"}


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
    window = window_choice.show("trends-window", (90, 365), default=90)
    spec = QuerySpec(QueryId.TREND, window_days=window, bucket=bucket)
    dp_view.show(hearth, viewer, spec, key="trends-average", title=f"{BUCKETS[bucket]} family average")
    st.caption(
        "The line is the noisy family average; the shaded band is where the true value lies, 95% of the time."
    )


if __name__ == "__main__":
    render()
