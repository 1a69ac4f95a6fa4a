"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, a gateway per test, screenshots.

- Chromium is the system's (``/usr/bin/chromium``, Debian package ``chromium``); Playwright's own browser
  download is never used. Without it the tests fail when ``CI`` is set and are skipped otherwise.
- One browser per test module (see ``playwright``); a fresh context (cookies, storage) per test, so no
  sign-in leaks between tests.
- The gateway runs on SQLite only: every workflow path is already covered on SQLite and PostgreSQL at the
  API and workflow level; these tests are about the pages, and the database under them changes nothing
  the browser sees.
- Screenshots go to ``test-artifacts/screenshots/<test>-<nn>-<step>.png`` (git-ignored; CI keeps the
  directory as an artifact): at each step a test names, and one more when a test fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from browser_kit import CHROMIUM_FLAGS, LAPTOP, SCREENSHOTS, Gateway, Screenshots, running_gateway, slug
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from mock_common.pytest_plugin import MockService

CHROMIUM = os.environ.get("SIAKGATE_TEST_CHROMIUM", "/usr/bin/chromium")


def pytest_configure(config: pytest.Config) -> None:
    """The ``browser`` marker (also declared in pyproject; repeated so this folder stands on its own)."""
    config.addinivalue_line("markers", "browser: drives Debian's Chromium headless through Playwright")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium: a failure in CI when it is missing, a skip on a developer's machine."""
    path = shutil.which(CHROMIUM)
    if path is None:
        message = f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set SIAKGATE_TEST_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API, per module, not per session: while it runs, an event loop is running in the
    test thread, so ``asyncio.run`` (and anyio tests) in any later module of the suite would be refused."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright, chromium: str) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def gateway(
    make_database_url: Callable[..., str], tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService
) -> Iterator[Gateway]:
    """A gateway on a fresh SQLite database, with the test mocks (mock BSrE on the certificates' AIA port)."""
    with running_gateway(
        make_database_url("sqlite", migrated=True), tmp_path / "state", mock_siak, mock_bsre_aia
    ) as gw:
        yield gw


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Screenshots:
    """``shot(page, "step")`` saves a screenshot of the page at a step of the test."""
    name = slug(request.node.name.removeprefix("test_"))
    for old in SCREENSHOTS.glob(f"{name}-*.png"):
        old.unlink()
    return Screenshots(name)


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest, shot: Screenshots) -> Iterator[Callable[..., Page]]:
    """``new_page(viewport=...)``: a page in a fresh browser context (its own cookies), screenshotted on failure."""
    contexts = []

    def make(viewport: ViewportSize | None = None) -> Page:
        context = browser.new_context(viewport=viewport or LAPTOP, locale="id-ID", timezone_id="Asia/Jakarta")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "report_call", None)
    for context in contexts:
        if failed is not None and failed.failed:
            for page in context.pages:
                shot(page, "failure")
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A laptop-sized page in a fresh browser context."""
    return new_page()
