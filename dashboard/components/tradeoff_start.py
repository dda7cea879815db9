"""How the app was started for the privacy-vs-accuracy page: straight into it, and in presentation mode.

Read once per run by the router (to pick the default page and skip the shared sidebar) and by the page.
The environment is the start-up switch; the URL may only switch things on, never off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

URL_PATH = "tradeoff"
"""The page's URL path (from its file name `views/tradeoff.py`): `http://host:8501/tradeoff`."""
PRESENT_KEY = "tradeoff-present"
"""Session-state key of the page's presentation toggle, seeded from the start-up options."""
ON = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class StartOptions:
    """The start-up switches, as one value."""

    start_here: bool
    """`HEARTH_START=tradeoff` or `?view=tradeoff`: the lab is the default page."""
    present: bool
    """`HEARTH_PRESENT=1` or `?present=1`: larger type, no sidebar, no navigation."""

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> StartOptions:
        """From the environment (default `os.environ`), then this tab's URL query parameters."""
        env = os.environ if environ is None else environ
        url = st.query_params
        return cls(
            start_here=env.get("HEARTH_START", "") == URL_PATH or url.get("view") == URL_PATH,
            present=env.get("HEARTH_PRESENT", "").lower() in ON or url.get("present", "").lower() in ON,
        )


def presenting(options: StartOptions) -> bool:
    """This tab's presentation mode: the page's toggle once it exists, else the start-up switch."""
    return bool(st.session_state.get(PRESENT_KEY, options.present))
