"""Figures and their words for the lab's two budget lessons: ask once and share; renew or keep for life.

Pure functions like `tradeoff_charts`: lab results in, plotly figures or plain text out, no Streamlit.
Every chart has a text twin (`*_description`) for screen readers and a list of its figures, so the
numbers can be read beside the chart. Colours are Okabe-Ito: the fresh, per-viewer design and the
renewing model in vermillion, the shared design and the lifetime model in the family's blue.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import theme
from dashboard.components import tradeoff_charts as charts
from privacy.tradeoff import Design, Sharing, Year

DESIGN_COLOURS = {
    "fresh": theme.OKABE_ITO["vermillion"],
    "shared": theme.FAMILY,
    "shared-equal": theme.OKABE_ITO["green"],
}
"""Per-viewer answers in vermillion (the old way), shared ones in blue and green."""
RENEWING = theme.OKABE_ITO["vermillion"]
METER = theme.OKABE_ITO["purple"]
"""The renewing model's period meter, apart from its loss line (purple: orange is 2.3:1 on the card)."""
LIFETIME = theme.FAMILY


def sharing_figure(result: Sharing, large: bool = False) -> go.Figure:
    """Left: each design's 95% error (bars: observed; black ticks: expected). Right: the privacy it spends."""
    figure = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=("95% error, steps per member-day", f"ε spent per {result.unit}"),
    )
    x = [_label(d) for d in result.designs]
    colours = [DESIGN_COLOURS[d.key] for d in result.designs]
    observed = go.Bar(
        x=x,
        y=[d.observed for d in result.designs],
        marker={"color": colours},
        name=f"observed over {result.draws:,} simulated weeks",
        text=[f"± {d.observed:,.0f}" for d in result.designs],
        textposition="inside",
        insidetextanchor="start",
        textfont={"color": theme.CARD},
        hovertemplate="± %{y:,.0f} steps<extra>%{x}</extra>",
    )
    expected = go.Scatter(
        x=x,
        y=[d.expected for d in result.designs],
        mode="markers",
        marker={"symbol": "line-ew-open", "size": 34, "color": charts.TRUTH, "line": {"width": 3}},
        name="expected from the noise scale",
        hovertemplate="expected ± %{y:,.0f}<extra>%{x}</extra>",
    )
    spent = go.Bar(
        x=x,
        y=[d.spent for d in result.designs],
        marker={"color": colours},
        name="privacy spent",
        showlegend=False,
        text=[f"ε {d.spent:g}" for d in result.designs],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="ε %{y:g}<extra>%{x}</extra>",
    )
    figure.add_trace(observed, row=1, col=1)
    figure.add_trace(expected, row=1, col=1)
    figure.add_trace(spent, row=1, col=2)
    top_error = max(max(d.observed, d.expected) for d in result.designs)
    figure.update_yaxes(range=[0, top_error * 1.2], tickformat=",", row=1, col=1)
    figure.update_yaxes(range=[0, max(d.spent for d in result.designs) * 1.25], row=1, col=2)
    title = f"Ask once, share: the weekly family average, {result.viewers} members at ε {result.epsilon:g}"
    return _framed(figure, title, large)


def sharing_figures(result: Sharing) -> tuple[str, ...]:
    """One line per design, then the lesson in numbers: the page shows them beside the chart."""
    fresh, shared, equal = result.designs
    lines = tuple(
        f"**{d.name}**: ± {d.observed:,.0f} steps seen in {result.draws:,} simulated weeks"
        f" (± {d.expected:,.0f} expected); spends ε {d.spent:g} per {result.unit}."
        for d in result.designs
    )
    gain = fresh.expected / equal.expected
    return (
        *lines,
        *_clipping_note(result),
        f"For the same ε {equal.spent:g}, one shared answer is {gain:.1f}× as precise as"
        f" {fresh.releases} pooled fresh ones, and everyone holds the same number: there are no notes"
        f" to compare. One shared answer at ε {shared.epsilon_each:g} gives every member the precision"
        f" of their own fresh one for {fresh.releases}× less privacy.",
    )


def _clipping_note(result: Sharing) -> tuple[str, ...]:
    """At tiny epsilon the expected error passes the clipped range: say why the bars fall short."""
    if max(d.expected for d in result.designs) <= result.largest:
        return ()
    return (
        f"At this ε the noise dwarfs any week's average: each release is clipped to 0–{result.largest:,.0f}"
        " steps, so the errors seen stay below the expected ones.",
    )


def sharing_description(result: Sharing) -> str:
    """What the sharing chart shows, in words, for screen readers."""
    parts = "; ".join(
        f"{d.name}: error ± {d.observed:,.0f} steps observed, ± {d.expected:,.0f} expected,"
        f" privacy spent ε {d.spent:g}"
        for d in result.designs
    )
    return (
        "Chart description: two bar panels compare three ways for the family to learn the weekly"
        f" average. The left panel shows each way's 95% error, the right the privacy it spends per"
        f" {result.unit}. {parts}."
    )


def renewal_figure(year: Year, large: bool = False) -> go.Figure:
    """The chosen member-day's cumulative loss over the year under both models, with the meter and budget."""
    x = [d.isoformat() for d in year.days]
    old, new = year.renewing_model, year.lifetime_model
    traces = [
        _step(x, year.meter, "renewing: the family meter this period (it resets)", METER, width=1, fill=True),
        _step(x, year.renewing, f"renewing: loss of {year.chosen.isoformat()}", RENEWING),
        _step(x, year.lifetime, f"lifetime: loss of {year.chosen.isoformat()}", LIFETIME),
    ]
    figure = go.Figure(
        traces,
        layout=charts.layout(
            "One member-day's privacy loss over a year",
            "",
            "cumulative ε",
            large,
            height=int(theme.CHART_HEIGHT * 1.4),
        ),
    )
    for level, colour, words in (
        (new.budget, LIFETIME, f"lifetime budget ε {new.budget:g} per day"),
        (old.family_cap, METER, f"family cap ε {old.family_cap:g} per period"),
    ):
        figure.add_hline(y=level, line={"color": colour, "dash": "dot", "width": 2}, annotation_text=words)
    top = max(year.renewing_peak, old.family_cap, new.budget)
    figure.update_yaxes(range=[0, top * 1.12], rangemode="tozero")
    figure.update_xaxes(range=[x[0], x[-1]])
    figure.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "xanchor": "left"})
    return figure


def renewal_figures(year: Year) -> tuple[str, ...]:
    """The chart's numbers in words: where each model leaves the chosen day, and why."""
    old, new = year.renewing_model, year.lifetime_model
    views = old.window_days // old.every_days
    lines = [
        f"**Renewing**: day {year.chosen.isoformat()} reaches ε {year.renewing[-1]:g} on"
        f" {year.renewing_reached.isoformat()} ({old.viewers} viewers × {views} weekly views of the last"
        f" {old.window_days} days × ε {old.view_epsilon:g}); by the year's end the worst member-day has"
        f" lost ε {year.renewing_peak:g}.",
        f"Meanwhile the family meter never showed more than ε {year.meter_peak:g} of its {old.family_cap:g}"
        f" per {old.period_days}-day period: it renews, so it never bounds what one day loses.",
        f"**Lifetime**: never above ε {new.budget:g} per day; day {year.chosen.isoformat()} ends at"
        f" ε {year.lifetime[-1]:g}, the worst day at ε {year.lifetime_peak:g}: each scheduled release"
        f" charges a day once ({_schedule(year)}). The same weekly trend views read those releases and"
        " cost nothing.",
    ]
    if year.renewing_refused or year.lifetime_refused:
        lines.append(
            f"Refused: {year.renewing_refused} views by the renewing meters,"
            f" {year.lifetime_refused} releases by the lifetime budget."
        )
    return tuple(lines)


def renewal_description(year: Year) -> str:
    """What the renewal chart shows, in words, for screen readers."""
    old, new = year.renewing_model, year.lifetime_model
    return (
        f"Chart description: cumulative privacy loss of the member-day {year.chosen.isoformat()} from"
        f" {year.days[0].isoformat()} to {year.days[-1].isoformat()}. Under the renewing model it climbs"
        f" in weekly steps to ε {year.renewing[-1]:g}, reached on {year.renewing_reached.isoformat()},"
        f" while a dashed line shows the family's period meter rising and resetting every"
        f" {old.period_days} days, never above ε {year.meter_peak:g} of its cap of {old.family_cap:g}."
        f" Under the lifetime model it rises in a few steps to ε {year.lifetime[-1]:g} and stays under"
        f" the dotted lifetime budget of ε {new.budget:g}."
    )


def _schedule(year: Year) -> str:
    return ", ".join(
        f"{p.name} ε {p.epsilon:g} per {p.period_days} days" for p in year.lifetime_model.products
    )


def _step(
    x: list[str], y: tuple[float, ...], name: str, colour: str, width: float = 3, fill: bool = False
) -> go.Scatter:
    """A step line (charges land on a day); the renewing meter is a light area behind the losses."""
    return go.Scatter(
        x=x,
        y=list(y),
        name=name,
        mode="lines",
        line={"color": colour, "width": width, "shape": "hv"},
        fill="tozeroy" if fill else None,
        fillcolor=theme.translucent(colour) if fill else None,
        hovertemplate=f"{name}: ε %{{y:g}}<extra>%{{x}}</extra>",
    )


def _label(design: Design) -> str:
    """A design's short name on two lines, so three categories fit a narrow column unrotated."""
    if design.releases > 1:
        return f"{design.releases} fresh, pooled<br>ε {design.epsilon_each:g} each"
    return f"1 shared<br>ε {design.epsilon_each:g}"


def _framed(figure: go.Figure, title: str, large: bool) -> go.Figure:
    """House layout for a two-panel figure, legend under the plot."""
    base = charts.layout(title, "", "", large, height=int(theme.CHART_HEIGHT * 1.3))
    base = {k: v for k, v in base.items() if k not in ("xaxis", "yaxis")}
    base["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0}
    base["margin"] = {"l": 56, "r": 16, "t": 80, "b": 8}
    figure.update_layout(**base)
    figure.update_yaxes(gridcolor=theme.GRID, automargin=True)
    figure.update_xaxes(type="category", automargin=True)
    return figure
