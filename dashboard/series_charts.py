"""Pure charts of derived series (weekly releases and figures made from them), each with its 95% band."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import plotly.graph_objects as go

from dashboard import text, theme
from dashboard.charts import Measure, y_range
from privacy import derived
from privacy.derived import Estimate
from privacy.noticeboard import estimates
from privacy.release import Release


@dataclass(frozen=True)
class Point:
    """One point of a series: the first day of its bucket, its estimate and its public member-days."""

    first: date
    estimate: Estimate
    member_days: int


def weekly_points(releases: Sequence[Release]) -> tuple[Point, ...]:
    """The stored weekly family averages as points, oldest first."""
    return tuple(Point(date.fromisoformat(r.first), estimates(r)[0], sum(r.denominators)) for r in releases)


def monthly_points(weekly: Sequence[Point]) -> tuple[Point, ...]:
    """Weeks pooled into months, each week counted in the month holding its Thursday (most of its days).

    Pooling weighs each week by its public member-days, so a month's noise is the pooled weeks' noise.
    """
    months: dict[date, list[Point]] = {}
    for point in weekly:
        thursday = point.first + timedelta(days=3)
        months.setdefault(thursday.replace(day=1), []).append(point)
    return tuple(
        Point(
            month,
            derived.pooled_mean([p.estimate for p in part], [p.member_days for p in part]),
            sum(p.member_days for p in part),
        )
        for month, part in months.items()
    )


def band_figure(
    points: Sequence[Point],
    title: str,
    x_title: str,
    smoothed: Sequence[Estimate] | None = None,
    height: int = theme.CHART_HEIGHT,
) -> go.Figure:
    """The series as a line inside its 95% band; a smoothed line with its own (narrower) band on request."""
    x = [p.first.isoformat() for p in points]
    traces = [*_band(x, [p.estimate for p in points], theme.FAMILY, "Family (noisy)")]
    if smoothed is not None:
        traces += _band(x, smoothed, theme.OKABE_ITO["vermillion"], "Smoothed (3 points)")
    layout = theme.base_layout(title, x_title, "steps per member-day", height)
    tops = [e.interval[1] for e in [*(p.estimate for p in points), *(smoothed or ())]]
    layout["yaxis"]["range"] = y_range(Measure.AMOUNT, tops)
    layout["xaxis"]["type"] = "date"
    layout["showlegend"] = smoothed is not None
    return go.Figure(traces, layout=layout)


def _band(x: list[str], values: Sequence[Estimate], colour: str, name: str) -> list[go.Scatter]:
    lower = [max(0.0, e.interval[0]) for e in values]
    upper = [e.interval[1] for e in values]
    shown = [max(0.0, e.value) for e in values]
    band = go.Scatter(
        x=x + x[::-1],
        y=upper + lower[::-1],
        fill="toself",
        fillcolor=theme.translucent(colour),
        line=theme.band_edge(colour),
        hoverinfo="skip",
        name=f"{name}: 95% interval",
        showlegend=False,
    )
    line = go.Scatter(
        x=x,
        y=shown,
        mode="lines+markers",
        line={"color": colour, "width": 2},
        marker={"size": 4},
        customdata=[_hover(e) for e in values],
        hovertemplate="%{x}<br>%{customdata}<extra></extra>",
        name=name,
    )
    return [band, line]


def _hover(estimate: Estimate) -> str:
    """A point's value and interval, rounded as its noise allows: more digits would be false precision."""
    margin = estimate.half_width
    lo, hi = max(0.0, estimate.interval[0]), estimate.interval[1]
    value = max(0.0, estimate.value)
    return f"{text.steps(value, margin)} (95%: {text.steps(lo, margin)} to {text.steps(hi, margin)})"
