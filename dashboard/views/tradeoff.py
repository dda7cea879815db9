"""Privacy vs accuracy: a presenter-driven lab on made-up families that spends no budget.

Start straight into it with `HEARTH_START=tradeoff` (or the URL `/tradeoff`), and in presentation mode
with `HEARTH_PRESENT=1` (or `?present=1`): see `components.tradeoff_start`. It needs no sign-in:
`TradeoffLab` opens only demo or synthetic stores, shows only made-up data, and never touches the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from dashboard import runtime, text, theme
from dashboard.charts import TITLES
from dashboard.components import tradeoff_attack_charts as attack_charts
from dashboard.components import tradeoff_budget_charts as budget_charts
from dashboard.components import tradeoff_charts as charts
from dashboard.components.tradeoff_start import PRESENT_KEY, StartOptions
from privacy.epsilon import InvalidEpsilon
from privacy.queries import InvalidQuery, PrivacyUnit, QueryId
from privacy.release import NotAllowed
from privacy.tradeoff import NUMERIC_QUERIES, FamilyChoice, LabSettings, Source, TradeoffLab

EPSILONS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
"""The epsilon stops: the whole allowed range, evenly spaced on a log scale."""
SECTIONS = {
    "release": "Release vs truth",
    "curves": "Error vs ε",
    "needle": "What moves the needle",
    "subtraction": "Subtracting yourself",
    "attack": "Night-walk attack",
    "share": "Ask once, share",
    "renewal": "Renewing vs lifetime budgets",
}
FAMILIES = {Source.STORE.value: "This store's family", Source.SYNTHETIC.value: "A made-up family"}
QUERY_NAMES = {q: TITLES[q][0] for q in NUMERIC_QUERIES}
UNIT_NAMES = {u: u.value for u in PrivacyUnit}
PAIRS = {"pair": "Two members", "all": "The whole family"}
# Widget labels come from module-level dicts: a bound dict method pickles (session state must).
PRESENTATION_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"] {display: none;}
html {font-size: 125%;}
</style>"""
"""Presentation mode: no sidebar or toolbar, larger type. A constant, never fed by data."""


def render() -> None:
    """Controls on top, then one section at a time (a presenter steps through them like slides)."""
    present = _presentation(StartOptions.read())
    st.title("Privacy vs accuracy")
    lab = _lab_or_stop()
    st.caption(
        "Made-up families only, so the true values are shown beside the private ones. Every simulation"
        " here spends no privacy budget: nothing touches anyone's ledger."
    )
    try:
        settings = _controls(lab)
    except (InvalidQuery, InvalidEpsilon, ValueError) as problem:
        st.error(f"Those settings are not allowed: {problem}", icon=":material/block:")
        return
    section = st.radio(
        "Show", list(SECTIONS), format_func=SECTIONS.__getitem__, horizontal=True, key="tradeoff-section"
    )
    with st.spinner("Simulating (once; later views read the stored draws)…", show_time=False):
        SECTION_VIEWS[section](lab, settings, present)
    if not present:
        st.sidebar.caption(
            "Simulated draws are stored the first time a setting is shown, so the same settings always"
            " show the same picture. They spend no privacy budget."
        )


def _presentation(options: StartOptions) -> bool:
    """Presenting: no sidebar or toolbar, larger type (the CSS below).

    The layout is the router's to set, once per run after routing (`wide` for this page): a second
    `set_page_config` here with another layout made the browser flip between the two on reruns.
    """
    st.session_state.setdefault(PRESENT_KEY, options.present)
    present = bool(st.session_state[PRESENT_KEY])
    if present:
        st.html(PRESENTATION_CSS)
    return present


@st.cache_resource(show_spinner=False)
def _open_lab(db: str) -> TradeoffLab:
    """One lab per process and store: it holds only made-up data, so sharing it across tabs is safe."""
    return TradeoffLab.open(Path(db))


def _lab_or_stop() -> TradeoffLab:
    try:
        return _open_lab(str(runtime.hearth().settings.db))
    except NotAllowed as refusal:
        st.info(str(refusal), icon=":material/lock:")
        st.stop()


def _controls(lab: TradeoffLab) -> LabSettings:
    left, right = st.columns([3, 1])
    with right:
        st.toggle("Presentation mode", key=PRESENT_KEY)
    with left:
        names = {**FAMILIES, Source.STORE.value: "The demo family"} if lab.kind() == "demo" else FAMILIES
        source = st.radio(
            "Family", list(names), format_func=names.__getitem__, horizontal=True, key="tradeoff-family"
        )
    family = _family_choice(Source(source))
    summary = lab.family(family)
    names = ", ".join(text.md(n) for n in summary.names)
    label = text.md(summary.label[:1].upper() + summary.label[1:])
    st.caption(f"{label}: {names}, {summary.first:%-d %b %Y} to {summary.today:%-d %b %Y}.")
    eps, query = st.columns(2)
    window, unit = st.columns([1, 2])
    return LabSettings(
        family=family,
        epsilon=eps.select_slider("Privacy loss ε", EPSILONS, value=0.5, key="tradeoff-epsilon"),
        query=query.selectbox(
            "Statistic",
            NUMERIC_QUERIES,
            format_func=QUERY_NAMES.__getitem__,
            index=NUMERIC_QUERIES.index(QueryId.TREND),
            key="tradeoff-query",
        ),
        window_days=window.select_slider("Window, days", (7, 30, 90, 365), value=90, key="tradeoff-window"),
        unit=unit.radio(
            "Privacy unit",
            list(PrivacyUnit),
            format_func=UNIT_NAMES.__getitem__,
            horizontal=True,
            key="tradeoff-unit",
        ),
    )


def _family_choice(source: Source) -> FamilyChoice:
    if source is Source.STORE:
        return FamilyChoice(Source.STORE)
    members, days = st.columns(2)
    steps, night = st.columns(2)
    return FamilyChoice(
        Source.SYNTHETIC,
        members=members.select_slider("Members", tuple(range(1, 13)), value=5, key="tradeoff-members"),
        days=days.select_slider("Days of history", (30, 90, 180, 365, 730), value=365, key="tradeoff-days"),
        typical_steps=steps.select_slider(
            "Typical steps", tuple(range(2_000, 16_001, 1_000)), value=8_000, key="tradeoff-steps"
        ),
        night_walker=night.toggle("A night walker", value=True, key="tradeoff-night-walker"),
    )


def _chart(figure: object, key: str) -> None:
    st.plotly_chart(figure, theme=None, config=theme.PLOTLY_CONFIG, key=key)


def _release(lab: TradeoffLab, settings: LabSettings, present: bool) -> None:
    shown = lab.release(settings)
    _chart(charts.release_figure(shown, present), "tradeoff-release-chart")
    st.caption(
        f"One release by the real engine at ε {settings.epsilon:g} ({shown.mechanism}, noise scale"
        f" {shown.scale:,.0f} on each sum), protecting {settings.unit.value}s. The band is its 95% interval;"
        " the dotted black line is the truth, which only a made-up family may show."
    )


def _curves(lab: TradeoffLab, settings: LabSettings, present: bool) -> None:
    curves = lab.error_curves(settings)
    _chart(charts.error_curves_figure(curves, settings.epsilon, present), "tradeoff-curves-chart")
    st.caption(
        f"Lines: the 95% error OpenDP's accuracy formula expects. Circles: the error actually seen in"
        f" {curves[0].draws} simulated releases at ε 0.05, 0.2 and 1. Points below the line at small ε"
        " are releases clipped to what is possible (no share below 0), which only shrinks the error."
    )


def _needle(lab: TradeoffLab, settings: LabSettings, present: bool) -> None:
    for comparison in lab.needle(settings):
        _chart(charts.comparison_figure(comparison, present), f"tradeoff-needle-{comparison.key}")
        st.caption(comparison.why)


def _subtraction(lab: TradeoffLab, settings: LabSettings, present: bool) -> None:
    if len(lab.family(settings.family).names) < 2:
        st.info("Subtracting yourself needs a family of at least two: choose more members.")
        return
    pair = st.radio(
        "Family",
        ("pair", "all"),
        format_func=PAIRS.__getitem__,
        horizontal=True,
        key="tradeoff-pair",
    )
    result = lab.subtraction(settings, pair == "pair")
    _chart(attack_charts.subtraction_figure(result, present), "tradeoff-subtraction-chart")
    viewer, others = text.md(result.viewer), text.md(result.others, 60)
    st.caption(
        f"{viewer} knows their own steps and subtracts them from each day's family total. From an exact"
        f" total that leaves {others}'s steps exactly; from the private total it leaves them give or take"
        f" {text.plus_minus(result.margin)} steps, 95% of the time."
    )


def _attack(lab: TradeoffLab, settings: LabSettings, present: bool) -> None:
    result = lab.night_attack(settings)
    if not 0 < result.walk_share < 1:
        st.info("No one in this family walks some nights and not others, so there is nothing to infer.")
        return
    _chart(attack_charts.night_strip_figure(result, present), "tradeoff-night-chart")
    _chart(attack_charts.attack_success_figure(result, present), "tradeoff-attack-chart")
    st.caption(
        f"An observer flags a night as '{text.md(result.target)} walked' when the family's 22:00–01:00 total"
        f" passes a threshold. On exact totals that is right {result.exact_success:.0%} of the time (balanced"
        f" over walk and quiet nights, across {result.nights} nights); on private totals it sinks towards a"
        " coin toss, and never above the dashed line differential privacy guarantees."
    )


def _share(lab: TradeoffLab, settings: LabSettings, present: bool) -> None:
    if len(lab.family(settings.family).names) < 2:
        st.info("Pooling answers needs a family of at least two: choose more members.")
        return
    result = lab.sharing(settings)
    _beside(
        budget_charts.sharing_figure(result, present),
        "tradeoff-share-chart",
        budget_charts.sharing_figures(result),
        budget_charts.sharing_description(result),
    )


def _renewal(lab: TradeoffLab, settings: LabSettings, present: bool) -> None:
    year = lab.renewal(settings)
    _beside(
        budget_charts.renewal_figure(year, present),
        "tradeoff-renewal-chart",
        budget_charts.renewal_figures(year),
        budget_charts.renewal_description(year),
    )


def _beside(figure: object, key: str, figures: tuple[str, ...], description: str) -> None:
    """The chart with its figures in words to its right, and its description for screen readers below."""
    chart, words = st.columns([3, 2])
    with chart:
        _chart(figure, key)
    with words:
        st.markdown("\n".join(f"- {line}" for line in figures))
    st.caption(description)


SECTION_VIEWS: dict[str, Callable[[TradeoffLab, LabSettings, bool], None]] = {
    "release": _release,
    "curves": _curves,
    "needle": _needle,
    "subtraction": _subtraction,
    "attack": _attack,
    "share": _share,
    "renewal": _renewal,
}

if __name__ == "__main__":
    render()
