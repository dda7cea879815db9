"""Pure chart builders: a Release (or the viewer's own numbers) in, a plotly Figure out; no Streamlit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

import plotly.graph_objects as go

from dashboard import text, theme
from privacy.engine.periods import Period
from privacy.queries import Bucket, QueryId
from privacy.release import Release


class Measure(StrEnum):
    """What a release's numbers are, which decides rounding, axis range and clipping."""

    AMOUNT = "amount"
    """Steps or counts: never below zero."""
    SHARE = "share"
    """A proportion in [0, 1], shown as a percentage."""
    CHOICE = "choice"
    """The champion: 1 for the chosen member, 0 for the others; no interval."""


TITLES = {
    QueryId.FAMILY_AVERAGE: ("Family average", ""),
    QueryId.TREND: ("Family average over time", "Week starting"),
    QueryId.GOAL_ATTAINMENT: ("Days the goal was met", "Week starting"),
    QueryId.DISTRIBUTION: ("How days are spread", "Steps per day"),
    QueryId.WEEKDAY: ("By day of the week", "Day of the week"),
    QueryId.HOUR_OF_DAY: ("By hour of the day", "Hour of the day"),
    QueryId.CHAMPION: ("Champion", ""),
}
"""Chart title and x-axis title per catalog query; the y-axis title is the release's own unit."""


def measure(release: Release) -> Measure:
    """Classify a release by its query and unit text (the unit names a share as 'share of ...')."""
    if release.spec.query is QueryId.CHAMPION:
        return Measure.CHOICE
    return Measure.SHARE if "share" in release.unit.lower() else Measure.AMOUNT


def clip(release: Release) -> tuple[list[float], list[float], list[float]]:
    """Values and bounds clipped to what the measure can be: post-processing, so free of privacy cost.

    Noise can push a share below 0% or a step count below zero; showing that would only confuse.
    """
    high = 1.0 if measure(release) is Measure.SHARE else math.inf

    def fit(xs: Sequence[float]) -> list[float]:
        return [min(max(x, 0.0), high) for x in xs]

    return fit(release.values), fit(release.lower), fit(release.upper)


def y_range(measure_of: Measure, tops: Sequence[float]) -> list[float]:
    """A fixed y range from zero: identical screenshots, and no axis that exaggerates small changes.

    >>> y_range(Measure.SHARE, [0.4])
    [0, 1.0]
    >>> y_range(Measure.AMOUNT, [8700.0, 9120.0])
    [0, 9500.0]
    """
    if measure_of is Measure.SHARE:
        return [0, 1.0]
    top = max([*tops, 1.0])
    step = 10.0 ** math.floor(math.log10(top)) / 2
    return [0, math.ceil(top * 1.04 / step) * step]


def half_widths(release: Release) -> list[float]:
    """Each interval's longer side: clipping at 0 (or 100%) shortens one side only, never the other.

    `Release.margins` averages the two sides, which understates the noise once a bound is clipped.
    """
    values, lower, upper = clip(release)
    return [max(hi - v, v - lo) for v, lo, hi in zip(values, lower, upper, strict=True)]


def _number(release: Release, value: float, margin: float) -> str:
    if measure(release) is Measure.SHARE:
        return text.percent(value, margin)
    return text.steps(value, margin)


def _is_symmetric(value: float, lower: float, upper: float) -> bool:
    return math.isclose(upper - value, value - lower, rel_tol=0.01, abs_tol=1e-9)


def summary(release: Release, index: int = 0) -> str:
    """One value with its interval, rounded to what the margin allows: '8,230 ± 870'.

    A clipped bound makes the interval lopsided, and '±' would misstate it: '2,400 (95%: 0 to 6,700)'.
    """
    values, lower, upper = clip(release)
    value, margin = values[index], half_widths(release)[index]
    if not _is_symmetric(value, lower[index], upper[index]):
        low, high = _number(release, lower[index], margin), _number(release, upper[index], margin)
        return f"{_number(release, value, margin)} (95%: {low} to {high})"
    if measure(release) is Measure.SHARE:
        return f"{text.percent(value, margin)} {text.percent_points(margin)}"
    return f"{text.steps(value, margin)} {text.plus_minus(margin)}"


def _hover(release: Release) -> list[str]:
    values, lower, upper = clip(release)
    return [
        f"{_number(release, v, m)} (95%: {_number(release, lo, m)} to {_number(release, hi, m)})"
        for v, lo, hi, m in zip(values, lower, upper, half_widths(release), strict=True)
    ]


def _layout(release: Release, height: int) -> dict[str, object]:
    title, x_title = TITLES[release.spec.query]
    if release.spec.bucket is Bucket.MONTH and x_title == "Week starting":
        x_title = "Month"
    layout = theme.base_layout(title, x_title, release.unit, height)
    layout["yaxis"]["range"] = y_range(measure(release), clip(release)[2])
    if measure(release) is Measure.SHARE:
        layout["yaxis"]["tickformat"] = ".0%"
    return layout


def band_figure(release: Release, height: int = theme.CHART_HEIGHT) -> go.Figure:
    """A line of noisy values inside its shaded 95% band (one 'toself' trace: upper, then lower reversed)."""
    values, lower, upper = clip(release)
    x = [text.svg(label) for label in release.labels]
    band = go.Scatter(
        x=x + x[::-1],
        y=upper + lower[::-1],
        fill="toself",
        fillcolor=theme.translucent(theme.FAMILY),
        line=theme.band_edge(theme.FAMILY),
        hoverinfo="skip",
        name="95% interval",
    )
    line = go.Scatter(
        x=x,
        y=values,
        mode="lines+markers",
        line={"color": theme.FAMILY, "width": 2},
        marker={"size": 5},
        customdata=_hover(release),
        hovertemplate="%{x}<br>%{customdata}<extra></extra>",
        name="Family (noisy)",
    )
    layout = _layout(release, height)
    _hour_ticks(release, layout)
    return go.Figure([band, line], layout=layout)


def bar_figure(release: Release, height: int = theme.CHART_HEIGHT) -> go.Figure:
    """Bars of noisy values with 95% error bars (asymmetric once clipped at zero)."""
    values, lower, upper = clip(release)
    bars = go.Bar(
        x=[text.svg(label) for label in release.labels],
        y=values,
        marker={"color": theme.FAMILY},
        error_y={
            "type": "data",
            "array": [hi - v for v, hi in zip(values, upper, strict=True)],
            "arrayminus": [v - lo for v, lo in zip(values, lower, strict=True)],
            "color": theme.INK,
            "thickness": 1.2,
            "width": 4,
        },
        customdata=_hover(release),
        hovertemplate="%{x}<br>%{customdata}<extra></extra>",
        name="Family (noisy)",
    )
    layout = _layout(release, height)
    layout["xaxis"]["type"] = "category"
    return go.Figure([bars], layout=layout)


def _hour_ticks(release: Release, layout: dict[str, object]) -> None:
    """Every sixth hour labelled: 24 (or 8) labels collide at phone width; hover names each hour."""
    if release.spec.query is QueryId.HOUR_OF_DAY:
        labels = [text.svg(label) for label in release.labels]
        layout["xaxis"].update({"tickmode": "array", "tickvals": labels[::6], "tickangle": 0})


def figure_for(release: Release, height: int = theme.CHART_HEIGHT) -> go.Figure | None:
    """The chart each catalog query is read best as; None for the champion, which is a name, not a chart."""
    query = release.spec.query
    if query is QueryId.CHAMPION:
        return None
    if query in (QueryId.TREND, QueryId.HOUR_OF_DAY) or (
        query is QueryId.GOAL_ATTAINMENT and len(release.values) > 8
    ):
        return band_figure(release, height)
    return bar_figure(release, height)


def champion(release: Release) -> str:
    """The chosen member's label (escaped by the caller for its medium)."""
    return release.labels[max(range(len(release.values)), key=release.values.__getitem__)]


def interval_note(release: Release) -> str:
    """The 95% interval as a number: '± 870 steps ...', 'up to ± ...' for a series, or 'from 0 to ...'."""
    widest = max(half_widths(release))
    unit = "" if measure(release) is Measure.SHARE else f" {release.unit}"
    if len(release.values) == 1:
        values, lower, upper = clip(release)
        if not _is_symmetric(values[0], lower[0], upper[0]):
            low, high = _number(release, lower[0], widest), _number(release, upper[0], widest)
            return f"from {low} to {high}{unit}"
    note = text.percent_points(widest) if measure(release) is Measure.SHARE else text.plus_minus(widest)
    return f"{'up to ' if len(release.values) > 1 else ''}{note}{unit}"


def period(release: Release) -> Period:
    """The days a release covers, as the service's period type (to sharpen or price it again)."""
    return Period(date.fromisoformat(release.first), date.fromisoformat(release.last))


def describe(release: Release, title: str) -> str:
    """A chart's accessible description: what it shows, each value with its interval, and the period.

    Set next to the chart as text, so the figures are there without the picture.
    """
    values, lower, upper = clip(release)
    margins = half_widths(release)
    if measure(release) is Measure.CHOICE:
        return f"{title}: {champion(release)}, a noisy choice among {', '.join(release.labels)}."
    parts = [
        f"{label}: {_number(release, v, m)} (95%: {_number(release, lo, m)} to {_number(release, hi, m)})"
        for label, v, lo, hi, m in zip(release.labels, values, lower, upper, margins, strict=True)
    ]
    return f"{title}, {release.unit}. " + "; ".join(parts) + "."
