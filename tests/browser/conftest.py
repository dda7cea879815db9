"""Fixtures for the browser suite: Debian's Chromium, a replayed fixture store, headless app servers.

Run: `.venv/bin/pytest -m browser tests/browser`. Regenerate screenshot baselines with
`--update-snapshots` (or `HEARTH_UPDATE_SNAPSHOTS=1` when pytest was started without this directory
on its command line, where this conftest's option is not registered); regenerate the fixture ledger
with `.venv/bin/python tests/browser/make_fixture.py`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path

import pytest
from app_driver import CHROMIUM, CHROMIUM_ARGS, DESKTOP, RunningApp, StartApp, copy_store, running_app
from make_fixture import LEDGER_FILE, build_store, stale_specs

collect_ignore = ["conftest.py"]
"""Not as a doctest module: `--doctest-modules` would import this file under the bare name `conftest`,
which clashes with the other test directories' conftest files (each is a top-level `conftest`)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite the browser suite's screenshot baselines instead of comparing with them",
    )


@pytest.fixture(scope="session")
def update_snapshots(pytestconfig: pytest.Config) -> bool:
    """Whether this run rewrites baselines (the option, or HEARTH_UPDATE_SNAPSHOTS=1)."""
    flag = bool(pytestconfig.getoption("--update-snapshots", default=False))
    return flag or os.environ.get("HEARTH_UPDATE_SNAPSHOTS", "") == "1"


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    """Shadows pytest-playwright 0.10's fallback `base_url` (used when pytest-base-url is absent): a
    session fixture defined as an instance method, which pytest 9 reports as "PytestRemovedIn10Warning:
    Session-scoped fixtures defined as instance methods are deprecated", an error under filterwarnings.
    """
    return pytestconfig.getoption("--base-url", default=None) or None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options (--headed, --slowmo, ...) plus the system Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A fixed desktop viewport, scale, locale, zone and light scheme: identical pixels run to run."""
    return {
        **browser_context_args,
        "viewport": DESKTOP,
        "device_scale_factor": 1,
        "locale": "en-GB",
        "timezone_id": "UTC",
        "color_scheme": "light",
        "reduced_motion": "reduce",
    }


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo family, Sam's password account and the committed ledger, built once per session."""
    path = tmp_path_factory.mktemp("fixture") / "fixture.sqlite"
    build_store(path)
    if stale := stale_specs(path):
        pytest.fail(
            f"{LEDGER_FILE.name} no longer replays {stale}: run"
            " `.venv/bin/python tests/browser/make_fixture.py`, then the suite with --update-snapshots",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def shared_app(fixture_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """One server per module, for tests that read but never spend (sign-ins only add sessions)."""
    folder = tmp_path_factory.mktemp("shared-app")
    with running_app(copy_store(fixture_store, folder), folder / "streamlit.log") as app:
        yield app


@pytest.fixture
def start_app(fixture_store: Path, tmp_path: Path) -> Iterator[StartApp]:
    """Start servers for this test only (each on a fresh store copy unless `db` is given); stopped after."""
    numbers = itertools.count()
    with ExitStack() as stack:

        def start(db: Path | None = None, env: Mapping[str, str] | None = None) -> RunningApp:
            folder = tmp_path / f"app-{next(numbers)}"
            store = db or copy_store(fixture_store, folder)
            folder.mkdir(parents=True, exist_ok=True)
            return stack.enter_context(running_app(store, folder / "streamlit.log", env))

        yield start
