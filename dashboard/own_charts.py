"""Pure charts of the viewer's own exact data, against family figures they already bought."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import plotly.graph_objects as go

from dashboard import theme
from dashboard.charts import Measure, clip, y_range
from privacy.engine.periods import Period
from privacy.release import Release

DAY_MS = 86_400_000
"""One tick a day, named as a day ('Mon 23 Nov'): with only a few bars plotly ticks at noons and midnights."""


def own_daily_figure(
    week: Period, days: Sequence[date], steps: Sequence[int], family: Release | None, goal: int
) -> go.Figure:
    """The viewer's exact daily steps as bars, against the goal and a released family band if any.

    The axis spans the whole week: a day without data is a gap, and an empty week keeps its seven days
    (an empty date axis would default to a year, a tick a day).
    """
    layout = theme.base_layout("Your daily steps", "Day", "steps per day", theme.CHART_HEIGHT)
    tops = [*steps, goal]
    bars = go.Bar(
        x=[d.isoformat() for d in days],
        y=list(steps),
        marker={"color": theme.OWN},
        hovertemplate="%{x}<br>%{y:,} steps<extra></extra>",
        name="You",
    )
    shapes: list[dict[str, object]] = [theme.hline(goal, theme.GOAL, "dot")]
    if family is not None:
        value, lower, upper = (seq[0] for seq in clip(family))
        shapes += [
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": lower,
                "y1": upper,
                "fillcolor": theme.translucent(theme.FAMILY),
                "line": theme.band_edge(theme.FAMILY),
                "layer": "below",
            },
            theme.hline(value, theme.FAMILY, "solid"),
        ]
        tops.append(upper)
    layout["shapes"] = shapes
    layout["yaxis"]["range"] = y_range(Measure.AMOUNT, tops)
    edges = [f"{week.first - timedelta(days=1)}T12:00", f"{week.last}T12:00"]
    layout["xaxis"].update({"type": "date", "range": edges, "dtick": DAY_MS, "tickformat": "%a %-d %b"})
    layout["bargap"] = 0.15
    return go.Figure([bars], layout=layout)


def own_hourly_figure(hours: Sequence[int], mean_steps: Sequence[float]) -> go.Figure:
    """The viewer's exact average steps per hour of the day."""
    layout = theme.base_layout(
        "Your average day", "Hour of the day", "steps per hour", theme.SMALL_CHART_HEIGHT
    )
    bars = go.Bar(
        x=list(hours),
        y=[round(s) for s in mean_steps],
        marker={"color": theme.OWN},
        hovertemplate="%{x}:00<br>%{y:,} steps<extra></extra>",
        name="You",
    )
    layout["xaxis"].update({"range": [-0.5, 23.5], "dtick": 3})
    layout["yaxis"]["range"] = y_range(Measure.AMOUNT, mean_steps)
    return go.Figure([bars], layout=layout)
