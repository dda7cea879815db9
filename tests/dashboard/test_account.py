"""Account page: a password change keeps this tab and ends the others; sign out everywhere; demo note."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from apptest_support import PASSWORD, enter_demo, fresh_app, member_id, releases, reserve_spent, spent, texts
from streamlit.testing.v1 import AppTest

from dashboard.views.account import CHANGED, SIGNED_OUT, UNLOCK
from data import store
from privacy.accounts import Client, SignInFailed, Throttled, create_account
from privacy.service import Hearth
from privacy.settings import Settings

NEW = "a brand new passphrase"
ADDRESS = Client("browser", "another-device")


@contextmanager
def service(path: Path) -> Iterator[Hearth]:
    """A second service on the same store (frozen clock from the environment), as another tab's server."""
    hearth = Hearth.open(Settings.from_env())
    try:
        yield hearth
    finally:
        hearth.close()


def account_page(at: AppTest) -> AppTest:
    return at.switch_page("views/account.py").run()


def signed_in_as_ruth() -> AppTest:
    at = fresh_app()
    at.text_input(key="sign-in-name").input("Ruth")
    at.text_input(key="sign-in-password").input(PASSWORD)
    at.button(key="sign-in-submit").click().run()
    return account_page(at)


def change(at: AppTest, old: str, new: str, repeat: str) -> AppTest:
    at.text_input(key="account-old").input(old)
    at.text_input(key="account-new").input(new)
    at.text_input(key="account-repeat").input(repeat)
    return at.button(key="account-submit").click().run()


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def test_change_password_keeps_this_tab_and_ends_every_other_session(real_store: Path) -> None:
    at = signed_in_as_ruth()
    assert not at.exception
    assert titles(at) == ["Account"]
    assert any("Ruth" in m for m in at.markdown.values)
    old_token = at.session_state["session_token"]
    with service(real_store) as hearth:
        other = hearth.sign_in("Ruth", PASSWORD, ADDRESS)  # another tab or device
        assert hearth.resume(other.session_token) is not None
    change(at, PASSWORD, NEW, NEW)
    assert not at.exception
    assert at.success.values == [CHANGED]
    assert at.error.values == []
    new_token = at.session_state["session_token"]
    assert new_token != old_token
    assert not any(NEW in shown or PASSWORD in shown for shown in texts(at))
    with service(real_store) as hearth:
        assert hearth.resume(old_token) is None
        assert hearth.resume(other.session_token) is None
        assert hearth.resume(new_token) is not None
        with pytest.raises(SignInFailed):
            hearth.sign_in("Ruth", PASSWORD, ADDRESS)
        assert hearth.sign_in("Ruth", NEW, ADDRESS).name == "Ruth"
    at.run()  # this tab still works, with the new token
    assert titles(at) == ["Account"]
    assert at.success.values == []  # the notice was shown once
    at.switch_page("views/budget.py").run()
    assert not at.exception
    assert titles(at) == ["Privacy budget"]
    assert at.sidebar.error.values == []
    assert spent(real_store) == 0 and releases(real_store) == 0


def test_wrong_current_password_shows_the_services_message_and_changes_nothing(real_store: Path) -> None:
    at = signed_in_as_ruth()
    token = at.session_state["session_token"]
    change(at, "not the password", NEW, NEW)
    assert not at.exception
    assert at.error.values == ["The current password is incorrect."]
    assert at.success.values == []
    assert at.session_state["session_token"] == token
    with service(real_store) as hearth:
        assert hearth.resume(token) is not None
        with pytest.raises(SignInFailed):
            hearth.sign_in("Ruth", NEW, ADDRESS)
        assert hearth.sign_in("Ruth", PASSWORD, ADDRESS).name == "Ruth"
    assert titles(at.run()) == ["Account"]


@pytest.mark.parametrize(
    ("new", "repeat", "message"),
    [
        (NEW, NEW + "!", "The two new passwords differ."),
        ("short", "short", "The new password needs at least 8 characters."),
    ],
)
def test_a_bad_new_password_is_refused_without_calling_the_service(
    real_store: Path, monkeypatch: pytest.MonkeyPatch, new: str, repeat: str, message: str
) -> None:
    at = signed_in_as_ruth()
    token = at.session_state["session_token"]
    calls: list[object] = []
    monkeypatch.setattr(Hearth, "change_password", lambda *args: calls.append(args))
    change(at, PASSWORD, new, repeat)
    assert not at.exception
    assert at.error.values == [message]
    assert calls == []
    assert at.session_state["session_token"] == token
    with service(real_store) as hearth:
        assert hearth.resume(token) is not None


def test_sign_out_everywhere_ends_every_session_and_this_tab(real_store: Path) -> None:
    at = signed_in_as_ruth()
    token = at.session_state["session_token"]
    with service(real_store) as hearth:
        other = hearth.sign_in("Ruth", PASSWORD, ADDRESS)
    at.button(key="account-sign-out-everywhere").click().run()
    assert not at.exception
    assert titles(at) == ["Hearth"]
    assert SIGNED_OUT in at.info.values
    assert "session_token" not in at.session_state
    with service(real_store) as hearth:
        assert hearth.resume(token) is None
        assert hearth.resume(other.session_token) is None
    assert spent(real_store) == 0 and releases(real_store) == 0


def test_demo_members_get_a_note_instead_of_the_form_and_can_still_sign_out_everywhere(
    demo_store: Path,
) -> None:
    at = account_page(enter_demo(fresh_app(), demo_store, "Sam"))
    assert not at.exception
    assert titles(at) == ["Account"]
    assert any("Demo members have no password" in i for i in at.info.values)
    assert not [box for box in at.text_input if str(box.key).startswith("account-")]
    assert at.get("form") == []
    token = at.session_state["session_token"]
    at.button(key="account-sign-out-everywhere").click().run()
    assert titles(at) == ["Hearth"]
    with service(demo_store) as hearth:
        assert hearth.resume(token) is None
    assert reserve_spent(demo_store) == 0  # the Overview's plan figures are the family's, not Sam's spend


def test_only_an_admin_sees_the_unlock_and_it_clears_a_members_throttle(real_store: Path) -> None:
    at = signed_in_as_ruth()
    assert "account-unlock" not in [button.key for button in at.button]
    conn = store.connect(real_store)
    create_account(conn, "Maya", NEW, admin=True)
    conn.close()
    guesser = Client("browser", "guesser")
    with service(real_store) as hearth:
        for _ in range(3):
            with pytest.raises(SignInFailed):
                hearth.sign_in("Ruth", "wrong guess!", guesser)
        with pytest.raises(Throttled):
            hearth.sign_in("Ruth", PASSWORD, guesser)
    admin = fresh_app()
    admin.text_input(key="sign-in-name").input("Maya")
    admin.text_input(key="sign-in-password").input(NEW)
    admin.button(key="sign-in-submit").click().run()
    account_page(admin).selectbox(key=UNLOCK).set_value(member_id(real_store, "Ruth")).run()
    admin.button(key="account-unlock").click().run()
    assert not admin.exception
    assert admin.success.values == ["Cleared 3 recent failed sign-ins at Ruth's name."]
    with service(real_store) as hearth:
        assert hearth.sign_in("Ruth", PASSWORD, guesser).name == "Ruth"
