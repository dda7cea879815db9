"""Ask a question: whole days and a statistic, its cost and expected interval first, then one button.

Drawn by the router under every family page. Paid from the reserve under the viewer's share, so only
the `ask-submit` button spends; the answer then sits on the family's noticeboard for everyone.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo

import streamlit as st

from dashboard import charts, figure_text, text, theme, validation
from dashboard.components import epsilon_control
from privacy.constraints import DEFAULT_STEP_GOAL
from privacy.engine.catalog import statistic
from privacy.engine.periods import Period
from privacy.epsilon import Epsilon, InvalidEpsilon
from privacy.identity import Viewer
from privacy.queries import InvalidQuery, QueryId, QuerySpec
from privacy.release import Refused, Release
from privacy.service import Hearth

STATISTICS = {
    QueryId.FAMILY_AVERAGE: "Family average steps per day",
    QueryId.GOAL_ATTAINMENT: "Days at the step goal, week by week",
    QueryId.DISTRIBUTION: "How days spread over step bands",
    QueryId.WEEKDAY: "Steps by day of the week",
    QueryId.HOUR_OF_DAY: "Steps by hour of the day",
}
"""What may be asked over custom days: every catalog statistic that is an estimate."""
DEFAULT_DAYS = 30
REFUSED_ICON = ":material/block:"


def statistic_label(query: QueryId) -> str:
    """Module-level, not a lambda: session state must stay picklable."""
    return STATISTICS[QueryId(query)]


def show(hearth: Hearth, viewer: Viewer, key: str = "ask") -> Release | None:
    """The panel, keyed `key`; returns the answer shown (asked now or already on the board)."""
    last_day = hearth.covered_date() or hearth.today() - timedelta(days=1)
    with st.container(key=key), st.expander("Ask a question", icon=":material/help:"):
        query = st.selectbox(
            "Statistic", list(STATISTICS), format_func=statistic_label, key=f"{key}-statistic"
        )
        # No max_value: Streamlit would silently swap an out-of-range (forged) value for the default,
        # and a click would then ask a question nobody chose; `days_problem` refuses it instead.
        st.date_input(
            f"Days up to {last_day:%-d %B %Y} (whole days, both included)",
            value=(last_day - timedelta(days=DEFAULT_DAYS - 1), last_day),
            key=f"{key}-days",
        )
        days = st.session_state.get(f"{key}-days")
        choice = epsilon_control.current(hearth)
        problem = validation.days_problem(days, last_day) or choice.problem
        if problem:
            st.warning(problem, icon=REFUSED_ICON)
            return None
        try:
            spec, period = QuerySpec(query, None, goal=_goal(query, key)), Period(*days)
        except InvalidQuery as refusal:
            st.warning(f"{text.refusal(refusal)}: nothing was spent.", icon=REFUSED_ICON)
            return None
        epsilon = _aimed(hearth, spec, period, choice.value)
        return None if epsilon is None else _offer(hearth, viewer, spec, period, epsilon, key)


def _goal(query: QueryId, key: str) -> int:
    """The step goal, asked only for goal attainment (the service checks it again: 1,000 to 25,000)."""
    if query is not QueryId.GOAL_ATTAINMENT:
        return DEFAULT_STEP_GOAL
    goal = st.number_input(
        "Daily step goal",
        min_value=1_000,
        max_value=25_000,
        value=DEFAULT_STEP_GOAL,
        step=500,
        key=f"{key}-goal",
    )
    return int(goal)


def _aimed(hearth: Hearth, spec: QuerySpec, period: Period, chosen: Epsilon | None) -> Epsilon | None:
    """Accuracy first: the ε that buys the sidebar's ± steps on this very question (None if refused)."""
    aim = epsilon_control.accuracy_target()
    if aim is None:
        return chosen
    if statistic(spec).share:
        st.caption(f"A target in steps does not fit a share: this question uses ε {chosen} per day.")
        return chosen
    try:
        solved = hearth.epsilon_for_margin(spec, aim, period)
    except (InvalidEpsilon, InvalidQuery, Refused) as refusal:
        st.error(f"{text.refusal(refusal)} Choose a wider margin; nothing was spent.", icon=REFUSED_ICON)
        return None
    st.caption(f"Aiming at {text.plus_minus(aim)} steps on these days: ε {solved} per day.")
    return solved


def _offer(
    hearth: Hearth, viewer: Viewer, spec: QuerySpec, period: Period, epsilon: object, key: str
) -> Release | None:
    try:
        found = hearth.stored(viewer, spec, epsilon, period)
        if found is not None:
            _answer(found, hearth.settings.zone)
            return found
        preview = hearth.preview(spec, epsilon, period)
        share = hearth.budget(viewer, period.first, period.last).share_left_micro
    except (InvalidEpsilon, InvalidQuery, Refused) as refusal:
        st.error(f"{text.refusal(refusal)} Nothing was spent.", icon=REFUSED_ICON)
        return None
    st.caption(
        f"Costs ε {preview.epsilon} per day on each of the {period.days} days, from your share of the"
        f" reserve (ε {text.epsilon(share)} per day left on them). {_expected(spec, preview.margin)}"
        " Nothing is spent until you ask."
    )
    if not st.button(f"Ask (costs ε {preview.epsilon} per day)", key=f"{key}-submit", type="primary"):
        return None
    try:
        asked = hearth.ask(viewer, spec, epsilon, period)
    except (InvalidEpsilon, InvalidQuery, Refused) as refusal:
        st.error(f"Not asked: {text.refusal(refusal)}", icon=REFUSED_ICON)
        return None
    _answer(asked, hearth.settings.zone)
    return asked


def _answer(release: Release, zone: tzinfo) -> None:
    title = statistic_label(release.spec.query)
    if len(release.values) == 1:
        st.metric(release.unit, charts.summary(release))
    else:
        figure = charts.figure_for(release)
        if figure is not None:
            st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key="ask-chart")
    st.caption(text.md(charts.describe(release, title), 2000))
    st.caption(text.md(figure_text.footer(release, zone=zone), 400))


def _expected(spec: QuerySpec, margin: float) -> str:
    if statistic(spec).share:
        return f"Expected 95% interval: {text.percent_points(margin)}."
    return f"Expected 95% interval: {text.plus_minus(margin)} steps."
