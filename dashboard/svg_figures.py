"""Small pictures drawn as SVG, for the Overview: no chart library to load, so its figures appear at once.

Plotly's browser bundle takes a second or more to load and parse on a first visit; the Overview's two
pictures (an interval and a sparkline) need none of it. They carry numbers only, never a name, are
shown as images (`st.image`: no script runs inside an image) with their description as alt text, and
the same figures are written out in text beside them.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from dashboard import theme

WIDTH = 400
STRIP_HEIGHT = 64
SPARK_HEIGHT = 140
PAD = 12
FONT = 'font-family="sans-serif" font-size="11"'


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    """The document: a title for what it shows, the body, a white card as on every chart."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" role="img"><title>{html.escape(title)}</title>'
        f'<rect width="{width}" height="{height}" fill="{theme.CARD}"/>' + "".join(body) + "</svg>"
    )


def interval_strip(
    value: float,
    lower: float,
    upper: float,
    top: float,
    title: str,
    goal: float | None = None,
    *,
    share: bool = False,
) -> str:
    """A dot on its 95% interval over an axis from 0 to `top` (and the goal for scale).

    >>> picture = interval_strip(7000, 5000, 9000, 10000, "A week", goal=8000)
    >>> picture.startswith('<svg') and "<title>A week</title>" in picture and "goal 8,000" in picture
    True
    """
    span = WIDTH - 2 * PAD

    def x(v: float) -> float:
        return PAD + span * min(max(v, 0.0), top) / top

    ticks = tick_values(top)
    body = [_line(PAD, WIDTH - PAD, 40, 40, theme.GRID)]
    for t in ticks:
        anchor = "start" if t == 0 else "end" if t >= top else "middle"
        body.append(_line(x(t), x(t), 36, 44, theme.GRID))
        body.append(_text(x(t), 58, anchor, f"{t:.0%}" if share else f"{t:,.0f}"))
    if goal is not None:
        body.append(_line(x(goal), x(goal), 10, 44, theme.GOAL, 2, "3 3"))
        body.append(_text(x(goal), 9, "end", f"goal {goal:,.0f}"))
    body.append(_line(x(lower), x(upper), 26, 26, theme.FAMILY, 3))
    body += [_line(x(end), x(end), 20, 32, theme.FAMILY, 3) for end in (lower, upper)]
    body.append(f'<circle cx="{x(value):.1f}" cy="26" r="6" fill="{theme.FAMILY}"/>')
    return _svg(WIDTH, STRIP_HEIGHT, title, body)


def tick_values(top: float) -> list[float]:
    """Round ticks from 0 up to `top`: steps of 1, 2, 2.5 or 5 times a power of ten, at least four of them.

    >>> tick_values(8500.0)
    [0.0, 2000.0, 4000.0, 6000.0, 8000.0]
    >>> tick_values(1.0)
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = max(m * power for m in (1, 2, 2.5, 5) if m * power <= raw * 1.001)
    return [float(i * step) for i in range(int(top / step + 1e-9) + 1)]


def sparkline(values: Sequence[float], lower: Sequence[float], upper: Sequence[float], title: str) -> str:
    """A line inside its 95% band, from zero up, no axes: the trend at a glance (its numbers are in text).

    >>> "<polygon" in sparkline([1, 2], [0, 1], [2, 3], "Two weeks")
    True
    """
    top = max([*upper, 1.0]) * 1.05
    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)

    def point(i: int, v: float) -> str:
        y = SPARK_HEIGHT - 6 - (SPARK_HEIGHT - 12) * max(v, 0.0) / top
        return f"{PAD + i * step:.1f},{y:.1f}"

    band = [point(i, v) for i, v in enumerate(upper)] + [
        point(i, v) for i, v in reversed(list(enumerate(lower)))
    ]
    line = [point(i, v) for i, v in enumerate(values)]
    body = [
        f'<polygon points="{" ".join(band)}" fill="{theme.translucent(theme.FAMILY)}"'
        f' stroke="{theme.FAMILY}" stroke-width="{theme.BAND_EDGE_WIDTH}" stroke-dasharray="1 2"/>',
        f'<polyline points="{" ".join(line)}" fill="none" stroke="{theme.FAMILY}" stroke-width="2"/>',
        *(
            f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" fill="{theme.FAMILY}"/>'
            for p in line
        ),
    ]
    return _svg(WIDTH, SPARK_HEIGHT, title, body)


def _line(x1: float, x2: float, y1: float, y2: float, colour: str, width: float = 1, dash: str = "") -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    ends = f'x1="{x1:.1f}" x2="{x2:.1f}" y1="{y1}" y2="{y2}"'
    return f'<line {ends} stroke="{colour}" stroke-width="{width}"{dashes}/>'


def _text(x: float, y: float, anchor: str, label: str) -> str:
    at = f'x="{x:.1f}" y="{y}" text-anchor="{anchor}"'
    return f'<text {at} fill="{theme.INK}" {FONT}>{html.escape(label)}</text>'
