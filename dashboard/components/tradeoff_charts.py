"""Pure figure builders for the privacy/utility lab: lab results in, plotly figures out; no Streamlit.

Colours follow the house: Okabe-Ito, blue for the private release, black for the truth (which only
this page ever shows, for made-up families). Every figure has fixed height and axis ranges, no
animation, and titles and axes with units, so screenshots stay identical run to run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import text, theme
from dashboard.charts import TITLES
from privacy.queries import QueryId
from privacy.tradeoff import Comparison, ErrorCurve, Shown

TRUTH = theme.OKABE_ITO["black"]
"""True values: black, so 'black is the truth' reads at once beside the blue release."""
EXACT = theme.OKABE_ITO["vermillion"]
"""What an observer learns from exact figures."""
SERIES = (theme.FAMILY, theme.OKABE_ITO["vermillion"], theme.OKABE_ITO["green"], theme.OKABE_ITO["purple"])
"""Colours of the lines in one comparison, in order."""
MARKED = theme.OKABE_ITO["black"]
"""Hearth's own setting (or the page's current one): a dashed rule, or a hatched bar outlined in it.
Okabe-Ito orange, which it was, is 2.3:1 on the card; a graphic needs 3:1."""
SERIES_QUERIES = (QueryId.TREND, QueryId.GOAL_ATTAINMENT, QueryId.HOUR_OF_DAY)
"""Statistics drawn as a line in a band; the others as points with error bars."""


def layout(title: str, x_title: str, y_title: str, large: bool, height: int = theme.CHART_HEIGHT) -> dict:
    """The house layout, with a legend, and larger type and height in presentation mode."""
    base = theme.base_layout(title, x_title, y_title, int(height * 1.35) if large else height)
    base["showlegend"] = True
    base["legend"] = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1, "xanchor": "right"}
    base["margin"] = {"l": 8, "r": 8, "t": 72, "b": 8}
    if large:
        base["font"] = {**base["font"], "size": 17}
        base["title"]["font"] = {"size": 22}
    return base


def release_figure(shown: Shown, large: bool = False) -> go.Figure:
    """The private release (blue, with its 95% band or bars) beside the true values (black)."""
    title, x_title = TITLES[shown.spec.query]
    x = [text.svg(label) for label in shown.labels]
    share = "share" in shown.unit
    fmt = ".1%" if share else ",.0f"
    truth = go.Scatter(
        x=x,
        y=list(shown.true),
        name="true value",
        line={"color": TRUTH, "width": 2, "dash": "dot"},
        mode="lines+markers" if shown.spec.query in SERIES_QUERIES else "markers",
        marker={"symbol": "diamond", "size": 9, "color": TRUTH},
        hovertemplate=f"true %{{y:{fmt}}}<extra></extra>",
    )
    if shown.spec.query in SERIES_QUERIES:
        traces = [band(x, shown.lower, shown.upper), noisy_line(x, shown.noisy, fmt), truth]
    else:
        traces = [_noisy_points(x, shown.noisy, shown.lower, shown.upper, fmt), truth]
    figure = go.Figure(
        traces, layout=layout(f"{title}: private release vs truth", x_title, shown.unit, large)
    )
    figure.update_yaxes(range=_y_range(shown.upper, shown.true, share), tickformat=".0%" if share else ",")
    if shown.spec.query not in SERIES_QUERIES:
        figure.update_xaxes(type="category")
    return figure


def error_curves_figure(curves: Sequence[ErrorCurve], epsilon: float, large: bool = False) -> go.Figure:
    """Small multiples: expected 95% error over epsilon (line) and observed error (points), log axes.

    Each y axis stops just above the largest error a clipped release can have (the value range), and a
    dotted line marks it: where the curve runs above it, the release says nothing.
    """
    names = [TITLES[c.spec.query][0] for c in curves]
    figure = make_subplots(
        rows=2, cols=3, subplot_titles=names, horizontal_spacing=0.09, vertical_spacing=0.22
    )
    for i, curve in enumerate(curves):
        cell = {"row": i // 3 + 1, "col": i % 3 + 1}
        figure.add_trace(_expected(curve, first=i == 0), **cell)
        figure.add_trace(_observed(curve, first=i == 0), **cell)
        share = "share" in curve.unit
        low = min(*curve.margins, *curve.observed)
        figure.update_yaxes(
            type="log",
            range=[math.log10(low) - 0.2, math.log10(curve.largest) + 0.15],
            title={"text": "± share" if share else "± steps"},
            tickformat=".2~%" if share else "~s",
            dtick="D2",
            **cell,
        )
        figure.update_xaxes(type="log", title={"text": "ε"}, range=[-2.05, math.log10(2) + 0.05], **cell)
        figure.add_vline(x=epsilon, line={"color": MARKED, "dash": "dash", "width": 1.5}, **cell)
        figure.add_hline(y=curve.largest, line={"color": theme.GRID, "dash": "dot", "width": 1.5}, **cell)
    base = layout(
        "Expected vs observed 95% error, by statistic", "", "", large, height=theme.CHART_HEIGHT * 2
    )
    base = {k: v for k, v in base.items() if k not in ("xaxis", "yaxis")}
    base["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0}
    base["margin"] = {"l": 60, "r": 16, "t": 72, "b": 8}
    figure.update_layout(**base)
    return figure


def _expected(curve: ErrorCurve, first: bool) -> go.Scatter:
    return go.Scatter(
        x=list(curve.epsilons),
        y=list(curve.margins),
        mode="lines",
        name="expected 95% error (OpenDP's accuracy formula)",
        line={"color": theme.FAMILY, "width": 2},
        showlegend=first,
    )


def _observed(curve: ErrorCurve, first: bool) -> go.Scatter:
    return go.Scatter(
        x=list(curve.simulated_epsilons),
        y=list(curve.observed),
        mode="markers",
        name=f"observed: 95th percentile of |noisy − true| over {curve.draws} simulated releases",
        marker={"color": EXACT, "size": 10, "symbol": "circle-open", "line": {"width": 2.5}},
        showlegend=first,
    )


def comparison_figure(comparison: Comparison, large: bool = False) -> go.Figure:
    """One setting varied: bars for a few named choices, lines for a range of numbers."""
    many = len(comparison.labels) > 4
    figure = go.Figure(layout=layout(comparison.title, comparison.x_title, comparison.y_title, large))
    for colour, (name, values) in zip(SERIES, comparison.series, strict=False):
        hover = f"{name}: ± %{{y:,.0f}} steps<extra>%{{x}}</extra>"
        if many:
            trace = go.Scatter(
                x=list(comparison.labels),
                y=list(values),
                name=name,
                mode="lines+markers",
                line={"color": colour, "width": 2},
                hovertemplate=hover,
            )
        else:
            marked = [label == comparison.marked for label in comparison.labels]
            trace = go.Bar(
                x=list(comparison.labels),
                y=list(values),
                name=name,
                marker={
                    "color": colour,
                    "pattern": {"shape": ["/" if m else "" for m in marked], "fgcolor": MARKED},
                    "line": {"color": MARKED, "width": [2 if m else 0 for m in marked]},
                },
                hovertemplate=hover,
                text=[f"± {v:,.0f}" for v in values],
                textposition="outside",
                cliponaxis=False,
            )
        figure.add_trace(trace)
    figure.update_xaxes(type="category")
    figure.update_yaxes(rangemode="tozero", tickformat=",")
    if comparison.marked and many:
        figure.add_vline(x=comparison.labels.index(comparison.marked), line={"color": MARKED, "dash": "dash"})
    figure.update_layout(showlegend=len(comparison.series) > 1)
    return figure


def band(x: list[str], lower: Sequence[float], upper: Sequence[float]) -> go.Scatter:
    """A 95% band as one 'toself' trace: upper, then lower reversed."""
    return go.Scatter(
        x=x + x[::-1],
        y=list(upper) + list(lower)[::-1],
        fill="toself",
        fillcolor=theme.translucent(theme.FAMILY),
        line={"width": 0},
        hoverinfo="skip",
        name="95% interval",
    )


def noisy_line(x: list[str], values: Sequence[float], fmt: str, name: str = "private release") -> go.Scatter:
    """The private values as a blue line with markers."""
    return go.Scatter(
        x=x,
        y=list(values),
        mode="lines+markers",
        line={"color": theme.FAMILY, "width": 2},
        marker={"size": 6},
        name=name,
        hovertemplate=f"{name} %{{y:{fmt}}}<extra></extra>",
    )


def _noisy_points(
    x: list[str], values: Sequence[float], lower: Sequence[float], upper: Sequence[float], fmt: str
) -> go.Scatter:
    error: dict[str, Any] = {
        "type": "data",
        "array": [hi - v for v, hi in zip(values, upper, strict=True)],
        "arrayminus": [v - lo for v, lo in zip(values, lower, strict=True)],
        "color": theme.FAMILY,
        "thickness": 2,
    }
    return go.Scatter(
        x=x,
        y=list(values),
        mode="markers",
        marker={"color": theme.FAMILY, "size": 11},
        error_y=error,
        name="private release, 95% interval",
        hovertemplate=f"private %{{y:{fmt}}}<extra></extra>",
    )


def _y_range(upper: Sequence[float], true: Sequence[float], share: bool) -> list[float]:
    """From zero to just above the highest band or true value, so the truth is never cut off.

    >>> _y_range([0.4], [0.5], share=True)
    [0, 1.0]
    """
    if share:
        return [0, 1.0]
    top = max([*upper, *true, 1.0])
    step = 10.0 ** math.floor(math.log10(top)) / 2
    return [0, math.ceil(top * 1.04 / step) * step]
