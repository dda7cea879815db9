"""Sign-in throttling in a real browser: no guesser can keep a member out, nor choose whom it counts as.

Each test serves its own copy of the fixture store: failures are kept in the store. The clock is
frozen, so no wait ever runs out by itself during a test.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from app_driver import ROOT, RunningApp, StartApp, after_rerun, copy_store, go, open_app, title, wait_for_app
from make_fixture import ACCOUNT, PASSWORD, VIEWER
from playwright.sync_api import Browser, Page, expect

from privacy.accounts import SIGN_IN_FAILED, Client, throttle

pytestmark = pytest.mark.browser

THROTTLED = "Too many sign-in attempts."
FORGED = "203.0.113.7"


@pytest.fixture
def tabs(browser: Browser, browser_context_args: dict) -> Iterator:
    """Open pages, each in its own browser context (its own cookies, its own Streamlit session)."""
    contexts = []

    def open_tab(headers: dict[str, str] | None = None) -> Page:
        context = browser.new_context(**browser_context_args, extra_http_headers=headers or {})
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def guess(page: Page, name: str, password: str) -> str:
    """Submit the sign-in form once; the text of the alert it answers with ('' when signed in)."""
    page.locator(".st-key-sign-in-name input").fill(name)
    page.locator(".st-key-sign-in-password input").fill(password)
    wait_for_app(page)  # a click landing while the last run still settles may be lost
    after_rerun(page, lambda: page.locator(".st-key-sign-in-submit button").click())
    alerts = page.locator('[data-testid="stAlert"]')
    return alerts.first.inner_text() if alerts.count() else ""


def locked_out(page: Page, app: RunningApp) -> None:
    """Three wrong guesses at the member's name, then their correct password refused in this tab."""
    open_app(page, app.url)
    for _ in range(3):
        assert guess(page, ACCOUNT, "wrong guess!") == SIGN_IN_FAILED
    assert guess(page, ACCOUNT, PASSWORD).startswith(THROTTLED)


def failures_under(db: Path, client: Client) -> int:
    key = throttle.keys_for(ACCOUNT, client).client
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT count(*) FROM sign_in_failures WHERE client_sha256 = ?", (key,)
        ).fetchone()[0]


def test_twenty_guesses_in_one_browser_never_slow_the_member_in_another(tabs, start_app: StartApp) -> None:
    app = start_app()
    guesser = tabs()
    open_app(guesser, app.url)
    answers = [guess(guesser, ACCOUNT, f"wrong guess {n}") for n in range(20)]
    assert answers[:3] == [SIGN_IN_FAILED] * 3
    assert all(answer.startswith(THROTTLED) for answer in answers[3:])

    sprayer = tabs()
    open_app(sprayer, app.url)
    for n in range(20):
        guess(sprayer, ("Maya", "Ruth", "admin", "nobody")[n % 4], f"spray {n}")

    member = tabs()
    open_app(member, app.url)
    assert guess(member, ACCOUNT, "a typo, once") == SIGN_IN_FAILED  # the member's own slip is free
    assert guess(member, ACCOUNT, PASSWORD) == ""
    title(member, "Overview")
    expect(member.get_by_text(f"Signed in as {ACCOUNT}")).to_be_visible()
    with closing(sqlite3.connect(app.db)) as conn:
        reasons = dict(
            conn.execute(
                "SELECT reason, count(*) FROM audit_log WHERE query_key = 'sign_in' GROUP BY reason"
            ).fetchall()
        )
    assert reasons["sign-in throttled"] >= 17 and reasons["sign-in failed"] >= 3 + 1


@pytest.mark.parametrize("proxies", [None, "10.0.0.0/8"], ids=["no-proxy", "a-remote-proxy"])
def test_a_forged_forwarded_for_is_counted_under_the_real_browser(
    tabs, start_app: StartApp, proxies: str | None
) -> None:
    app = start_app(env={"HEARTH_TRUSTED_PROXIES": proxies} if proxies else None)
    locked_out(tabs({"X-Forwarded-For": FORGED}), app)
    other = tabs({"X-Forwarded-For": FORGED})  # claims the same address, from another browser
    open_app(other, app.url)
    assert guess(other, ACCOUNT, PASSWORD) == ""
    title(other, "Overview")
    assert failures_under(app.db, Client.address(FORGED)) == 0


def test_a_trusted_proxys_forwarded_address_is_the_client(tabs, start_app: StartApp) -> None:
    # The control for the test above: the header does reach the server, and a trusted proxy is believed.
    app = start_app(env={"HEARTH_TRUSTED_PROXIES": "127.0.0.1"})
    locked_out(tabs({"X-Forwarded-For": FORGED}), app)
    same_address = tabs({"X-Forwarded-For": FORGED})
    open_app(same_address, app.url)
    assert guess(same_address, ACCOUNT, PASSWORD).startswith(THROTTLED)
    assert failures_under(app.db, Client.address(FORGED)) == 3


def test_an_admin_clears_the_throttle_on_the_account_page(
    tabs, start_app: StartApp, fixture_store: Path, tmp_path: Path
) -> None:
    app = start_app(
        db=copy_store(fixture_store, tmp_path / "admin")
    )  # the fixture family's admin: the viewer
    guesser = tabs()
    locked_out(guesser, app)

    admin = tabs()
    open_app(admin, app.url)
    assert guess(admin, VIEWER, PASSWORD) == ""
    go(admin, "Account")
    admin.locator(".st-key-account-unlock-member").click()
    after_rerun(admin, lambda: admin.get_by_role("option", name=ACCOUNT, exact=True).click())
    after_rerun(admin, lambda: admin.locator(".st-key-account-unlock button").click())
    expect(admin.get_by_text(f"Cleared 3 recent failed sign-ins at {ACCOUNT}'s name.")).to_be_visible()

    assert guess(guesser, ACCOUNT, PASSWORD) == ""
    title(guesser, "Overview")


def test_the_operator_clears_the_throttle_from_the_command_line(tabs, start_app: StartApp) -> None:
    app = start_app()
    guesser = tabs()
    locked_out(guesser, app)
    done = subprocess.run(
        [sys.executable, "-m", "privacy", "account", "unlock", ACCOUNT],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "HEARTH_DB": str(app.db)},
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert guess(guesser, ACCOUNT, PASSWORD) == ""
    title(guesser, "Overview")
