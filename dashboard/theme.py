"""Colours and chart styling in one place: Okabe-Ito, safe for the common colour-vision deficiencies."""

from __future__ import annotations

from typing import Any

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
"""Okabe & Ito (2008): eight hues distinguishable with protan, deutan and tritan vision."""

FAMILY = OKABE_ITO["blue"]
"""Noisy family figures: one hue across every page, so 'blue means the family' is learned once."""
OWN = OKABE_ITO["vermillion"]
"""The viewer's own exact data: vermillion against the family's blue stays apart in every colour vision, and
unlike Okabe-Ito orange (2.3:1) it reaches the 3:1 a graphic needs on the white card (3.9:1)."""
GOAL = OKABE_ITO["green"]
"""The step-goal line."""
BAND_OPACITY = 0.22
"""The 95% band: light enough that the line stays the first thing the eye reads."""
BAND_EDGE_WIDTH = 1
"""The band's edges, dotted in the band's full colour: the pale fill alone is 1.3:1 on the card, the edges
carry the 3:1 a graphic needs (WCAG 1.4.11) without competing with the 2 px line."""

INK = "#0E1116"
"""Chart text: the light theme's text colour (charts keep a light card in both themes)."""
GRID = "#D9D6CE"
CARD = "#FFFFFF"
"""Charts sit on a white card in both themes: the palette's contrast was chosen against white."""

LABEL_ON_PRIMARY = {"light": "#FFFFFF", "dark": "#14181D"}
"""Primary buttons' label per theme. Streamlit paints it white on the primary colour in both themes: 2.3:1 on
the dark theme's sky blue. The dark theme gets its own page colour instead (8:1)."""
FOCUS_RING = {"light": "#00659F", "dark": "#56B4E9"}
"""Each theme's primary colour (.streamlit/config.toml), for focus outlines where Streamlit draws none."""
APP_CSS = f"""<style>
.stApp [data-testid^="stBaseButton-primary"] {{
  color: light-dark({LABEL_ON_PRIMARY["light"]}, {LABEL_ON_PRIMARY["dark"]});
}}
.stApp [data-testid="stSidebarNavLink"]:focus-visible, .stApp [data-testid="stMain"]:focus-visible,
.stApp [data-testid="stBaseButton-elementToolbar"]:focus-visible {{
  outline: 2px solid light-dark({FOCUS_RING["light"]}, {FOCUS_RING["dark"]});
  outline-offset: -2px;
}}
</style>"""
"""App-wide styles, a constant. `light-dark()` follows the colour scheme Streamlit sets on the app, whether
the theme came from the system or from the settings menu. The outline covers the keyboard stops that
Streamlit leaves without any focus indicator (WCAG 2.4.7): the page links, the scrollable main area and
the buttons over a chart or picture (fullscreen, download)."""

CHART_HEIGHT = 320
"""Fixed height: screenshots stay identical run to run and a phone shows a whole chart at once."""
SMALL_CHART_HEIGHT = 260

PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": [
        "zoom2d",
        "pan2d",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "resetScale2d",
        "toggleSpikelines",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
    ],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
"""Mode bar trimmed to 'download as PNG': zooming on a phone fights the page scroll."""


def translucent(hex_colour: str, alpha: float = BAND_OPACITY) -> str:
    """An rgba() string for bands: plotly's fillcolor has no separate opacity.

    >>> translucent("#0072B2", 0.5)
    'rgba(0,114,178,0.5)'
    """
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha:g})"


def band_edge(colour: str) -> dict[str, object]:
    """The outline of a 95% band (see BAND_EDGE_WIDTH).

    >>> band_edge("#0072B2")
    {'color': '#0072B2', 'width': 1, 'dash': 'dot'}
    """
    return {"color": colour, "width": BAND_EDGE_WIDTH, "dash": "dot"}


def base_layout(title: str, x_title: str, y_title: str, height: int = CHART_HEIGHT) -> dict[str, Any]:
    """Shared layout: titles with units, no animation, a legend under the plot so phones keep the width."""
    axis = {
        "gridcolor": GRID,
        "zeroline": False,
        "linecolor": GRID,
        "ticks": "outside",
        "automargin": True,
        "separatethousands": True,
        "exponentformat": "none",
    }
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 44, "b": 8},
        "paper_bgcolor": CARD,
        "plot_bgcolor": CARD,
        "font": {"family": "sans-serif", "size": 12, "color": INK},
        "xaxis": {**axis, "title": {"text": x_title}},
        "yaxis": {**axis, "title": {"text": y_title}},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
        "hovermode": "x",
        "transition": {"duration": 0},
        "showlegend": False,
    }


def hline(y: float, colour: str, dash: str) -> dict[str, object]:
    """A full-width horizontal line shape (a goal, a family average)."""
    return {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": y,
        "y1": y,
        "line": {"color": colour, "width": 2, "dash": dash},
    }
