"""Pick a past period of a product: fixed calendar choices, public, so picking one reveals nothing."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import figure_text
from privacy.budget.plan import PRODUCTS, Product
from privacy.engine.periods import Period, recent

SHOWN = 6
"""How many past periods a picker offers: already released ones replay free, the others are made once."""


def label(period: Period) -> str:
    """Module-level, not a lambda: session state must stay picklable.

    >>> label(Period(date(2026, 7, 1), date(2026, 9, 30)))
    '1 July – 30 September 2026'
    """
    return figure_text.period_words(period.first, period.last)


def show(key: str, product: Product, today: date, count: int = SHOWN, title: str = "Period") -> Period:
    """A select box of the product's `count` newest ended periods, newest first (the default)."""
    options = list(reversed(recent(today, PRODUCTS[product].cadence, count)))
    return st.selectbox(title, options, format_func=label, key=key)
