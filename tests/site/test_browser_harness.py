"""The browser-test harness on small pages written here: each check catches what it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import build_tree
from tests.site.browser import BrowserPage, serve, validate_html

pytestmark = [pytest.mark.tools, pytest.mark.xdist_group("browser")]

CLEAN = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Clean</title>
<link rel="stylesheet" href="style.css"></head>
<body><main><h1>Clean page</h1><p><a href="other.html">Other</a></p>
<p id="now"></p></main>
<script src="app.js"></script></body>
</html>
"""

CSP = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';'
    " script-src 'self'; style-src 'self'; img-src 'self' data:\">"
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return build_tree(
        tmp_path / "www",
        {
            "index.html": CLEAN,
            "style.css": "body { font-family: sans-serif; }\n",
            "app.js": "document.getElementById('now').textContent = new Date().toISOString();\n",
            "other.html": CLEAN.replace("Clean page", "Other page"),
            "noisy.html": CLEAN.replace(
                '<script src="app.js"></script>',
                "<script>console.error('boom'); missingFunction();</script>"
                '<img src="missing.png" alt="gone">'
                '<img src="https://cdn.example.com/logo.png" alt="logo">',
            ),
            "wide.html": CLEAN.replace("<p id", '<div style="width: 2000px">wide</div><p id'),
            # A strict Content-Security-Policy like the portal's: axe must still run.
            "inaccessible.html": CLEAN.replace("<title>", CSP + "<title>").replace(
                "<p id",
                '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"><p id',
            ),
            "invalid.html": CLEAN.replace(
                '<p id="now"></p>', '<p id="x"></p><p id="x" frob="1"></p>'
            ),
        },
    )


def test_a_clean_page_over_http_records_nothing(browser_page: BrowserPage, site: Path) -> None:
    with serve(site) as base:
        browser_page.goto(base + "index.html")
        assert browser_page.page.inner_text("h1") == "Clean page"
        assert browser_page.page.inner_text("#now").startswith("20")
    assert browser_page.problems() == []


def test_a_page_opens_from_file_url(browser_page: BrowserPage, site: Path) -> None:
    browser_page.goto((site / "index.html").as_uri())
    assert browser_page.page.inner_text("h1") == "Clean page"
    assert browser_page.problems() == []


def test_console_errors_failed_and_outside_requests_are_recorded(
    browser_page: BrowserPage, site: Path
) -> None:
    with serve(site) as base:
        browser_page.goto(base + "noisy.html")
    assert any("boom" in e for e in browser_page.console_errors)
    assert any("missingFunction" in e for e in browser_page.console_errors)
    assert [r for r in browser_page.failed_requests if "missing.png (HTTP 404)" in r]
    assert browser_page.blocked_requests == ["https://cdn.example.com/logo.png"]


def test_horizontal_overflow_is_measured(browser_page: BrowserPage, site: Path) -> None:
    browser_page.page.set_viewport_size({"width": 375, "height": 700})
    browser_page.goto((site / "index.html").as_uri())
    assert browser_page.horizontal_overflow() == 0
    browser_page.goto((site / "wide.html").as_uri())
    assert browser_page.horizontal_overflow() > 1000


def test_axe_core_finds_serious_violations_only_where_there_are_some(
    browser_page: BrowserPage, site: Path
) -> None:
    browser_page.goto((site / "index.html").as_uri())
    assert browser_page.axe_violations() == []
    browser_page.goto((site / "inaccessible.html").as_uri())
    found = browser_page.axe_violations()
    assert any("image-alt" in v for v in found), found
    assert any("label" in v for v in found), found


def test_the_html_checker_reports_errors_and_passes_valid_pages(site: Path) -> None:
    assert validate_html([site / "index.html", site / "other.html"]) == []
    errors = validate_html([site / "index.html", site / "invalid.html"])
    assert any("invalid.html" in e and "Duplicate ID" in e for e in errors), errors
    assert any("frob" in e for e in errors), errors
    assert not any(e.startswith(str(site / "index.html")) for e in errors)


def test_the_browser_clock_can_be_faked(browser_page: BrowserPage, site: Path) -> None:
    browser_page.page.clock.set_fixed_time("2026-11-20T08:59:00Z")
    browser_page.goto((site / "index.html").as_uri())
    assert browser_page.page.inner_text("#now") == "2026-11-20T08:59:00.000Z"
