"""Hearth's entry point, a router: page config, the shared sidebar, then the page the visitor chose.

Run with `streamlit run dashboard/app.py`; Streamlit executes this file (and each page file) as
`__main__`, so importing it has no side effects.
"""

from __future__ import annotations

import sqlite3

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import runtime, sitemap, text
from dashboard.components import ask_panel, budget_meter, epsilon_control
from dashboard.components.epsilon_control import EpsilonChoice
from dashboard.components.tradeoff_start import StartOptions, presenting
from dashboard.theme import APP_CSS
from privacy.identity import Viewer
from privacy.release import Refused
from privacy.service import Hearth

FIGURE_PAGES = frozenset(p.title for p in sitemap.PAGES if p.figures)
"""Family pages: each opens with shared figures and ends with the Ask-a-question panel."""


def main() -> None:
    """Route: signed out, the sign-in page alone (no names, no releases); signed in, every page."""
    try:
        hearth = runtime.hearth()
        viewer = runtime.viewer()
        kind = hearth.kind()
    except (OSError, sqlite3.Error, Refused):
        _configure(wide=False)
        st.error("The family store could not be opened, so nothing was shown or spent.")
        st.stop()
    start = StartOptions.read()
    present = presenting(start)
    if kind == "demo":
        st.badge("Demo data", icon=":material/science:", color="orange")
    if viewer is None:
        _signed_out(kind, start.start_here, present)
        return
    defaults = {sitemap.LAB: start.start_here, sitemap.OVERVIEW: not start.start_here}
    built = {
        section: [_page(p, default=defaults.get(p, False)) for p in pages]
        for section, pages in sitemap.sections(viewer.is_admin).items()
    }
    lab = next(p for p in built["Learn"] if p.title == sitemap.LAB.title)
    page = st.navigation(built, position="hidden" if present else "sidebar")
    _configure(wide=page is lab)
    if present and page is lab:
        page.run()  # presenting the lab: no shared sidebar, nothing of the viewer's on screen
        return
    choice, meter = _sidebar(hearth, viewer, kind == "demo")
    try:
        page.run()
        if page.title in FIGURE_PAGES:
            ask_panel.show(hearth, viewer)
    except Refused as refusal:
        # Fail closed: a ledger or session refusal mid-page shows its (data-free) message and nothing else.
        st.error(text.refusal(refusal), icon=":material/block:")
    # Drawn after the page, so a figure bought on this run is already off the meter.
    with meter:
        budget_meter.show(hearth, viewer, choice)


def _signed_out(kind: str, lab_first: bool, present: bool) -> None:
    """The sign-in page alone; on a made-up store the lab too (by URL or start-up switch, never listed)."""
    if kind == "demo" and not present:
        st.sidebar.badge("Demo data", icon=":material/science:", color="orange")
    pages = [_page(sitemap.SIGN_IN, default=not lab_first or kind == "real")]
    if kind != "real":
        pages.append(_page(sitemap.LAB, default=lab_first))
    page = st.navigation(pages, position="hidden")
    _configure(wide=page.title == sitemap.LAB.title)
    page.run()


def _configure(wide: bool) -> None:
    """One page config per run, after routing: a second call with another layout makes pages flicker."""
    st.set_page_config(
        page_title="Hearth", page_icon=":material/home:", layout="wide" if wide else "centered"
    )
    st.html(APP_CSS)


def _page(entry: sitemap.PageEntry, default: bool = False) -> st.Page:
    return st.Page(entry.path, title=entry.title, icon=entry.icon, default=default)


def _sidebar(hearth: Hearth, viewer: Viewer, demo: bool) -> tuple[EpsilonChoice, DeltaGenerator]:
    """The controls every page shares; returns the choice and the slot the budget meter fills last."""
    with st.sidebar:
        if demo:
            st.badge("Demo data", icon=":material/science:", color="orange")
        st.markdown(f"Signed in as **{text.md(viewer.name)}**")
        choice = epsilon_control.show(hearth)
        meter = st.container(key="budget-meter")
        if st.button("Sign out", key="sign-out", icon=":material/logout:"):
            hearth.sign_out(viewer)
            runtime.forget()
            st.rerun()
    return choice, meter


if __name__ == "__main__":
    main()
