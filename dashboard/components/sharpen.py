"""'Sharpen' on a shown figure: the narrower combined interval and its cost first, then one button."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, text
from dashboard.components import epsilon_control
from dashboard.components.epsilon_control import EpsilonChoice
from privacy import derived
from privacy.derived import Estimate
from privacy.epsilon import InvalidEpsilon
from privacy.identity import Viewer
from privacy.noticeboard import estimates
from privacy.queries import InvalidQuery, QueryId
from privacy.release import Preview, Refused, Release
from privacy.service import Hearth

REFUSED_ICON = ":material/block:"


def show(hearth: Hearth, viewer: Viewer, release: Release, *, key: str) -> None:
    """An expander offering one more release of the same question at the sidebar's ε, from the reserve.

    The champion is a choice, not an estimate, so it is never sharpened.
    """
    if release.spec.query is QueryId.CHAMPION:
        return
    with st.expander("Sharpen this figure", icon=":material/center_focus_strong:"):
        priced = price(hearth, release)
        if priced is None:
            return
        choice, preview = priced
        before, after = widest(release), combined_widest(release, preview.scale)
        st.caption(
            f"One more release at ε {preview.epsilon} per day, from your share of the reserve, combined"
            f" with this one: {margin(release, before)} becomes about {margin(release, after)}."
        )
        if st.button(f"Sharpen (costs ε {preview.epsilon} per day)", key=key):
            try:
                hearth.sharpen(viewer, release, choice.value)
            except (InvalidEpsilon, InvalidQuery, Refused) as refusal:
                st.error(f"Not sharpened: {text.refusal(refusal)}", icon=REFUSED_ICON)
                return
            st.rerun()


def price(hearth: Hearth, release: Release) -> tuple[EpsilonChoice, Preview] | None:
    """The sidebar's ε and what one more release of this figure would cost, or None after saying why not."""
    choice = epsilon_control.current(hearth)
    if choice.problem:
        st.warning(choice.problem, icon=REFUSED_ICON)
        return None
    try:
        return choice, hearth.preview(release.spec, choice.value, charts.period(release))
    except (InvalidEpsilon, InvalidQuery, Refused) as refusal:
        st.error(f"{text.refusal(refusal)} Nothing was spent.", icon=REFUSED_ICON)
    return None


def widest(release: Release) -> float:
    """The figure's widest 95% half-width, from its public noise scales."""
    return max(e.half_width for e in estimates(release))


def combined_widest(release: Release, new_scale: float) -> float:
    """The widest half-width after combining with one more release of noise scale `new_scale`."""
    index = release.denominators.index(min(release.denominators))
    current = estimates(release)[index]
    extra = Estimate(current.value, (new_scale / release.denominators[index],))
    return derived.inverse_variance([current, extra]).half_width


def margin(release: Release, half_width: float) -> str:
    """A half-width in the figure's own terms: '± 2,100 steps' or '± 12 pts'."""
    if charts.measure(release) is charts.Measure.SHARE:
        return text.percent_points(half_width)
    return f"{text.plus_minus(half_width)} steps"
