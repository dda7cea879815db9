"""My data: the signed-in member's own exact steps, beside family figures they have already bought."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import charts, own_charts, runtime, text, theme
from dashboard.components import epsilon_control, window_choice
from privacy.constraints import DEFAULT_STEP_GOAL, MICRO
from privacy.identity import Viewer
from privacy.queries import QueryId, QuerySpec
from privacy.release import Refused, Release
from privacy.service import Hearth


def render() -> None:
    """Own data is exact and free: it is the viewer's, and the service refuses anyone else's."""
    hearth, viewer = runtime.require()
    st.title("My data")
    st.caption("Your own steps, exactly as imported. Only you can see them; nothing here spends budget.")
    window = window_choice.show("my-data-window", (7, 30, 90), default=30)
    last = hearth.today()
    first = last - timedelta(days=window - 1)
    daily = hearth.own_daily(viewer, viewer.member_id, first, last)
    family = _released_average(hearth, viewer, window)
    own_mean = daily["steps"].sum() / window
    _standing(own_mean, family)
    figure = own_charts.own_daily_figure(
        daily["day"].to_list(), daily["steps"].to_list(), family, DEFAULT_STEP_GOAL
    )
    st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key="my-data-daily")
    st.caption(
        f"Orange bars: your days. Dotted green: the {DEFAULT_STEP_GOAL:,}-step goal."
        + (" Blue line and band: the family average you bought, with its 95% interval." if family else "")
    )
    hourly = hearth.own_hourly(viewer, viewer.member_id, first, last)
    if hourly.height:
        by_hour = hourly.select("hour", "steps").group_by("hour").sum().sort("hour")
        mean_steps = [s / window for s in by_hour["steps"].to_list()]
        figure = own_charts.own_hourly_figure(by_hour["hour"].to_list(), mean_steps)
        st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key="my-data-hourly")


def _released_average(hearth: Hearth, viewer: Viewer, window: int) -> Release | None:
    """A family average this viewer already bought on today's data, replayed free; never a new release.

    The replay key holds the requested epsilon: try the current choice, then each charge in the ledger.
    """
    spec = QuerySpec(QueryId.FAMILY_AVERAGE, window_days=window)
    tried = [epsilon_control.current(hearth).value]
    tried += [entry.epsilon_micro / MICRO for entry in hearth.history(viewer) if entry.query_key == spec.key]
    for epsilon in tried:
        try:
            found = hearth.stored(viewer, spec, epsilon)
        except (ValueError, Refused):
            continue
        if found is not None:
            return found
    return None


def _standing(own_mean: float, family: Release | None) -> None:
    mine, theirs = st.columns(2)
    mine.metric("Your average", f"{text.steps(own_mean)} steps/day", help="Days without data count as zero.")
    if family is None:
        theirs.metric("Family average", "not bought yet")
        st.caption(
            "Show this period's family average on the Overview to compare; this page never spends budget."
        )
        return
    theirs.metric("Family average", charts.summary(family), help=charts.caption(family))
    lower, upper = family.lower[0], family.upper[0]
    where = "above" if own_mean > upper else "below" if own_mean < lower else "within"
    st.caption(f"You are {where} the family's 95% interval ({charts.interval_note(family)}).")


if __name__ == "__main__":
    render()
