"""Account: who is signed in, a password change, and signing out every session; nothing here spends."""

from __future__ import annotations

import streamlit as st

from dashboard import runtime, text, validation
from privacy.accounts import SIGN_IN_ERRORS, InvalidPassword
from privacy.identity import Viewer
from privacy.release import Refused
from privacy.service import Hearth

NOTICE = "account_notice"
"""A one-off success message, shown after the rerun that a password change ends with."""
UNLOCK = "account-unlock-member"
"""The admin's pick of whose sign-in throttle to clear."""
CHANGED = "Password changed. Every other session of yours was signed out; this tab stays signed in."
SIGNED_OUT = "You were signed out everywhere, on every device."


def render() -> None:
    """Touches sessions and the password only; no figure, no budget."""
    hearth, viewer = runtime.require()
    st.title("Account")
    st.markdown(f"Signed in as **{text.md(viewer.name)}**.")
    if notice := st.session_state.pop(NOTICE, None):
        st.success(notice, icon=":material/check_circle:")
    if runtime.is_demo():
        st.info("Demo members have no password: anyone may enter the demo as them.")
    else:
        _change_password(hearth, viewer)
    _sign_out_everywhere(hearth, viewer)
    if viewer.is_admin:
        _unlock(hearth, viewer)


def _change_password(hearth: Hearth, viewer: Viewer) -> None:
    """Checked here for a quick answer, then by the service; a refusal shows the service's own message."""
    with st.form("account-password", border=True, clear_on_submit=True):
        st.header("Change your password")
        old = st.text_input(
            "Current password", key="account-old", type="password", autocomplete="current-password"
        )
        new = st.text_input("New password", key="account-new", type="password", autocomplete="new-password")
        repeat = st.text_input(
            "Repeat the new password", key="account-repeat", type="password", autocomplete="new-password"
        )
        submitted = st.form_submit_button("Change password", key="account-submit", type="primary")
    if not submitted:
        return
    if problems := validation.new_password_problems(new, repeat):
        for problem in problems:
            st.error(problem)
        return
    try:
        fresh = hearth.change_password(viewer, old or "", new or "")
    except (*SIGN_IN_ERRORS, InvalidPassword) as refusal:
        st.error(str(refusal))
        return
    runtime.remember(fresh)  # the old token was revoked with every other session: this tab keeps the new one
    st.session_state[NOTICE] = CHANGED
    st.rerun()


def _sign_out_everywhere(hearth: Hearth, viewer: Viewer) -> None:
    """Every session of the member ends, this tab's too; the sign-in page then says so."""
    st.header("Sign out everywhere")
    st.caption(
        "Lost a phone, or signed in on a shared computer? This ends every session of yours, this one too."
    )
    if st.button("Sign out everywhere", key="account-sign-out-everywhere", icon=":material/logout:"):
        hearth.sign_out_everywhere(viewer)
        runtime.forget()
        st.session_state[runtime.NOTICE] = SIGNED_OUT
        st.rerun()


def _unlock(hearth: Hearth, viewer: Viewer) -> None:
    """Admins only: forget every browser's failed sign-ins at one member's name."""
    st.subheader("Clear a sign-in throttle")
    st.caption(
        "Someone's wrong guesses slow down only the browsers that made them, but a member who mistyped"
        " while under attack may have to wait. This clears every wait at that member's name."
    )
    names = {member.id: member.name for member in hearth.roster()}
    labels = {member: text.safe_name(name) for member, name in names.items()}
    chosen = st.selectbox("Member", list(labels), format_func=labels.__getitem__, key=UNLOCK)
    if st.button("Clear sign-in throttle", key="account-unlock", icon=":material/lock_open:"):
        try:
            cleared = hearth.unlock(viewer, chosen)
        except Refused as refusal:  # e.g. the admin's own session ended meanwhile
            st.error(str(refusal))
            return
        plural = "" if cleared == 1 else "s"
        st.success(f"Cleared {cleared} recent failed sign-in{plural} at {text.md(names[chosen])}'s name.")


if __name__ == "__main__":
    render()
