"""The service's unlock: admins only, every client's failures at that member's name, nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_support import HOME, NOW, PASSWORD, open_store

from privacy import accounts
from privacy.accounts import Client, SignInFailed, Throttled
from privacy.release import NotAllowed
from privacy.service import Hearth
from privacy.settings import Settings

GUESSER = Client("browser", "guesser")


@pytest.fixture
def hearth(tmp_path: Path) -> Iterator[Hearth]:
    path = tmp_path / "hearth.sqlite"
    conn = open_store(path)
    accounts.create_account(conn, "Ann", PASSWORD, admin=True, now=NOW)
    accounts.create_account(conn, "Bob", PASSWORD, now=NOW)
    conn.close()
    service = Hearth.open(Settings(db=path), clock=lambda: NOW)
    yield service
    service.close()


def _locked_out(hearth: Hearth, name: str, client: Client) -> None:
    for _ in range(3):
        with pytest.raises(SignInFailed):
            hearth.sign_in(name, "wrong guess!", client)
    with pytest.raises(Throttled):
        hearth.sign_in(name, PASSWORD, client)


def test_an_admin_clears_a_members_throttle(hearth: Hearth) -> None:
    admin = hearth.sign_in("Ann", PASSWORD, HOME)
    _locked_out(hearth, "Bob", GUESSER)
    bob = next(m.id for m in hearth.roster() if m.name == "Bob")
    assert hearth.unlock(admin, bob) == 3
    assert hearth.sign_in("Bob", PASSWORD, GUESSER).name == "Bob"


def test_a_member_who_is_not_an_admin_cannot_clear_a_throttle(hearth: Hearth) -> None:
    bob = hearth.sign_in("Bob", PASSWORD, HOME)
    _locked_out(hearth, "Ann", GUESSER)
    ann = next(m.id for m in hearth.roster() if m.name == "Ann")
    with pytest.raises(NotAllowed, match="Only an admin"):
        hearth.unlock(bob, ann)
    with pytest.raises(Throttled):
        hearth.sign_in("Ann", PASSWORD, GUESSER)


def test_a_revoked_admin_session_cannot_clear_a_throttle(hearth: Hearth) -> None:
    admin = hearth.sign_in("Ann", PASSWORD, HOME)
    hearth.sign_out(admin)
    with pytest.raises(NotAllowed):
        hearth.unlock(admin, next(m.id for m in hearth.roster() if m.name == "Bob"))
