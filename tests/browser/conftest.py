"""Shared fixtures for the browser tests: Debian's chromium, driven by Playwright, offline.

- ``browser`` (session): Debian's ``chromium`` (never a browser downloaded by
  ``playwright install``) launched headless with the flags below. Playwright gives
  each launch a fresh temporary profile (user data dir) and removes it at the end.
  Without chromium the tests are SKIPPED with a loud message naming what is missing,
  except under ``CI=true``, where they FAIL.
- ``offline_page``: a page in a fresh browser context in which every request that is
  not to ``file://``, ``data:`` or this machine (127.0.0.1, localhost, ::1) is
  aborted. ``page.blocked`` lists the aborted URLs; ``page.console_errors`` collects
  console errors and uncaught page errors. A failing test leaves
  ``<test>-FAILED.png``.
- ``artifacts_dir``: ``artifacts/screenshots/`` at the repository root (git-ignored),
  where screenshots are kept as test artifacts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from lab_fixtures import offline_context  # this folder is on sys.path (pytest's rootdir-relative import)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker (harmless if pyproject.toml registers it too)."""
    config.addinivalue_line("markers", "browser: drives Debian's chromium with Playwright")


def chromium_path() -> str:
    """Return the path of Debian's chromium, or skip (fail under CI=true) without it."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    in_ci = os.environ.get("CI", "").lower() == "true"
    outcome = "FAIL (CI=true)" if in_ci else "are SKIPPED"
    problem = None
    if not exe:
        problem = (f"Debian's chromium is not installed (no `chromium` on PATH): the browser tests {outcome}. "
                   "Install it with `make browser-deps` as root, or `apt-get install chromium`.")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = (f"the Python package `playwright` is not installed: the browser tests {outcome}. "
                       "Install the test extras (`pip install -e .[test]`); never run `playwright install`.")
    if problem:
        banner = "!" * 78
        message = f"\n{banner}\n{problem}\n{banner}"
        if in_ci:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return exe


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``artifacts/screenshots/`` at the repository root, made if needed."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, launched once per test session."""
    exe = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=exe, headless=True, args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def offline_page(request: pytest.FixtureRequest, browser: Any, artifacts_dir: Path) -> Iterator[Any]:
    """A page with all network but this machine's blocked; records blocked URLs and errors."""
    blocked: list[str] = []
    errors: list[str] = []
    context = offline_context(browser, blocked, viewport={"width": 1100, "height": 700})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.blocked = blocked
    page.console_errors = errors
    failed_before = request.session.testsfailed
    try:
        yield page
    finally:
        try:
            if request.session.testsfailed > failed_before:
                page.screenshot(path=str(artifacts_dir / f"{request.node.name}-FAILED.png"))
        except Exception:  # the page may be gone; the test's own failure says more
            pass
        context.close()
