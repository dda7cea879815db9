"""The sidebar's epsilon choice for questions and sharpening: a capped slider, or an accuracy target.

Shared figures are paid by the family plan at the plan's epsilon; this choice prices only what the viewer
pays from their share of the reserve (the Ask panel, Sharpen).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import text, validation
from privacy.constraints import MIN_EPSILON_PER_VIEW
from privacy.epsilon import Epsilon, InvalidEpsilon
from privacy.queries import InvalidQuery, QueryId, QuerySpec
from privacy.release import Refused
from privacy.service import Hearth

WEEKLY_VIEW = QuerySpec(QueryId.FAMILY_AVERAGE, window_days=7)
"""The reference question for the accuracy target: a week's family average."""
DEFAULT_EPSILON = 0.1
"""Starting choice (or the cap, if lower): within the default share of the reserve (ε 0.25 per day)."""
MODES = {"privacy": "Privacy (ε)", "accuracy": "Accuracy (±)"}
"""Two ways to choose: the cost directly, or a target margin that the service turns into a cost."""


@dataclass(frozen=True)
class EpsilonChoice:
    """The epsilon every view on this run previews and spends, exactly as held in session state."""

    value: Epsilon | None
    """Parsed once here, at the edge (None when it cannot be used); the service still checks the cap."""
    problem: str | None
    """Why it cannot be used, for display; None when it passed the check."""


def current(hearth: Hearth, key: str = "epsilon") -> EpsilonChoice:
    """This tab's choice, for the views: re-validated on every read, never trusted from the widget."""
    raw = st.session_state.get(key)
    cap = hearth.settings.max_epsilon_per_view.value
    problem = st.session_state.get(f"{key}-note") or validation.epsilon_problem(raw, cap)
    return EpsilonChoice(None if problem else Epsilon.request(raw), problem)


def accuracy_target(key: str = "epsilon") -> float | None:
    """The target in steps while choosing by accuracy, so a question can solve its own ε; else None."""
    margin = st.session_state.get(f"{key}-margin")
    if st.session_state.get(f"{key}-mode") != "accuracy" or validation.margin_problem(margin):
        return None
    return float(margin)


def show(hearth: Hearth, key: str = "epsilon") -> EpsilonChoice:
    """Draw the control; the choice lives in `st.session_state[key]`, written only by these widgets."""
    cap = hearth.settings.max_epsilon_per_view.value
    _initialise(hearth, key, cap)
    mode = st.segmented_control(
        "Choose by",
        list(MODES),
        format_func=MODES.__getitem__,
        required=True,
        key=f"{key}-mode",
        on_change=_resync,
        args=(hearth, key),
    )
    if mode == "accuracy":
        st.number_input(
            "Within ± steps (a question over other days solves its own ε)",
            min_value=50,
            max_value=20_000,
            step=50,
            key=f"{key}-margin",
            on_change=_from_margin,
            args=(hearth, key),
        )
    else:
        st.slider(
            f"Cost of a question, per day (ε, at most {cap:g})",
            min_value=min(MIN_EPSILON_PER_VIEW, cap),
            max_value=cap,
            step=0.01,
            key=f"{key}-slider",
            on_change=_from_slider,
            args=(key,),
            help="Higher ε: sharper answers, more of your share, less privacy for each member.",
        )
    choice = current(hearth, key)
    _describe(hearth, choice, cap)
    return choice


def _describe(hearth: Hearth, choice: EpsilonChoice, cap: float) -> None:
    if choice.problem:
        st.error(choice.problem, icon=":material/block:")
        return
    try:
        preview = hearth.preview(WEEKLY_VIEW, choice.value)
    except (InvalidEpsilon, Refused) as refusal:
        st.error(text.refusal(refusal), icon=":material/block:")
        return
    st.caption(
        f"A question costs ε {preview.epsilon} per day it covers (safe maximum {cap:g}). A week's family"
        f" average then comes to within {text.plus_minus(preview.margin)} steps, 95% of the time."
    )


def _initialise(hearth: Hearth, key: str, cap: float) -> None:
    start = min(DEFAULT_EPSILON, cap)
    st.session_state.setdefault(f"{key}-mode", "privacy")
    st.session_state.setdefault(f"{key}-slider", start)
    if f"{key}-margin" not in st.session_state:
        margin = hearth.preview(WEEKLY_VIEW, start).margin
        st.session_state[f"{key}-margin"] = max(50, int(round(margin / 50) * 50))
    st.session_state.setdefault(key, start)


def _from_slider(key: str) -> None:
    st.session_state[key] = st.session_state[f"{key}-slider"]
    st.session_state.pop(f"{key}-note", None)


def _from_margin(hearth: Hearth, key: str) -> None:
    margin = st.session_state[f"{key}-margin"]
    problem = validation.margin_problem(margin)
    if problem is None:
        try:
            st.session_state[key] = hearth.epsilon_for_margin(WEEKLY_VIEW, float(margin)).value
        except (InvalidEpsilon, InvalidQuery, Refused) as refusal:
            problem = f"{refusal} Choose a wider margin."
    if problem is None:
        st.session_state.pop(f"{key}-note", None)
    else:
        st.session_state[f"{key}-note"] = problem


def _resync(hearth: Hearth, key: str) -> None:
    if st.session_state[f"{key}-mode"] == "accuracy":
        _from_margin(hearth, key)
    else:
        _from_slider(key)
