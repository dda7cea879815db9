"""WCAG 2.2 AA contrast of the theme's colours, computed: 4.5:1 for text, 3:1 for graphics (1.4.3, 1.4.11).

Page colours come from .streamlit/config.toml, chart colours from dashboard.theme. Streamlit derives two
colours the config does not name, and they are computed here the way its frontend does: captions are the
text colour at 60% opacity, and a selected option (segmented control) is the primary colour written on a
10% tint of itself. axe-core checks the rendered pages too (tests/browser/test_accessibility.py), but only
the states it visits; this covers every theme colour, whichever element ends up using it.
"""

from __future__ import annotations

import colorsys
import tomllib
from pathlib import Path

import pytest

from dashboard import theme
from dashboard.components import tradeoff_attack_charts, tradeoff_budget_charts, tradeoff_charts

CONFIG = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
THEMES = ("light", "dark")
TEXT = 4.5
GRAPHIC = 3.0
CAPTION_OPACITY = 0.6
"""Streamlit's `fadedText60`: the text colour made 40% transparent."""
SELECTED_TINT = 0.1
"""What axe measured under a selected segment: the primary colour at 10% over the background."""


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def luminance(hex_colour: str) -> float:
    """WCAG 2.2 relative luminance."""
    linear = [c / 255 for c in rgb(hex_colour)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in linear]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(colour: str, background: str, opacity: float) -> str:
    """`colour` at `opacity` composited on an opaque `background`, as the browser paints it."""
    pairs = zip(rgb(colour), rgb(background), strict=True)
    mixed = (round(opacity * c + (1 - opacity) * b) for c, b in pairs)
    return "#" + "".join(f"{c:02X}" for c in mixed)


def page(mode: str, key: str) -> str:
    return CONFIG["theme"][mode][key]


def backgrounds(mode: str) -> tuple[str, str]:
    """The page and the sidebar (also input fields): text of every kind sits on both."""
    return page(mode, "backgroundColor"), page(mode, "secondaryBackgroundColor")


def test_the_ratio_matches_the_wcag_reference_values() -> None:
    assert ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert over("#000000", "#FFFFFF", 0.6) == "#666666"


@pytest.mark.parametrize("mode", THEMES)
def test_body_text_and_captions_reach_4_5_on_page_and_sidebar(mode: str) -> None:
    text = page(mode, "textColor")
    for background in backgrounds(mode):
        assert ratio(text, background) >= TEXT, (mode, background)
        caption = over(text, background, CAPTION_OPACITY)
        assert ratio(caption, background) >= TEXT, (mode, "caption", caption, background)


@pytest.mark.parametrize("mode", THEMES)
def test_primary_colour_as_text_reaches_4_5_even_on_its_own_tint(mode: str) -> None:
    """The slider's value, a selected segment, a hovered button's label are all written in it."""
    primary = page(mode, "primaryColor")
    for background in backgrounds(mode):
        assert ratio(primary, background) >= TEXT, (mode, background)
        tint = over(primary, background, SELECTED_TINT)
        assert ratio(primary, tint) >= TEXT, (mode, "selected", tint)


@pytest.mark.parametrize("mode", THEMES)
def test_primary_button_labels_reach_4_5(mode: str) -> None:
    assert ratio(theme.LABEL_ON_PRIMARY[mode], page(mode, "primaryColor")) >= TEXT
    assert theme.LABEL_ON_PRIMARY[mode] in theme.APP_CSS


@pytest.mark.parametrize("mode", THEMES)
def test_focus_outlines_reach_3_on_page_and_sidebar(mode: str) -> None:
    """A focus indicator is a graphic: 3:1 against what surrounds it (WCAG 1.4.11)."""
    assert theme.FOCUS_RING[mode] in theme.APP_CSS
    for background in backgrounds(mode):
        assert ratio(theme.FOCUS_RING[mode], background) >= GRAPHIC, (mode, background)


def test_chart_text_reaches_4_5_on_the_chart_card() -> None:
    """Titles, axis titles, ticks, legends and annotations: all in INK on the card, in both themes."""
    assert ratio(theme.INK, theme.CARD) >= TEXT


@pytest.mark.parametrize("name", ["FAMILY", "OWN", "GOAL"])
def test_chart_marks_reach_3_on_the_chart_card(name: str) -> None:
    assert ratio(getattr(theme, name), theme.CARD) >= GRAPHIC


LAB_MARKS = {
    "truth": tradeoff_charts.TRUTH,
    "exact": tradeoff_charts.EXACT,
    "marked setting": tradeoff_charts.MARKED,
    **{f"series {i}": colour for i, colour in enumerate(tradeoff_charts.SERIES)},
    **{f"design {name}": colour for name, colour in tradeoff_budget_charts.DESIGN_COLOURS.items()},
    "renewing loss": tradeoff_budget_charts.RENEWING,
    "renewing meter": tradeoff_budget_charts.METER,
    "lifetime": tradeoff_budget_charts.LIFETIME,
    "quiet night": tradeoff_attack_charts.QUIET,
}


@pytest.mark.parametrize("name", LAB_MARKS)
def test_the_tradeoff_labs_chart_marks_reach_3_on_the_chart_card(name: str) -> None:
    assert ratio(LAB_MARKS[name], theme.CARD) >= GRAPHIC


def test_interval_bands_are_outlined_in_a_colour_that_reaches_3() -> None:
    """The band's pale fill is not a boundary anyone can see; its dotted edge is."""
    fill = over(theme.FAMILY, theme.CARD, theme.BAND_OPACITY)
    assert ratio(fill, theme.CARD) < GRAPHIC  # so the edge is what carries the band
    edge = theme.band_edge(theme.FAMILY)
    assert edge["width"] > 0
    assert ratio(str(edge["color"]), theme.CARD) >= GRAPHIC


@pytest.mark.parametrize("name", ["FAMILY", "OWN", "GOAL"])
def test_chart_marks_stay_in_the_okabe_ito_palette(name: str) -> None:
    assert getattr(theme, name) in theme.OKABE_ITO.values()


def test_marks_that_share_a_chart_are_different_okabe_ito_hues() -> None:
    assert len({theme.FAMILY, theme.OWN, theme.GOAL}) == 3


@pytest.mark.parametrize("mode", THEMES)
def test_primary_colours_keep_the_okabe_ito_blue_hue(mode: str) -> None:
    """The light theme's primary is Okabe-Ito blue darkened, the dark theme's is Okabe-Ito sky blue."""

    def hue(colour: str) -> float:
        return colorsys.rgb_to_hls(*(c / 255 for c in rgb(colour)))[0] * 360

    blues = (theme.OKABE_ITO["blue"], theme.OKABE_ITO["sky"])
    assert min(abs(hue(page(mode, "primaryColor")) - hue(b)) for b in blues) < 3
