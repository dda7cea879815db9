"""Sign in: the only page a signed-out visitor sees; it names no member except in demo mode."""

from __future__ import annotations

import streamlit as st

from dashboard import runtime, text
from privacy.accounts import SIGN_IN_ERRORS
from privacy.release import Refused
from privacy.service import MemberLabel


def render() -> None:
    """Password form for everyone; on the demo store, also a passwordless pick of a demo member."""
    hearth = runtime.hearth()
    st.title("Hearth")
    st.write("How the family is doing, without exposing any one member's routine.")
    if notice := st.session_state.pop(runtime.NOTICE, None):
        st.info(notice)
    if hearth.kind() == "demo":
        _demo(hearth.roster())
    with st.form("sign-in", border=True):
        st.header("Sign in")
        name = st.text_input("Name", key="sign-in-name", autocomplete="username", max_chars=64)
        password = st.text_input(
            "Password", key="sign-in-password", type="password", autocomplete="current-password"
        )
        if st.form_submit_button("Sign in", key="sign-in-submit", type="primary"):
            _password(name or "", password or "")


def _password(name: str, password: str) -> None:
    try:
        viewer = runtime.hearth().sign_in(name, password, runtime.client())
    except SIGN_IN_ERRORS as refusal:
        st.error(str(refusal))
        return
    runtime.remember(viewer)
    st.rerun()


def _demo(roster: tuple[MemberLabel, ...]) -> None:
    with st.container(border=True, key="demo-card"):
        st.header("Try the demo family")
        st.caption("Made-up members and steps: nothing here belongs to a real person.")
        ids = [member.id for member in roster]
        names = {member.id: text.safe_name(member.name) for member in roster}
        chosen = st.selectbox("Member", ids, format_func=names.__getitem__, key="demo-member")
        if st.button("Enter the demo", key="demo-enter", type="primary"):
            try:
                viewer = runtime.hearth().demo_sign_in(chosen)
            except Refused as refusal:
                st.error(str(refusal))
                return
            runtime.remember(viewer)
            st.rerun()


if __name__ == "__main__":
    render()
