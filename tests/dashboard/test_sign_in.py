"""Sign-in and access: signed out shows the form alone, names nobody (outside demo) and releases nothing."""

from __future__ import annotations

from pathlib import Path

from apptest_support import PASSWORD, enter_demo, fresh_app, releases, releases_of, texts
from streamlit.testing.v1 import AppTest

from privacy.accounts import SIGN_IN_FAILED
from privacy.service import Hearth
from privacy.settings import Settings


def test_signed_out_sees_only_the_sign_in_form(real_store: Path) -> None:
    at = fresh_app()
    assert not at.exception
    assert [t.value for t in at.title] == ["Hearth"]
    assert [b.key for b in at.button] == ["sign-in-submit"]
    assert at.get("plotly_chart") == []
    assert releases(real_store) == 0


def test_signed_out_real_store_names_no_member(real_store: Path) -> None:
    at = fresh_app()
    shown = " ".join(texts(at))
    for name in ("Maya", "Sam", "Ruth"):
        assert name not in shown
    assert "Demo data" not in shown


def test_demo_store_offers_its_members_and_a_badge(demo_store: Path) -> None:
    at = fresh_app()
    assert "Demo data" in " ".join(at.markdown.values)
    assert "Maya" in at.selectbox(key="demo-member").options
    assert releases(demo_store) == 0


def test_demo_sign_in_opens_the_overview_with_the_badge(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store, "Sam")
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]
    assert any("Sam" in m for m in at.sidebar.markdown.values)
    assert any("Demo data" in m for m in at.sidebar.markdown.values)
    assert releases_of(demo_store, "asked") == 0  # the Overview makes the plan's shared figures, asks nothing


def test_password_sign_in_works(real_store: Path) -> None:
    at = fresh_app()
    at.text_input(key="sign-in-name").input("Ruth")
    at.text_input(key="sign-in-password").input(PASSWORD)
    at.button(key="sign-in-submit").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]


def test_wrong_password_and_unknown_name_fail_alike(real_store: Path) -> None:
    messages = []
    for name, password in (("Ruth", "wrong password"), ("Nobody", PASSWORD)):
        at = fresh_app()
        at.text_input(key="sign-in-name").input(name)
        at.text_input(key="sign-in-password").input(password)
        at.button(key="sign-in-submit").click().run()
        assert [t.value for t in at.title] == ["Hearth"]
        messages.append(at.error.values)
    assert messages[0] == messages[1] == [SIGN_IN_FAILED]


def test_sign_out_returns_to_sign_in_and_revokes_the_session(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    token = at.session_state["session_token"]
    at.button(key="sign-out").click().run()
    assert [t.value for t in at.title] == ["Hearth"]
    hearth = Hearth.open(Settings.from_env())
    try:
        assert hearth.resume(token) is None
    finally:
        hearth.close()


def test_session_revoked_elsewhere_ends_this_tab(demo_store: Path) -> None:
    at = enter_demo(fresh_app(), demo_store)
    hearth = Hearth.open(Settings.from_env())
    try:
        hearth.sign_out(hearth.resume(at.session_state["session_token"]))
    finally:
        hearth.close()
    at.run()
    assert [t.value for t in at.title] == ["Hearth"]
    assert "session has ended" in " ".join(at.info.values)


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign-in-name").input(name)
    at.text_input(key="sign-in-password").input(password)
    return at.button(key="sign-in-submit").click().run()


def test_one_tabs_failures_never_slow_another_tab_on_the_same_address(real_store: Path) -> None:
    guesser = fresh_app()
    for _ in range(3):
        assert sign_in(guesser, "Ruth", "wrong password").error.values == [SIGN_IN_FAILED]
    sign_in(guesser, "Ruth", PASSWORD)
    assert [t.value for t in guesser.title] == ["Hearth"]
    assert guesser.error.values == ["Too many sign-in attempts. Try again in 30 seconds."]
    member = sign_in(fresh_app(), "Ruth", PASSWORD)  # no address either: Streamlit shows none locally
    assert not member.exception
    assert [t.value for t in member.title] == ["Overview"]
