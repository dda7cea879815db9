"""Overview: the last complete week with its change and 13-week trend, goals and the champion, on open.

Its pictures are small SVG images, not Plotly charts: the first page after sign-in should not wait for
Plotly's browser bundle (see `svg_figures`); the Trends and Goals pages draw the full charts.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, figure_text, runtime, series_charts, svg_figures, text
from dashboard.components import figure_card
from privacy import derived
from privacy.budget.plan import Product
from privacy.constraints import DEFAULT_STEP_GOAL
from privacy.identity import Viewer
from privacy.noticeboard import estimates
from privacy.release import Release
from privacy.service import Hearth

TREND_WEEKS = 13


def render() -> None:
    """Every figure shows with no click: shared releases, made once per period by the family plan."""
    hearth, viewer = runtime.require()
    st.title("Overview")
    st.caption(
        f"The family up to {hearth.today():%A %-d %B %Y}. Every figure here is shared with the whole"
        " family and carries noise, so no one's routine shows."
    )
    _week(hearth, viewer)
    goals, champion = st.columns(2)
    with goals:
        figure_card.show(
            hearth, viewer, Product.GOALS, _goals, key="overview-goal", title="Goal attainment, last 4 weeks"
        )
    with champion:
        figure_card.show(
            hearth,
            viewer,
            Product.CHAMPION,
            _champion,
            key="overview-champion",
            title="Champion, last 4 weeks",
        )


def _week(hearth: Hearth, viewer: Viewer) -> None:
    """The week card: its 13-week series is fetched once, so the card knows whether this visit made it."""
    with st.container(border=True, key="overview-week"):
        st.markdown("**Family average, last complete week**")
        weeks = figure_card.fetch_series(hearth, viewer, Product.WEEKLY, TREND_WEEKS)
        if not weeks:
            return
        new = any(not w.replayed for w in weeks)
        body = _week_body(weeks)
        figure_card.draw(hearth, viewer, weeks[-1], body, key="overview-week", noun="week", new=new)


def _week_body(weeks: tuple[Release, ...]) -> figure_card.Body:
    def body(release: Release, key: str) -> None:
        number, trend = st.columns([3, 2])
        with number:
            st.metric("Steps per member-day", charts.summary(release))
            described = charts.describe(release, "Last complete week")
            top = charts.y_range(charts.Measure.AMOUNT, [release.upper[0], DEFAULT_STEP_GOAL])[1]
            title = "The week's family average on its 95% interval"
            strip = svg_figures.interval_strip(
                release.values[0], release.lower[0], release.upper[0], top, title, DEFAULT_STEP_GOAL
            )
            st.image(strip, alt=f"{title}. {described}", width="stretch")
            st.caption(text.md(described, 400))
        with trend:
            _trend(weeks, key)
        if len(weeks) > 1:
            _change(weeks[-1], weeks[-2])

    return body


def _trend(weeks: tuple[Release, ...], key: str) -> None:
    """The sparkline, with its slope and its two ends in words beside it."""
    points = series_charts.weekly_points(weeks)
    slope = derived.slope([p.estimate for p in points])
    first, last = points[0], points[-1]
    described = (
        f"{len(weeks)}-week trend: {figure_text.change_words(slope, 'a week')}; from"
        f" {figure_text.estimate_words(first.estimate)} (week of {first.first:%-d %B}) to"
        f" {figure_text.estimate_words(last.estimate)} (week of {last.first:%-d %B})."
    )
    spark = svg_figures.sparkline(
        [p.estimate.value for p in points],
        [p.estimate.interval[0] for p in points],
        [p.estimate.interval[1] for p in points],
        f"{len(weeks)}-week trend of the family average, with its 95% band",
    )
    st.markdown(f"**{len(weeks)}-week trend**")
    st.image(spark, alt=described, width="stretch")
    st.caption(described)


def _change(week: Release, before: Release) -> None:
    """The change from the week before, and a verdict only the interval of the difference may give."""
    change = derived.difference(estimates(week)[0], estimates(before)[0])
    st.markdown(f"Change from the week before: {figure_text.change_words(change)}.")
    st.markdown(f"**{figure_text.verdict_sentence(derived.verdict(change), 'the week before')}**")


def _goals(release: Release, key: str) -> None:
    shares = estimates(release)
    pooled = derived.pooled_mean(shares, release.denominators)
    st.metric(f"Member-days at {DEFAULT_STEP_GOAL:,}+ steps", figure_text.share_words(pooled))
    lower, upper = (min(max(b, 0.0), 1.0) for b in pooled.interval)
    title = "The 4 weeks' goal attainment on its 95% interval"
    strip = svg_figures.interval_strip(min(max(pooled.value, 0.0), 1.0), lower, upper, 1.0, title, share=True)
    described = charts.describe(release, "Week by week")
    st.image(strip, alt=f"{title}: {figure_text.share_words(pooled)}. {described}", width="stretch")
    st.caption(text.md(described, 600))


def _champion(release: Release, key: str) -> None:
    st.markdown(f"## :material/emoji_events: {text.md(charts.champion(release))}")
    st.caption("A noisy choice, not an estimate: the true top walker may differ.")


if __name__ == "__main__":
    render()
