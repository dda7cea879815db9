"""One shared family figure in a card: made or replayed on open, with who, period, epsilon and release day."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import figure_text, text
from dashboard.components import refresh, sharpen
from privacy.budget.plan import PRODUCTS, Product
from privacy.engine.periods import Cadence, Period
from privacy.identity import Viewer
from privacy.release import LedgerUnavailable, NotYetReleased, Refused, Release
from privacy.service import Hearth

Body = Callable[[Release, str], None]
"""Draws a release's values inside the card; the card adds the words every figure carries."""
NOUNS = {
    Cadence.WEEK: "week",
    Cadence.FOUR_WEEKS: "4-week period",
    Cadence.QUARTER: "quarter",
    Cadence.YEAR: "year",
}
"""How each cadence is named in 'data not imported for this ...' and 'New this ...'."""


def show(
    hearth: Hearth,
    viewer: Viewer,
    product: Product,
    body: Body,
    *,
    key: str,
    title: str,
    period: Period | None = None,
) -> Release | None:
    """The card keyed `key`: the product's figure for `period` (default its newest), never a spend button.

    A period's first visit makes the release for everyone, paid by the family plan; the card says so.
    """
    with st.container(border=True, key=key):
        st.markdown(f"**{text.md(title, 80)}**")
        release = fetch(hearth, viewer, product, period)
        if release is not None:
            draw(hearth, viewer, release, body, key=key, noun=NOUNS[PRODUCTS[product].cadence])
        return release


def draw(
    hearth: Hearth, viewer: Viewer, release: Release, body: Body, *, key: str, noun: str, new: bool = False
) -> None:
    """Inside a card: 'New this ...' once (on the visit that made it), the body, the words, the offers."""
    if new or not release.replayed:
        st.success(f"New this {noun}: released for the family at ε {release.epsilon} per day.")
    body(release, key)
    st.caption(text.md(figure_text.footer(release, noun, zone=hearth.settings.zone), 400))
    sharpen.show(hearth, viewer, release, key=f"{key}-sharpen")
    refresh.show(hearth, viewer, release, key=f"{key}-refresh")


def fetch(hearth: Hearth, viewer: Viewer, product: Product, period: Period | None = None) -> Release | None:
    """The figure, or None after saying why not (not released yet, switched off, ledger down)."""
    try:
        return hearth.figure(viewer, product, period)
    except Refused as refusal:
        explain(refusal)
    return None


def fetch_series(hearth: Hearth, viewer: Viewer, product: Product, count: int) -> tuple[Release, ...]:
    """The product's newest `count` periods, oldest first, or () after saying why not."""
    try:
        return hearth.series(viewer, product, count)
    except Refused as refusal:
        explain(refusal)
    return ()


def explain(refusal: Refused) -> None:
    """Why no figure is shown; the service's messages may name members, so they are escaped."""
    if isinstance(refusal, NotYetReleased):
        st.info(text.refusal(refusal), icon=":material/schedule:")
    elif isinstance(refusal, LedgerUnavailable):
        st.error("The privacy ledger is unavailable, so nothing was shown or spent.", icon=":material/block:")
    else:
        st.error(f"Not shown: {text.refusal(refusal)}", icon=":material/block:")
