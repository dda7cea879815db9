"""Figures for the lab's two demos of what privacy prevents: subtracting yourself, and a night-time attack.

Pure functions like `tradeoff_charts`, sharing its colours: the exact figure an observer would use in
vermillion, private ones in blue, the truth in black.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import text, theme
from dashboard.components import tradeoff_charts as charts
from privacy.tradeoff import NightAttack, Subtraction


def subtraction_figure(result: Subtraction, large: bool = False) -> go.Figure:
    """Top: what an exact total reveals about the others (their steps, exactly). Bottom: a private one."""
    x = list(result.days)
    who = text.svg(result.others, 60)
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.16,
        subplot_titles=("From an exact family total", "From the private family total (95% band)"),
    )
    exact = go.Scatter(
        x=x,
        y=list(result.others_true),
        name=f"{who}, exactly",
        mode="lines+markers",
        line={"color": charts.EXACT, "width": 3},
        marker={"size": 7},
    )
    upper = [v + result.margin for v in result.others_noisy]
    lower = [v - result.margin for v in result.others_noisy]
    truth = go.Scatter(
        x=x, y=list(result.others_true), name="the truth", line={"color": charts.TRUTH, "dash": "dot"}
    )
    figure.add_trace(exact, row=1, col=1)
    for trace in (
        charts.band(x, lower, upper),
        charts.noisy_line(x, result.others_noisy, ",.0f", "estimate"),
        truth,
    ):
        figure.add_trace(trace, row=2, col=1)
    return _stacked(
        figure, f"What {text.svg(result.viewer)} learns about {who}'s steps", "steps per day", large
    )


QUIET = theme.FAMILY
"""Nights without a walk: blue beside the walk nights' vermillion (sky blue was 2.3:1 on the card)."""


def night_strip_figure(result: NightAttack, large: bool = False) -> go.Figure:
    """Four weeks of 22:00-01:00 family totals: exact bars (walk nights vermillion) over the private ones."""
    x = list(result.recent)
    titles = ("Exact totals", "Private totals")
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.16, subplot_titles=titles)
    kinds = ((True, charts.EXACT, "night with a walk"), (False, QUIET, "quiet night"))
    for row, values in ((1, result.recent_exact), (2, result.recent_noisy)):
        for walked, colour, name in kinds:
            only = [v if w is walked else None for v, w in zip(values, result.recent_walked, strict=True)]
            bars = go.Bar(x=x, y=only, marker={"color": colour}, name=name, showlegend=row == 1)
            figure.add_trace(bars, row=row, col=1)
    if math.isfinite(result.threshold):
        line = {"color": charts.TRUTH, "dash": "dash"}
        figure.add_hline(y=result.threshold, line=line, annotation_text="observer's threshold", row=1, col=1)
    figure.update_layout(barmode="overlay")
    return _stacked(figure, "Family steps between 22:00 and 01:00, last four weeks", "steps", large)


def _stacked(figure: go.Figure, title: str, y_title: str, large: bool) -> go.Figure:
    """House layout for a two-row figure with a shared date axis."""
    base = charts.layout(title, "", "", large, height=int(theme.CHART_HEIGHT * 1.7))
    base = {k: v for k, v in base.items() if k not in ("xaxis", "yaxis")}
    base["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0}
    base["margin"] = {"l": 64, "r": 16, "t": 72, "b": 8}
    figure.update_layout(**base)
    figure.update_yaxes(title={"text": y_title}, tickformat=",", gridcolor=theme.GRID, automargin=True)
    figure.update_xaxes(gridcolor=theme.GRID, automargin=True, showticklabels=True)
    return figure


def attack_success_figure(result: NightAttack, large: bool = False) -> go.Figure:
    """The observer's balanced success on private totals across epsilon, against its limits."""
    eps = list(result.epsilons)
    figure = go.Figure(
        [
            go.Scatter(
                x=eps,
                y=list(result.private_success),
                name="on private totals (simulated)",
                mode="lines+markers",
                line={"color": theme.FAMILY, "width": 3},
                marker={"size": 9},
            ),
            go.Scatter(
                x=eps,
                y=list(result.ceiling),
                name="most any test can reach (DP guarantee)",
                mode="lines",
                line={"color": theme.OKABE_ITO["green"], "dash": "dash"},
            ),
            go.Scatter(
                x=eps,
                y=[result.exact_success] * len(eps),
                name="on exact totals",
                mode="lines",
                line={"color": charts.EXACT, "width": 3},
            ),
        ],
        layout=charts.layout(
            f"Can an observer tell when {text.svg(result.target)} walked at night?",
            "ε",
            "balanced success",
            large,
        ),
    )
    figure.add_hline(y=0.5, line={"color": theme.INK, "dash": "dot"}, annotation_text="coin toss")
    figure.update_xaxes(type="log")
    figure.update_yaxes(range=[0.4, 1.0], tickformat=".0%")
    return figure
