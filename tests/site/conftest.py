"""Fixtures for the browser tests: one Chromium per session, a fresh context per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import require_tool
from tests.site.browser import BrowserPage, launch_chromium, open_page


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, shared by every browser test of the session."""
    require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[BrowserPage]:
    """A page in a fresh context (own storage and clock) that records what goes wrong.

    Console errors, uncaught exceptions, failed requests and HTTP errors are recorded on the
    returned object; any request not to 127.0.0.1 or file:// is aborted and recorded too.
    """
    context, page = open_page(chromium, viewport={"width": 1280, "height": 800})
    try:
        yield page
    finally:
        context.close()
