"""Drive Hearth in a real browser: start a headless server, wait as Streamlit's own suite does, navigate.

Used by the browser tests and by `bench/cold_start.py`; nothing here imports pytest.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from make_fixture import FROZEN_NOW
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
ANSWER = re.compile(r"±|\(95%: ")
"""A figure with its interval: '5,300 ± 2,100', or '600 (95%: 0 to 5,600)' when a bound was clipped."""
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""CI runs as root (no sandbox) and offline (nothing that phones home)."""
HEALTH_TIMEOUT = 30.0
TIMEOUT_MS = 30_000


DESKTOP = {"width": 1280, "height": 1600}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class RunningApp:
    """One `streamlit run` of dashboard/app.py on a store copy."""

    url: str
    db: Path
    log: Path
    pid: int


StartApp = Callable[..., RunningApp]
"""The `start_app` fixture: `start_app(db=None, env=None)` serves a store copy (or `db`) for one test."""


def copy_store(template: Path, folder: Path) -> Path:
    """A private copy of a closed store (a closed WAL store is one file)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / template.name
    shutil.copyfile(template, target)
    return target


def free_port() -> int:
    """A port nobody listens on right now (the kernel's pick); a race with another process is unlikely."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_environment(db: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment minus any HEARTH_* setting, plus the store, frozen clock and `extra`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEARTH_")}
    env.update({"HEARTH_DB": str(db), "HEARTH_FROZEN_NOW": FROZEN_NOW, **(extra or {})})
    return env


@contextmanager
def running_app(db: Path, log: Path, extra_env: Mapping[str, str] | None = None) -> Iterator[RunningApp]:
    """Serve the app headless on a free port until the block ends, then stop its whole process group."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=app_environment(db, extra_env),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, process, log)
        yield RunningApp(url=url, db=db, log=log, pid=process.pid)
    finally:
        _stop(process)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"streamlit not healthy after {HEALTH_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (it was started in a new session), SIGKILL if it hangs."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_for_app(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """Wait until the page is done: connected, script finished, no skeleton, spinner or stale element,
    and the plotly charts drawn with their number stable. A hidden-check would pass trivially, so
    every absence is an `expect(...).to_have_count(0)`, which retries until it holds.
    """
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout, state="attached"
    )
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout, state="attached"
    )
    for selector in (
        '[data-testid="stSkeleton"]',
        '[data-testid="stSpinner"]',
        '[data-testid="stElementContainer"][data-stale="true"]',
    ):
        expect(page.locator(selector)).to_have_count(0, timeout=timeout)
    _plots_settled(page, timeout)
    page.evaluate("document.fonts.ready.then(() => true)")


LAYOUT_PROBE = """() => {
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    if (!plots.every(p => p.querySelector('.main-svg'))) return null;
    const boxes = [document.querySelector('[data-testid="stMainBlockContainer"]'), ...plots]
        .filter(Boolean)
        .map(e => e.getBoundingClientRect())
        .map(r => [r.x, r.y, r.width, r.height].map(Math.round).join(','));
    return plots.length + ':' + boxes.join(';');
}"""
"""The plotly charts, all drawn, and where they and the main column sit: a page is still moving until
this reads the same twice (a page switching to layout="wide" widens over a few frames, and plotly
redraws to the new width after it)."""


def _plots_settled(page: Page, timeout: float) -> None:
    """Every plotly chart has drawn its SVG, and their number and boxes held still for 250 ms."""
    deadline = time.monotonic() + timeout / 1000
    last = None
    while time.monotonic() < deadline:
        probe = page.evaluate(LAYOUT_PROBE)
        if probe is not None and probe == last:
            return
        last = probe
        page.wait_for_timeout(250)
    raise TimeoutError("plotly charts did not settle")


def title(page: Page, text: str) -> None:
    """Wait for the page heading `text` (the sign of having arrived), then for the page to settle."""
    expect(page.locator("h1").filter(has_text=re.compile(f"^{re.escape(text)}"))).to_have_count(
        1, timeout=TIMEOUT_MS
    )
    wait_for_app(page)


def open_app(page: Page, url: str) -> None:
    """Load the app at `url` (a new Streamlit session: signed out)."""
    page.goto(url)
    wait_for_app(page)


def enter_demo(page: Page, member: str | None = None) -> None:
    """Sign in through the demo card; `None` keeps the picker's default (the first member, Maya)."""
    title(page, "Hearth")
    if member is not None:
        page.locator(".st-key-demo-member").click()
        page.get_by_role("option", name=member, exact=True).click()
        wait_for_app(page)
    page.locator(".st-key-demo-enter button").click()
    title(page, "Overview")


@contextmanager
def demo_tabs(
    browser: Browser, context_args: dict, url: str, options: Callable[[str], dict]
) -> Iterator[Callable[[str], Page]]:
    """`tab(key)`: one signed-in tab (Maya, the admin: every page) per key, in a context made with
    `options(key)`, opened on first use and kept; every context closes on the way out."""
    tabs: dict[str, Page] = {}
    contexts = []

    def tab(key: str) -> Page:
        if key not in tabs:
            context = browser.new_context(**{**context_args, **options(key)})
            contexts.append(context)
            tabs[key] = context.new_page()
            open_app(tabs[key], url)
            enter_demo(tabs[key])
        return tabs[key]

    try:
        yield tab
    finally:
        for context in contexts:
            context.close()


def sign_in(page: Page, name: str, password: str) -> None:
    """Fill and submit the password form; the caller checks what happened."""
    page.locator(".st-key-sign-in-name input").fill(name)
    page.locator(".st-key-sign-in-password input").fill(password)
    page.locator(".st-key-sign-in-submit button").click()
    wait_for_app(page)


def go(page: Page, link: str) -> None:
    """Follow a sidebar link (in-app navigation keeps the session; a URL load would sign out).

    Every page's title is its link text. Already on that page, nothing is clicked: it is let settle.
    """
    heading = page.locator("h1").filter(has_text=re.compile(f"^{re.escape(link)}"))
    if heading.count() == 0:
        page.locator('[data-testid="stSidebarNav"]').get_by_text(link, exact=True).click()
    title(page, link)


WATCH_RERUN = """() => {
    window.__hearthRerun = false;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver((_, observer) => { window.__hearthRerun = true; observer.disconnect(); })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def after_rerun(page: Page, action: Callable[[], object]) -> None:
    """Do `action` (a click, a key press), wait until the rerun it causes has started, then until done.

    Waiting for 'notRunning' straight after a click can pass before the rerun even begins.
    """
    page.evaluate(WATCH_RERUN)
    action()
    # Under load a rerun can start and end between two polls; the tests' own assertions on what the page
    # then shows still catch a click that was lost altogether.
    with suppress(PlaywrightTimeoutError):
        page.wait_for_function("() => window.__hearthRerun === true", timeout=TIMEOUT_MS)
    wait_for_app(page)


def settle_pointer(page: Page) -> None:
    """No hover or focus styling left on the last thing clicked, for a clean screenshot.

    The pointer rests in the bottom-right corner: over the sidebar it would show the collapse button,
    over a chart plotly's mode bar.
    """
    size = page.viewport_size or {"width": 800, "height": 600}
    page.mouse.move(size["width"] - 2, size["height"] - 2)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(100)
