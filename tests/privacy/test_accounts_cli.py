"""`python -m privacy account ...`: passwords from stdin, hostile names escaped, refusals exit 1."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from accounts_support import HOME, NOW, PASSWORD, open_store

from data import store
from privacy import accounts
from privacy.accounts import SignInFailed, Throttled
from privacy.accounts import cli as accounts_cli
from privacy.identity import Viewer


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "hearth.sqlite"
    monkeypatch.setenv("HEARTH_DB", str(path))
    return path


@pytest.fixture
def cli(db: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    parser = argparse.ArgumentParser(prog="privacy")
    accounts_cli.register(parser.add_subparsers(dest="command", required=True))

    def invoke(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        args = parser.parse_args(["account", *argv])
        assert args.func is accounts_cli.run
        return args.func(args)

    return invoke


def _sign_in(db: Path, name: str, password: str) -> Viewer:
    conn = open_store(db)
    try:
        return accounts.sign_in(conn, name, password, HOME, NOW)
    finally:
        conn.close()


def test_add_reads_the_password_from_stdin(cli, db: Path, capsys) -> None:
    assert cli("add", "Ann", "--admin", stdin=PASSWORD + "\n") == 0
    assert "Created an account for Ann" in capsys.readouterr().out
    viewer = _sign_in(db, "Ann", PASSWORD)
    assert viewer.is_admin


def test_add_refuses_a_short_password_and_a_duplicate(cli, capsys) -> None:
    assert cli("add", "Ann", stdin="short\n") == 1
    assert "at least 8 characters" in capsys.readouterr().err
    assert cli("add", "Ann", stdin=PASSWORD + "\n") == 0
    assert cli("add", "Ann", stdin=PASSWORD + "\n") == 1
    assert "already has an account" in capsys.readouterr().err


def test_add_refuses_a_hostile_name_without_echoing_it(cli, capsys) -> None:
    assert cli("add", "Eve\u202egnp.exe", stdin=PASSWORD + "\n") == 1
    assert "\u202e" not in capsys.readouterr().err


def test_list_shows_accounts_with_hostile_names_escaped(cli, db: Path, capsys) -> None:
    assert cli("list") == 0
    assert "No accounts yet." in capsys.readouterr().out
    cli("add", "Ann", "--admin", stdin=PASSWORD + "\n")
    conn = store.connect(db)
    imported = store.add_member(conn, "Eve\u202egnp.exe" + "x" * 50)  # the store allows what imports bring
    conn.execute(
        "INSERT INTO accounts VALUES (?, ?, 0, ?)", (imported.id, "$argon2id$v=19$m=8,t=1,p=1$x$y", "t")
    )
    conn.close()
    capsys.readouterr()
    assert cli("list") == 0
    out = capsys.readouterr().out
    assert "admin  Ann" in out
    assert "Eve\\u202egnp.exe" in out and "\u202e" not in out


def test_passwd_changes_the_password_and_ends_sessions(cli, db: Path, capsys) -> None:
    cli("add", "Ann", stdin=PASSWORD + "\n")
    viewer = _sign_in(db, "Ann", PASSWORD)
    assert cli("passwd", "Ann", stdin="a new passphrase\r\n") == 0
    assert "all their sessions have ended" in capsys.readouterr().out
    conn = store.connect(db)
    try:
        assert accounts.resume(conn, viewer.session_token, NOW) is None
    finally:
        conn.close()
    assert _sign_in(db, "Ann", "a new passphrase").name == "Ann"


def test_passwd_for_an_unknown_name_fails_cleanly(cli, capsys) -> None:
    assert cli("passwd", "Nobody", stdin=PASSWORD + "\n") == 1
    assert "No account has that name." in capsys.readouterr().err


def test_an_over_long_piped_password_is_refused(cli, capsys) -> None:
    assert cli("add", "Ann", stdin="p" * 5000 + "\n") == 1
    assert "at most 1024 characters" in capsys.readouterr().err


def test_passwords_typed_at_a_terminal_must_match(cli, monkeypatch, capsys) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr(accounts_cli.getpass, "getpass", lambda prompt: next(answers))
    parser = argparse.ArgumentParser()
    accounts_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["account", "add", "Ann"])
    monkeypatch.setattr(sys, "stdin", Terminal())
    assert accounts_cli.run(args) == 1
    assert "differ" in capsys.readouterr().err


def test_the_module_entry_point_wires_the_account_command(db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "privacy", "account", "add", "Ann", "--admin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HEARTH_DB": str(db)},
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "Created an account for Ann" in done.stdout
    assert _sign_in(db, "Ann", PASSWORD).is_admin


def test_unlock_clears_every_clients_failures_at_the_name(cli, db: Path, capsys) -> None:
    cli("add", "Ann", stdin=PASSWORD + "\n")
    conn = open_store(db)
    try:
        for _ in range(3):
            with pytest.raises(SignInFailed):
                accounts.sign_in(conn, "Ann", "wrong guess!", HOME, NOW)
        with pytest.raises(Throttled):
            accounts.sign_in(conn, "Ann", PASSWORD, HOME, NOW)
    finally:
        conn.close()
    capsys.readouterr()
    assert cli("unlock", "Ann") == 0
    assert "Cleared 3 recent failed sign-in(s) at Ann's name." in capsys.readouterr().out
    assert _sign_in(db, "Ann", PASSWORD).name == "Ann"


def test_unlock_of_a_name_without_an_account_fails_cleanly(cli, db: Path, capsys) -> None:
    store.add_member(open_store(db), "Bob")
    for name in ("Nobody", "Bob"):
        assert cli("unlock", name) == 1
        assert "No account has that name." in capsys.readouterr().err
