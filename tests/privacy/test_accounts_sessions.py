"""Server-side sessions: resumed only while live, revoked by sign-out and password change, stored hashed."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from accounts_support import FAST, HOME, NOW, PASSWORD, open_store

from data import store
from privacy import accounts
from privacy.accounts import SignInFailed
from privacy.accounts.passwords import InvalidPassword
from privacy.identity import Viewer
from privacy.release import NotAllowed

NEW = "a brand new passphrase"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "hearth.sqlite"


@pytest.fixture
def conn(path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_store(path)
    accounts.create_account(connection, "Ann", PASSWORD, now=NOW, passwords=FAST)
    yield connection
    connection.close()


def _sign_in(conn, password: str = PASSWORD, now: datetime = NOW):
    return accounts.sign_in(conn, "Ann", password, HOME, now, passwords=FAST)


def _change(conn, viewer, old: str, new: str, now: datetime = NOW):
    return accounts.change_password(conn, viewer, old, new, now, passwords=FAST)


def test_resume_returns_the_signed_in_viewer(conn) -> None:
    viewer = _sign_in(conn)
    assert accounts.resume(conn, viewer.session_token, NOW + timedelta(hours=1)) == viewer


def test_sign_out_revokes_the_session_server_side(conn) -> None:
    viewer, other = _sign_in(conn), _sign_in(conn)
    accounts.sign_out(conn, viewer.session_token, NOW)
    assert accounts.resume(conn, viewer.session_token, NOW) is None
    assert accounts.resume(conn, other.session_token, NOW) == other


def test_sign_out_everywhere_revokes_every_session(conn) -> None:
    sessions = [_sign_in(conn) for _ in range(3)]
    accounts.sign_out_everywhere(conn, sessions[0].member_id, NOW)
    assert all(accounts.resume(conn, s.session_token, NOW) is None for s in sessions)


def test_sessions_expire_after_twelve_hours(conn) -> None:
    viewer = _sign_in(conn)
    assert accounts.resume(conn, viewer.session_token, NOW + timedelta(hours=12, seconds=-1)) == viewer
    assert accounts.resume(conn, viewer.session_token, NOW + timedelta(hours=12)) is None


def test_change_password_revokes_every_other_session_and_returns_a_fresh_one(conn) -> None:
    here, phone = _sign_in(conn), _sign_in(conn)
    fresh = _change(conn, here, PASSWORD, NEW)
    assert fresh.session_token not in (here.session_token, phone.session_token)
    assert accounts.resume(conn, fresh.session_token, NOW) == fresh
    assert accounts.resume(conn, here.session_token, NOW) is None
    assert accounts.resume(conn, phone.session_token, NOW) is None
    with pytest.raises(SignInFailed):
        _sign_in(conn, PASSWORD)
    assert _sign_in(conn, NEW).member_id == here.member_id


def test_wrong_old_password_changes_nothing(conn) -> None:
    viewer = _sign_in(conn)
    with pytest.raises(SignInFailed, match="current password is incorrect"):
        _change(conn, viewer, "not the password", NEW)
    assert accounts.resume(conn, viewer.session_token, NOW) == viewer
    assert _sign_in(conn, PASSWORD).name == "Ann"


def test_too_short_new_password_changes_nothing(conn) -> None:
    viewer = _sign_in(conn)
    with pytest.raises(InvalidPassword):
        _change(conn, viewer, PASSWORD, "short")
    assert accounts.resume(conn, viewer.session_token, NOW) == viewer


def test_change_password_refuses_a_revoked_or_forged_viewer(conn) -> None:
    viewer = _sign_in(conn)
    accounts.sign_out(conn, viewer.session_token, NOW)
    with pytest.raises(NotAllowed):
        _change(conn, viewer, PASSWORD, NEW)
    live = _sign_in(conn)
    forged = Viewer(live.member_id + 1, "Bob", True, live.session_token)
    with pytest.raises(NotAllowed):
        _change(conn, forged, PASSWORD, NEW)


def test_reset_password_ends_every_session(conn) -> None:
    viewer = _sign_in(conn)
    accounts.reset_password(conn, viewer.member_id, NEW, NOW, passwords=FAST)
    assert accounts.resume(conn, viewer.session_token, NOW) is None
    assert _sign_in(conn, NEW).name == "Ann"
    with pytest.raises(accounts.NoAccount):
        accounts.reset_password(conn, 999, NEW, NOW, passwords=FAST)


def test_only_token_digests_are_stored(conn, path: Path) -> None:
    tokens = [_sign_in(conn).session_token for _ in range(3)]
    stored = {row[0] for row in conn.execute("SELECT token_sha256 FROM sessions")}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    conn.close()
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert not any(t.encode() in raw for t in tokens)


@pytest.mark.parametrize("token", ["", "x" * 10_000, "\ud800", "tökén", "' OR 1=1 --", None, 42])
def test_garbage_tokens_resume_nothing(conn, token: object) -> None:
    _sign_in(conn)
    assert accounts.resume(conn, token, NOW) is None  # type: ignore[arg-type]
    accounts.sign_out(conn, token, NOW)  # type: ignore[arg-type]


def test_demo_sign_in_is_refused_on_a_real_store(conn) -> None:
    member = store.add_member(conn, "Bob")
    with pytest.raises(NotAllowed):
        accounts.demo_sign_in(conn, member.id, NOW)
    assert conn.execute("SELECT count(*) FROM sessions").fetchone() == (0,)


def test_demo_sessions_are_real_sessions_that_end_with_the_demo(conn) -> None:
    member = store.add_member(conn, "Bob")
    store.set_kind(conn, "demo", date(2026, 11, 1))
    viewer = accounts.demo_sign_in(conn, member.id, NOW)
    assert accounts.resume(conn, viewer.session_token, NOW) == viewer
    with pytest.raises(NotAllowed):
        accounts.demo_sign_in(conn, 999, NOW)
    store.set_kind(conn, "real")
    assert accounts.resume(conn, viewer.session_token, NOW) is None


def test_operator_sessions_last_one_command(conn) -> None:
    viewer = accounts.operator_session(conn, "Ann", NOW)
    assert accounts.resume(conn, viewer.session_token, NOW + timedelta(minutes=14)) == viewer
    assert accounts.resume(conn, viewer.session_token, NOW + timedelta(minutes=15)) is None
    with pytest.raises(NotAllowed):
        accounts.operator_session(conn, "Nobody", NOW)
