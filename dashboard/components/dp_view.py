"""One family figure: its cost before spending, a spend button, the replay, and refusals without values."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import charts, text, theme
from dashboard.components import epsilon_control
from privacy.epsilon import InvalidEpsilon
from privacy.identity import Viewer
from privacy.queries import InvalidQuery, QueryId, QuerySpec
from privacy.release import BudgetExhausted, LedgerUnavailable, Refused, Release
from privacy.service import Hearth

Renderer = Callable[[Release, str], None]
REFUSED_ICON = ":material/block:"


def show(
    hearth: Hearth,
    viewer: Viewer,
    spec: QuerySpec,
    *,
    key: str,
    title: str,
    render: Renderer | None = None,
) -> Release | None:
    """Draw one figure in a card keyed `key`; spends only when its button (`<key>-spend`) is clicked.

    A rerun, a slider move or a page switch finds an earlier release through `Hearth.stored`, which
    never spends; anything refused shows its message and no value at all.
    """
    with st.container(border=True, key=key):
        st.markdown(f"**{text.md(title, 80)}**")
        release = _obtain(hearth, viewer, spec, key)
        if release is None:
            return None
        (render or chart)(release, key)
        st.caption(charts.caption(release))
        return release


def chart(release: Release, key: str) -> None:
    """The default rendering: the query's own chart, with our colours (theme=None) and a trimmed mode bar."""
    figure = charts.figure_for(release)
    if figure is not None:
        st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key=f"{key}-chart")


def _obtain(hearth: Hearth, viewer: Viewer, spec: QuerySpec, key: str) -> Release | None:
    choice = epsilon_control.current(hearth)
    if choice.problem:
        st.warning(choice.problem, icon=REFUSED_ICON)
        return None
    try:
        found = hearth.stored(viewer, spec, choice.value)
        if found is not None:
            return found
        preview = hearth.preview(spec, choice.value)
    except (InvalidEpsilon, InvalidQuery, Refused) as refusal:
        _refused(refusal)
        return None
    offer = st.empty()
    with offer.container():
        st.caption(
            f"Costs ε {preview.epsilon} of your budget. {_expected(spec, preview.margin)}"
            " Nothing is shown or spent until you ask."
        )
        clicked = st.button(f"Show (costs ε {preview.epsilon})", key=f"{key}-spend", type="primary")
    if not clicked:
        return None
    offer.empty()
    try:
        return hearth.release(viewer, spec, choice.value)
    except (InvalidEpsilon, InvalidQuery, Refused) as refusal:
        _refused(refusal)
        return None


def _expected(spec: QuerySpec, margin: float) -> str:
    if spec.query is QueryId.CHAMPION:
        return "A noisy choice, so it has no interval."
    if spec.query in (QueryId.GOAL_ATTAINMENT, QueryId.DISTRIBUTION):
        return f"Expected 95% interval: {text.percent_points(margin)}."
    return f"Expected 95% interval: {text.plus_minus(margin)} steps."


def _refused(refusal: Exception) -> None:
    """Show why nothing was released: the service's refusal messages are written to be shown."""
    if isinstance(refusal, BudgetExhausted):
        st.error(f"Not shown: {refusal}", icon=REFUSED_ICON)
    elif isinstance(refusal, LedgerUnavailable):
        st.error("The privacy ledger is unavailable, so nothing was shown or spent.", icon=REFUSED_ICON)
    else:
        st.error(f"Not shown: {refusal} Nothing was spent.", icon=REFUSED_ICON)
