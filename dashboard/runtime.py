"""The process-wide service and this tab's sign-in: the only Streamlit state the pages share."""

from __future__ import annotations

import os
import secrets

import streamlit as st

from privacy.accounts import Client
from privacy.identity import Viewer
from privacy.service import Hearth
from privacy.settings import ENV_NAMES, Settings

TOKEN = "session_token"  # noqa: S105 (a state key, not a secret)
"""Session-state key of the server-side session token: per tab, gone on reload (sign in again)."""
BROWSER = "sign_in_browser"
"""Session-state key of the id this server issued to this browser session: without a trusted proxy,
sign-in failures count against it. A reload is a new session and a new id (see the README)."""
NOTICE = "sign_in_notice"
"""A one-off message for the sign-in page (e.g. 'your session ended')."""


@st.cache_resource(show_spinner=False, on_release=Hearth.close)
def _open(environment: tuple[tuple[str, str], ...]) -> Hearth:
    """One service per process and configuration, its settings built once; the UI never mutates it."""
    return Hearth.open(Settings.from_env(dict(environment)))


def hearth() -> Hearth:
    """The shared service; the environment it is built from is the cache key (one configuration each)."""
    return _open(tuple((key, os.environ.get(key, "")) for key in ENV_NAMES))


def client() -> Client:
    """Whom this tab's sign-in failures count against: a proxy-vouched address, else this session's id."""
    proxies = hearth().settings.trusted_proxies
    forwarded = ", ".join(st.context.headers.get_all("X-Forwarded-For"))
    browser = st.session_state.setdefault(BROWSER, secrets.token_urlsafe(16))
    return proxies.client(st.context.ip_address, forwarded, browser)


def viewer() -> Viewer | None:
    """Who this tab is signed in as, re-checked server side on every run (sign-out elsewhere ends it)."""
    token = st.session_state.get(TOKEN)
    if not isinstance(token, str) or not token:
        return None
    current = hearth().resume(token)
    if current is None:
        forget()
        st.session_state[NOTICE] = "Your session has ended. Please sign in again."
    return current


def remember(signed_in: Viewer) -> None:
    """Keep only the token in this tab: the budget and ledger live server side."""
    st.session_state[TOKEN] = signed_in.session_token


def forget() -> None:
    """Drop this tab's token (the server-side session is revoked separately by `Hearth.sign_out`)."""
    st.session_state.pop(TOKEN, None)


def is_demo() -> bool:
    """Demo stores allow passwordless sign-in and carry a 'Demo data' badge everywhere."""
    return hearth().kind() == "demo"


def require() -> tuple[Hearth, Viewer]:
    """The service and a still-valid viewer for a page, or a stop: pages never run signed out."""
    current = viewer()
    if current is None:
        st.info("Please sign in again.")
        st.stop()
    return hearth(), current
