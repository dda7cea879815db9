"""Privacy budget: what is left (yours and family-wide), your ledger, and what the noise protects."""

from __future__ import annotations

import streamlit as st

from dashboard import runtime, text
from privacy.constraints import DAILY_STEPS_BOUNDS, HOURLY_STEPS_BOUNDS
from privacy.queries import UNIT_WORDS
from privacy.service import LedgerEntry


def render() -> None:
    """Read-only: the ledger is the server's; this page shows it and spends nothing."""
    hearth, viewer = runtime.require()
    settings = hearth.settings
    budget = hearth.budget(viewer)
    st.title("Privacy budget")
    yours, family = st.columns(2)
    yours.metric(
        "Yours this period",
        f"ε {text.epsilon(budget.remaining_micro)} left",
        help=f"Spent ε {text.epsilon(budget.spent_micro)} of {text.epsilon(budget.total_micro)}.",
    )
    if budget.family_remaining_micro is not None and budget.family_cap_micro is not None:
        family.metric(
            "Family-wide this period",
            f"ε {text.epsilon(budget.family_remaining_micro)} left",
            help="All viewers together, so members comparing notes learn no more than this.",
        )
    st.write(
        f"Your budget of ε {text.epsilon(budget.total_micro)} renews every {settings.period_days} days;"
        f" the next period starts on **{budget.renews_on:%-d %B %Y}**. One view costs at most"
        f" ε {settings.max_epsilon_per_view:g}; showing a figure you already bought again costs nothing."
    )
    st.subheader("What the noise protects")
    st.write(
        f"Every family figure hides {UNIT_WORDS[settings.unit]}: with or without it, each figure"
        " would look almost the same. Before adding noise, each member's day counts as at most"
        f" {DAILY_STEPS_BOUNDS[1]:,} steps (and each hour as at most {HOURLY_STEPS_BOUNDS[1]:,}),"
        " and a day without data counts as zero, so no one's record can move a figure by more than that."
    )
    st.subheader("Your ledger")
    with st.container(key="budget-ledger"):
        _ledger(hearth.history(viewer))


def _ledger(entries: list[LedgerEntry]) -> None:
    if not entries:
        st.caption("Nothing bought yet.")
        return
    rows = [
        {
            "Day": entry.created_at.date().isoformat(),
            "Figure": text.describe_query(entry.query_key),
            "ε": float(text.epsilon(entry.epsilon_micro)),
            "Data version": entry.data_version,
        }
        for entry in entries
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


if __name__ == "__main__":
    render()
