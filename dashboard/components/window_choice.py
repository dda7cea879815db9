"""The window picker every page shares: fixed, public choices, so picking one reveals nothing."""

from __future__ import annotations

import streamlit as st


def show(key: str, choices: tuple[int, ...] = (30, 90, 365), default: int = 30) -> int:
    """A segmented control of 'Last N days'; returns the chosen number of days."""
    return st.segmented_control(
        "Window",
        list(choices),
        format_func=label,
        default=default,
        required=True,
        key=key,
    )


def label(days: int) -> str:
    """Module-level, not a lambda: session state must stay picklable.

    >>> label(30)
    'Last 30 days'
    """
    return f"Last {days} days"
