"""The lifetime budget as a calendar: a GitHub-style heat map of epsilon left per day, and its summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import plotly.graph_objects as go

from dashboard import theme
from privacy.constraints import MICRO
from privacy.service import BudgetDay

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HEIGHT = 250
COLOURS = [[0.0, theme.OKABE_ITO["vermillion"]], [0.5, theme.OKABE_ITO["yellow"]], [1.0, "#EAF2F8"]]
"""Little left is loud (vermillion), a full day quiet (pale): the days worth a look stand out."""


def grid(days: Sequence[BudgetDay], year: int) -> tuple[list[str], list[list[float | None]], list[list[str]]]:
    """Week columns (their Mondays) by weekday rows of epsilon left; days outside `days` are blank.

    >>> columns, z, _ = grid([], 2026)
    >>> columns[0], len(columns), len(z)
    ('2025-12-29', 53, 7)
    """
    first = date(year, 1, 1)
    start = first - timedelta(days=first.weekday())
    end = date(year, 12, 31)
    weeks = (end - start).days // 7 + 1
    columns = [(start + timedelta(weeks=w)).isoformat() for w in range(weeks)]
    z: list[list[float | None]] = [[None] * weeks for _ in WEEKDAYS]
    hover = [[""] * weeks for _ in WEEKDAYS]
    for day in days:
        if day.day.year != year:
            continue
        column, row = (day.day - start).days // 7, day.day.weekday()
        z[row][column] = day.remaining_micro / MICRO
        hover[row][column] = f"{day.day:%a %-d %b %Y}: ε {day.remaining_micro / MICRO:g} left"
    return columns, z, hover


def heat_map(days: Sequence[BudgetDay], year: int, lifetime_micro: int) -> go.Figure:
    """A year of days, weeks across and weekdays down, coloured by the lifetime budget left."""
    columns, z, hover = grid(days, year)
    layout = theme.base_layout(f"Lifetime budget left per day, {year}", "Week starting", "", HEIGHT)
    layout["yaxis"].update({"autorange": "reversed", "ticks": "", "gridcolor": theme.CARD})
    layout["xaxis"].update({"ticks": "", "gridcolor": theme.CARD, "dtick": "M1", "tickformat": "%b"})
    layout["hovermode"] = "closest"
    heat = go.Heatmap(
        x=columns,
        y=list(WEEKDAYS),
        z=z,
        zmin=0,
        zmax=lifetime_micro / MICRO,
        colorscale=COLOURS,
        xgap=2,
        ygap=2,
        hoverongaps=False,
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        colorbar={"title": {"text": "ε left"}, "thickness": 12},
    )
    return go.Figure([heat], layout=layout)


def summary(days: Sequence[BudgetDay], lifetime_micro: int, below: float = 1.0) -> str:
    """The heat map in one sentence: how many days are low, in which months, and the lowest day.

    >>> summary([], 3_000_000)
    'No days in this year yet.'
    """
    if not days:
        return "No days in this year yet."
    low = [d for d in days if d.remaining_micro < below * MICRO]
    full = sum(d.spent_micro == 0 for d in days)
    lowest = min(days, key=lambda d: (d.remaining_micro, d.day))
    months = sorted({d.day.replace(day=1) for d in low})
    where = ""
    if months:
        names = [f"{m:%B}" for m in months]
        where = f", all in {names[0]}" if len(names) == 1 else f", in {', '.join(names[:-1])} and {names[-1]}"
    return (
        f"Days with less than ε {below:g} left: {len(low)}{where}. Days untouched (ε"
        f" {lifetime_micro / MICRO:g} left): {full} of {len(days)}. Least left: ε"
        f" {lowest.remaining_micro / MICRO:g} on {lowest.day:%-d %B %Y}."
    )
