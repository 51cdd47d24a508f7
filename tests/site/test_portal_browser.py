"""The portal built from the demo workspace, in a real headless Chromium.

The demo workspace (``scripts/demo.sh``) is built once for this module, with two hostile
documents added (a ``<script>`` in the Markdown and in the front matter) and one that does not
parse; ``opsdocs site build`` writes its site, served over HTTP on 127.0.0.1 under a sub-path
(``/site/``) and also opened from ``file://``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from tests.conftest import build_tree
from tests.site.browser import REPO, BrowserPage, open_page, serve, validate_html

pytestmark = [pytest.mark.tools, pytest.mark.xdist_group("browser")]

OPS = "docs/internal/operations"
TODAY = "2026-11-20"
AT = "2026-11-20T12:00:00Z"
#: Where the screenshots go (printed by the test that writes them); ignored by git.
SCREENSHOTS = REPO / ".cache" / "screenshots"

#: Every way a document could smuggle script in: each one sets a window flag if it runs.
FLAGS = ("pwnTitle", "pwnOwner", "pwnSummary", "pwnBody", "pwnImg", "pwnLink", "pwnSvg")
HOSTILE = """\
---
kind: runbook
title: "Hostile <script>window.pwnTitle = 1</script> runbook"
owner: "team-api<script>window.pwnOwner = 1</script>"
service: hostile
summary: "<img src=x onerror='window.pwnSummary = 1'>"
last_reviewed: 2026-11-01
review_every: 90d
---

# Hostile runbook

## Service Overview

<script>window.pwnBody = 1</script>

<img src="x" onerror="window.pwnImg = 1">

<svg><script>window.pwnSvg = 1</script></svg>

[Click me](javascript:window.pwnLink=1) to see the marmalade.
"""
BROKEN = """\
---
kind: runbook
title: [unclosed
owner: team-api
---

# Broken runbook
"""


@dataclass
class Portal:
    workspace: Path
    site: Path
    #: The site's index page over HTTP (the site lives under the /site/ sub-path).
    http: str

    def pages(self) -> list[Path]:
        return sorted(self.site.rglob("*.html"))

    def url(self, relative: str) -> str:
        return self.http.rsplit("/", 1)[0] + "/" + relative


def _run(args: list[str], cwd: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    workspace = tmp_path_factory.mktemp("portal") / "demo"
    _run(["bash", str(REPO / "scripts" / "demo.sh"), str(workspace)], cwd=workspace.parent)
    build_tree(
        workspace,
        {f"{OPS}/runbook-hostile.md": HOSTILE, f"{OPS}/runbook-broken.md": BROKEN},
    )
    opsdocs = str(Path(sys.executable).parent / "opsdocs")
    _run([opsdocs, "site", "build", "--today", TODAY, "--at", AT], cwd=workspace)
    with serve(workspace) as base:
        yield Portal(workspace, workspace / "site", base + "site/index.html")


def _links(page: Any) -> list[str]:
    """Absolute URLs of every link and resource the current page names."""
    found: list[str] = page.evaluate(
        "() => [...document.querySelectorAll('a[href], link[href], img[src], script[src]')]"
        ".map(e => e.href || e.src)"
    )
    return found


def _crawl(browser_page: BrowserPage, start: str) -> tuple[set[str], list[str]]:
    """Open every page reachable from ``start`` inside its folder; what was visited, problems."""
    prefix = start.rsplit("/", 1)[0] + "/"
    seen = {start}
    queue = deque([start])
    problems: list[str] = []
    anchors: list[tuple[str, str, str]] = []  # (from page, to page, fragment)
    ids: dict[str, set[str]] = {}
    others: set[str] = set()
    while queue:
        url = queue.popleft()
        browser_page.clear()
        browser_page.goto(url)
        problems += [f"{url}: {p}" for p in browser_page.problems()]
        ids[url] = set(
            browser_page.page.evaluate(
                "() => [...document.querySelectorAll('[id]')].map(e => e.id)"
            )
        )
        for link in _links(browser_page.page):
            target, fragment = urldefrag(link)
            target = target.split("?", 1)[0]
            scheme = urlsplit(target).scheme
            if scheme in ("http", "https", "file") and not target.startswith(prefix):
                if scheme == "file" or urlsplit(target).hostname == "127.0.0.1":
                    problems.append(f"{url}: {link} leaves the site")
                continue
            if scheme not in ("http", "https", "file"):
                if scheme == "javascript":
                    problems.append(f"{url}: {link} is a javascript: link")
                continue
            if fragment:
                anchors.append((url, target, unquote(fragment)))
            if target.endswith(".html"):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
            else:
                others.add(target)
    for source, target, fragment in anchors:
        if target in ids and fragment not in ids[target]:
            problems.append(f"{source}: #{fragment} is no anchor of {target}")
    for target in sorted(others):
        if target.startswith("file:"):
            if not Path(unquote(urlsplit(target).path)).is_file():
                problems.append(f"{target} does not exist")
        else:
            response = browser_page.page.request.get(target)
            if response.status != 200:
                problems.append(f"{target}: HTTP {response.status}")
    return seen, problems


def _relative(urls: set[str], prefix: str) -> set[str]:
    return {unquote(u[len(prefix) :]) for u in urls}


@pytest.mark.parametrize("how", ["http", "file"])
def test_every_page_loads_cleanly_and_every_internal_link_resolves(
    browser_page: BrowserPage, portal: Portal, how: str
) -> None:
    start = portal.http if how == "http" else (portal.site / "index.html").as_uri()
    visited, problems = _crawl(browser_page, start)
    assert problems == []
    prefix = start.rsplit("/", 1)[0] + "/"
    on_disk = {p.relative_to(portal.site).as_posix() for p in portal.pages()}
    # Every page is reachable from the home page, and every link leads to a page that exists.
    assert _relative(visited, prefix) == on_disk


def test_search_finds_a_runbook_by_a_word_in_its_body(
    browser_page: BrowserPage, portal: Portal
) -> None:
    # "Zalando" is only in the body of the database runbook (not in any title or heading).
    page = browser_page.page
    browser_page.goto(portal.url("index.html"))
    page.fill("#site-search", "zalando")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search.html?q=zalando")
    page.wait_for_selector("#search-results li")
    titles = page.locator("#search-results > li > a").all_inner_texts()
    assert titles == ["Database Runbook"]
    page.click("#search-results > li > a")
    page.wait_for_url("**/runbook-database.html")
    assert "Zalando" in page.inner_text("main")
    assert browser_page.problems() == []


def _oncall_cli(portal: Portal, at: str) -> dict[str, list[list[str]]]:
    """Who ``opsdocs oncall who`` says is on call at ``at``: team -> people per level."""
    opsdocs = str(Path(sys.executable).parent / "opsdocs")
    done = subprocess.run(
        [opsdocs, "oncall", "who", "--at", at, "--format", "json"],
        cwd=portal.workspace,
        capture_output=True,
        text=True,
        check=True,
    )
    teams: dict[str, list[list[str]]] = {}
    for level in json.loads(done.stdout)["levels"]:
        teams.setdefault(level["team"], []).append([m["person"] for m in level["on_call"]])
    return teams


def _oncall_page(page: Any) -> dict[str, list[list[str]]]:
    """Who the on-call page shows: team -> people (bold names) per level."""
    shown: dict[str, list[list[str]]] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-oncall-now]')].map(
            body => [body.getAttribute('data-oncall-now'), [...body.querySelectorAll('tr')].map(
                row => [...row.querySelectorAll('td strong')].map(s => s.textContent))]))"""
    )
    return shown


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # team-api's weekly handoff: carol -> dmitri (primary), alice -> bob (secondary).
        ("2026-11-23T07:59:00Z", "2026-11-23T08:01:00Z"),
        # team-search follows the sun: Bangalore hands over to New York.
        ("2026-11-20T13:59:00Z", "2026-11-20T14:01:00Z"),
    ],
)
def test_the_oncall_widget_follows_the_browser_clock_across_a_handoff(
    browser_page: BrowserPage, portal: Portal, before: str, after: str
) -> None:
    page = browser_page.page
    seen = []
    for moment in (before, after):
        page.clock.set_fixed_time(moment)
        browser_page.goto(portal.url("oncall.html"))
        expected = _oncall_cli(portal, moment)
        assert _oncall_page(page) == expected, moment
        seen.append(expected)
        browser_page.goto(portal.url("services/api-server.html"))
        primary = page.inner_text('[data-oncall-primary="team-api"]')
        assert primary == ", ".join(expected["team-api"][0])
    assert seen[0] != seen[1], "the two moments should be on either side of a handoff"
    assert browser_page.problems() == []


def test_the_oncall_widget_names_the_right_people_at_the_weekly_handoff(
    browser_page: BrowserPage, portal: Portal
) -> None:
    # Pinned names as well, so the test does not only compare the page with the CLI.
    page = browser_page.page
    page.clock.set_fixed_time("2026-11-23T07:59:00Z")
    browser_page.goto(portal.url("services/api-server.html"))
    assert page.inner_text('[data-oncall-primary="team-api"]') == "carol"
    page.clock.set_fixed_time("2026-11-23T08:01:00Z")
    browser_page.goto(portal.url("services/api-server.html"))
    assert page.inner_text('[data-oncall-primary="team-api"]') == "dmitri"


@pytest.mark.parametrize("width", [375, 1440])
def test_no_page_scrolls_sideways(browser_page: BrowserPage, portal: Portal, width: int) -> None:
    browser_page.page.set_viewport_size({"width": width, "height": 900})
    wide = {}
    for path in portal.pages():
        browser_page.goto(path.as_uri())
        overflow = browser_page.horizontal_overflow()
        if overflow:
            wide[path.relative_to(portal.site).as_posix()] = overflow
    assert wide == {}


def test_script_in_markdown_or_front_matter_never_runs(
    chromium: Any, browser_page: BrowserPage, portal: Portal
) -> None:
    hostile = "docs/runbook-hostile.html"
    assert (portal.site / hostile).is_file()
    # With the page's Content-Security-Policy switched off, so the escaping itself is what is
    # proven (the policy, which refuses inline script, is a second wall behind it).
    context, unguarded = open_page(chromium, bypass_csp=True)
    try:
        for relative in (
            hostile,
            "index.html",
            "documents.html",
            "services/hostile.html",
            "search.html?q=marmalade",
            "search.html?q=hostile",
        ):
            unguarded.goto(portal.url(relative))
            ran = unguarded.page.evaluate(
                f"() => {list(FLAGS)}.filter(f => window[f] !== undefined)"
            )
            assert ran == [], relative
    finally:
        context.close()
    page = browser_page.page
    browser_page.goto(portal.url(hostile))
    # The script is shown as text, where a reader can see what the document says.
    shown = page.inner_text("main")
    assert "<script>window.pwnTitle = 1</script>" in shown or "pwnTitle" in page.title()
    assert "<script>window.pwnBody = 1</script>" not in page.content().split("<main", 1)[1]
    assert page.locator("main script, main img[onerror], main a[href^='javascript:']").count() == 0


def test_a_document_that_does_not_parse_still_gets_a_page_with_its_error(
    browser_page: BrowserPage, portal: Portal
) -> None:
    broken = portal.site / "docs" / "runbook-broken.html"
    assert broken.is_file()
    browser_page.goto(portal.url("docs/runbook-broken.html"))
    text = browser_page.page.inner_text("main")
    assert "runbook-broken.md" in text
    assert browser_page.problems() == []


@pytest.mark.parametrize(
    "relative", ["index.html", "services/api-server.html", "docs/runbook-api-server.html"]
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(
    browser_page: BrowserPage, portal: Portal, relative: str, scheme: str
) -> None:
    browser_page.page.emulate_media(color_scheme=scheme)
    browser_page.goto(portal.url(relative))
    assert browser_page.axe_violations() == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_charts_follow_the_colour_scheme(
    browser_page: BrowserPage, portal: Portal, scheme: str
) -> None:
    from PIL import Image

    page = browser_page.page
    page.emulate_media(color_scheme=scheme)
    # a chart on a service page, and one a status block shows on the home page
    for relative, selector in (
        ("services/api-server.html", ".chart img"),
        ("index.html", "main img[src$='.svg']"),
    ):
        browser_page.goto(portal.url(relative))
        chart = page.locator(selector).first
        chart.scroll_into_view_if_needed()
        shot = Image.open(io.BytesIO(chart.screenshot())).convert("L")
        count, background = max(shot.getcolors(shot.width * shot.height) or [(0, -1)])
        assert count > shot.width * shot.height / 3, relative  # the chart's own background
        # as light as the page (white) in light mode; as dark as the page in dark mode, not a
        # white box
        assert background > 230 if scheme == "light" else background < 40, (relative, background)
    assert browser_page.problems() == []


def test_every_page_is_valid_html(portal: Portal) -> None:
    assert validate_html(portal.pages()) == []


def test_screenshots_of_the_home_and_a_service_page(
    browser_page: BrowserPage, portal: Portal
) -> None:
    page = browser_page.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    written = []
    page.clock.set_fixed_time(AT)
    for name, relative in (("home", "index.html"), ("service", "services/api-server.html")):
        for width, scheme in ((1440, "light"), (375, "light"), (1440, "dark")):
            page.set_viewport_size({"width": width, "height": 900})
            page.emulate_media(color_scheme=scheme)
            browser_page.goto(portal.url(relative))
            path = SCREENSHOTS / f"{name}-{width}-{scheme}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000
            written.append(path)
    print(f"\nscreenshots of the portal: {SCREENSHOTS}")
    assert browser_page.problems() == []
