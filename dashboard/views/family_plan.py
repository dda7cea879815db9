"""Family plan (admins): epsilon per day for each shared product, the reserve, and a live preview."""

from __future__ import annotations

import streamlit as st

from dashboard import runtime, text
from privacy.budget.plan import PRODUCTS, PlanDoesNotFit, Product
from privacy.constraints import MIN_EPSILON_PER_VIEW
from privacy.epsilon import Epsilon, InvalidEpsilon
from privacy.queries import QueryId
from privacy.release import Refused
from privacy.service import Hearth


def render() -> None:
    """Sliders preview only; the plan changes on the save button, for periods not yet released."""
    hearth, viewer = runtime.require()
    st.title("Family plan")
    if not viewer.is_admin:
        st.info("Only an admin can change the family plan; the Privacy budget page shows it.")
        return
    settings = hearth.settings
    st.caption(
        "Each product is released once per period for the whole family, at this ε per day of the period."
        " Changes apply to periods not yet released, and each change is logged."
    )
    chosen = {product: _product(hearth, product) for product in PRODUCTS}
    total = sum(e.micro for e in chosen.values() if e is not None)
    lifetime = settings.lifetime_epsilon.micro
    reserve = lifetime - total
    st.metric(
        "Plan total per day",
        f"ε {text.epsilon(total)} of {text.epsilon(lifetime)}",
        help="The lifetime budget per day: never renewed.",
    )
    if reserve <= 0:
        st.error("The products need all of the lifetime budget: leave a reserve for questions.")
        return
    st.write(f"Reserve for questions: ε {text.epsilon(reserve)} per day; each member may use half of it.")
    if st.button("Save the plan", key="plan-save", type="primary"):
        try:
            hearth.set_plan(viewer, chosen)
        except (PlanDoesNotFit, InvalidEpsilon, Refused) as refusal:
            st.error(f"Not saved: {text.refusal(refusal)}", icon=":material/block:")
            return
        st.success("Saved. Periods not yet released will use it; the change is logged.")


def _product(hearth: Hearth, product: Product) -> Epsilon | None:
    """One product's row: on/off, a slider capped at the safe maximum, and its interval at that ε."""
    spec = PRODUCTS[product]
    current = hearth.plan().epsilon(product)
    cap = hearth.settings.max_epsilon_per_view.value
    with st.container(border=True, key=f"plan-{product.value}"):
        on = st.toggle(
            f"{spec.title}, every {spec.cadence.value}",
            value=current is not None,
            key=f"plan-{product.value}-on",
        )
        if not on:
            st.caption("Switched off: no new periods are released.")
            return None
        value = st.slider(
            "ε per day",
            min_value=MIN_EPSILON_PER_VIEW,
            max_value=cap,
            value=min(cap, (current or Epsilon.request(spec.default)).value),
            step=0.05,
            key=f"plan-{product.value}-epsilon",
        )
        try:
            epsilon = Epsilon.request(value)
            preview = hearth.plan_preview(product, epsilon)
        except (InvalidEpsilon, Refused) as refusal:
            st.error(text.refusal(refusal), icon=":material/block:")
            return None
        st.caption(f"{_interval(product, preview.margin)} {text.md(spec.why, 300)}")
        return epsilon


def _interval(product: Product, margin: float) -> str:
    query = PRODUCTS[product].spec.query
    if query is QueryId.CHAMPION:
        return "A noisy choice of the top walker."
    if query in (QueryId.GOAL_ATTAINMENT, QueryId.DISTRIBUTION):
        return f"Expected 95% interval for this family: {text.percent_points(margin)}."
    return f"Expected 95% interval for this family: {text.plus_minus(margin)} steps."


if __name__ == "__main__":
    render()
