"""'Refresh' on a figure that left out members who have imported since: who it adds and its cost first."""

from __future__ import annotations

import streamlit as st

from dashboard import text
from dashboard.components import sharpen
from privacy.epsilon import InvalidEpsilon
from privacy.identity import Viewer
from privacy.queries import InvalidQuery
from privacy.release import Refused, Release
from privacy.service import Hearth


def show(hearth: Hearth, viewer: Viewer, release: Release, *, key: str) -> None:
    """Offered only once someone left out covers the period: coverage is public, the data never decide."""
    added = hearth.newly_covered(release)
    if not added:
        return
    names = " and ".join(text.safe_name(name) for name in added)
    with st.expander(f"Refresh: {text.md(names, 200)} imported since", icon=":material/refresh:"):
        priced = sharpen.price(hearth, release)
        if priced is None:
            return
        choice, preview = priced
        st.caption(
            f"A fresh release at ε {preview.epsilon} per day, from your share of the reserve, with"
            f" {text.md(names, 200)} included: about {sharpen.margin(release, preview.margin)}. It replaces"
            " this figure for everyone; this one stays in the list of releases."
        )
        if st.button(f"Refresh (costs ε {preview.epsilon} per day)", key=key):
            try:
                hearth.refresh(viewer, release, choice.value)
            except (InvalidEpsilon, InvalidQuery, Refused) as refusal:
                st.error(f"Not refreshed: {text.refusal(refusal)}", icon=sharpen.REFUSED_ICON)
                return
            st.rerun()
