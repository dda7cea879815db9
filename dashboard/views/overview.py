"""Overview: the last complete week with its change and 13-week trend, goals and the champion, on open."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, figure_text, runtime, series_charts, text, theme
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
            strip = charts.interval_strip(release, "The week's 95% interval", goal=DEFAULT_STEP_GOAL)
            st.plotly_chart(strip, theme=None, config=theme.PLOTLY_CONFIG, key=f"{key}-chart")
            st.caption(text.md(charts.describe(release, "Last complete week"), 400))
        with trend:
            points = series_charts.weekly_points(weeks)
            spark = series_charts.sparkline(points, f"{len(weeks)}-week trend")
            st.plotly_chart(spark, theme=None, config=theme.STATIC_CONFIG, key=f"{key}-trend")
            slope = derived.slope([p.estimate for p in points])
            st.caption(f"{len(weeks)}-week trend: {figure_text.change_words(slope, 'a week')}.")
        if len(weeks) > 1:
            change = derived.difference(estimates(weeks[-1])[0], estimates(weeks[-2])[0])
            st.markdown(f"Change from the week before: {figure_text.change_words(change)}.")
            st.markdown(f"**{figure_text.verdict_sentence(derived.verdict(change), 'the week before')}**")

    return body


def _goals(release: Release, key: str) -> None:
    shares = estimates(release)
    pooled = derived.pooled_mean(shares, release.denominators)
    st.metric(f"Member-days at {DEFAULT_STEP_GOAL:,}+ steps", figure_text.share_words(pooled))
    figure = charts.bar_figure(release, height=theme.SMALL_CHART_HEIGHT)
    st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key=f"{key}-chart")
    st.caption(text.md(charts.describe(release, "Goal attainment week by week"), 600))


def _champion(release: Release, key: str) -> None:
    st.markdown(f"## :material/emoji_events: {text.md(charts.champion(release))}")
    st.caption("A noisy choice, not an estimate: the true top walker may differ.")


if __name__ == "__main__":
    render()
