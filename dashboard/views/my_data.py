"""My data: the member's own exact steps beside the shared family figure of the same week."""

from __future__ import annotations

from datetime import date, timedelta, tzinfo

import streamlit as st

from dashboard import charts, figure_text, own_charts, runtime, text, theme
from dashboard.components import figure_card, period_picker
from privacy.budget.plan import Product
from privacy.constraints import DEFAULT_STEP_GOAL
from privacy.engine.periods import Period
from privacy.release import Release

WEEKS = 13


def render() -> None:
    """Own data is exact and free: it is the viewer's, and the service refuses anyone else's."""
    hearth, viewer = runtime.require()
    st.title("My data")
    st.caption("Your own steps, exactly as imported. Only you can see them; nothing here spends your share.")
    week = period_picker.show("my-data-week", Product.WEEKLY, hearth.today(), count=WEEKS, title="Week")
    daily = hearth.own_daily(viewer, viewer.member_id, week.first, week.last)
    family = figure_card.fetch(hearth, viewer, Product.WEEKLY, week)
    known = _known_days(week, hearth.own_coverage(viewer))
    last_known = week.first + timedelta(days=known - 1)
    days, steps = daily["day"].to_list(), daily["steps"].to_list()
    own_mean = sum(s for d, s in zip(days, steps, strict=True) if d <= last_known) / known if known else None
    _standing(own_mean, known, week, family, hearth.settings.zone)
    figure = own_charts.own_daily_figure(week, days, steps, family, DEFAULT_STEP_GOAL)
    st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key="my-data-daily")
    st.caption(
        f"Your daily steps, {figure_text.period_words(week.first, week.last)}: "
        + ", ".join(f"{d:%a} {s:,}" for d, s in zip(days, steps, strict=True))
        + f". Dotted green: the {DEFAULT_STEP_GOAL:,}-step goal."
        + (
            " Blue line and band: the shared family average of the same week, with its 95% interval."
            if family
            else ""
        )
    )
    hourly = hearth.own_hourly(viewer, viewer.member_id, week.first, last_known) if known else None
    if hourly is not None and hourly.height:
        by_hour = hourly.select("hour", "steps").group_by("hour").sum().sort("hour")
        mean_steps = [s / known for s in by_hour["steps"].to_list()]
        figure = own_charts.own_hourly_figure(by_hour["hour"].to_list(), mean_steps)
        st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key="my-data-hourly")
        hours = ", ".join(
            f"{h}:00 {round(s):,}" for h, s in zip(by_hour["hour"].to_list(), mean_steps, strict=True)
        )
        st.caption(f"Your average day that week, steps per hour: {hours}.")


def _known_days(week: Period, covered: date | None) -> int:
    """Days of the week the viewer's imports cover: a day after them is unknown, not a zero."""
    if covered is None:
        return 0
    return max(0, (min(week.last, covered) - week.first).days + 1)


def _standing(own_mean: float | None, known: int, week: Period, family: Release | None, zone: tzinfo) -> None:
    mine, theirs = st.columns(2)
    if own_mean is None:
        mine.metric("Your average", "not imported yet", help="Your imports do not reach this week yet.")
    else:
        partly = f"Over the {known} days your imports cover; the rest of the week is not imported yet. "
        mine.metric(
            "Your average",
            f"{text.steps(own_mean)} steps/day",
            help=(partly if known < week.days else "") + "Days without data count as zero.",
        )
    if family is None:
        theirs.metric("Family average", "not released")
        return
    theirs.metric(
        "Family average", charts.summary(family), help=figure_text.footer(family, "week", zone=zone)
    )
    if own_mean is None:
        return
    lower, upper = family.lower[0], family.upper[0]
    where = "above" if own_mean > upper else "below" if own_mean < lower else "within"
    st.caption(f"You are {where} the family's 95% interval ({charts.interval_note(family)}).")


if __name__ == "__main__":
    render()
