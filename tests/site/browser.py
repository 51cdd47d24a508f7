"""Browser-test helpers: Debian's Chromium driven by Playwright, axe-core, the Nu HTML checker.

Playwright is only the driver: it never downloads a browser. Chromium is the system's
(``require_tool("chromium")``), launched headless with a fresh temporary profile and with every
background service it would otherwise reach out to switched off. Every request a page makes that
is not to ``127.0.0.1`` or ``file://`` is aborted and recorded, so a page that would load
something from elsewhere fails its test instead of quietly reaching the network.

axe-core and the Nu HTML checker (``vnu-jar``) come from the npm registry at test time, pinned,
unpacked once into the repository's ignored ``.cache/npm/`` (shared by the xdist workers under a
file lock) and reused from there.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import json
import os
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import require_tool

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache"

#: Pinned versions of what the browser tests fetch from the npm registry.
AXE_CORE = ("axe-core", "4.14.1")
VNU_JAR = ("vnu-jar", "26.9.27")

#: Chromium flags: headless, no sandbox (tests run as root in containers), and nothing that
#: phones home (component updates, sync, background networking, QUIC probes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: axe-core impacts that fail a test.
AXE_FAILING = ("serious", "critical")


def _tool_missing(message: str) -> None:
    """Skip locally, fail under OPSDOCS_REQUIRE_TOOLS=1 (like ``require_tool``)."""
    if os.environ.get("OPSDOCS_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{message} (OPSDOCS_REQUIRE_TOOLS=1)")
    pytest.skip(message)


def npm_package(name: str, version: str) -> Path:
    """The unpacked folder of the npm package ``name@version``, fetched once into .cache/npm/.

    ``npm pack`` downloads the tarball (checked against the registry's integrity hash) without
    running any install script; it is unpacked into a temporary folder and renamed into place,
    so a half-written folder is never seen. A lock file serialises the xdist workers.
    """
    target = CACHE / "npm" / f"{name}-{version}"
    if target.is_dir():
        return target
    npm = require_tool("npm")
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_dir():
            return target
        with tempfile.TemporaryDirectory(dir=target.parent) as work:
            done = subprocess.run(
                [npm, "pack", f"{name}@{version}", "--silent", "--pack-destination", work],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            tarballs = list(Path(work).glob("*.tgz"))
            if done.returncode != 0 or len(tarballs) != 1:
                _tool_missing(f"npm pack {name}@{version} failed: {done.stderr.strip()[-300:]}")
            unpacked = Path(work) / "unpacked"
            with tarfile.open(tarballs[0]) as archive:
                archive.extractall(unpacked, filter="data")
            (unpacked / "package").rename(target)
    return target


@functools.cache
def axe_source() -> str:
    """The text of axe-core's ``axe.min.js``, to inject into a page."""
    return (npm_package(*AXE_CORE) / "axe.min.js").read_text(encoding="utf-8")


def vnu_jar() -> Path:
    """The Nu HTML checker's jar (needs a Java runtime)."""
    require_tool("java")
    return npm_package(*VNU_JAR) / "build" / "dist" / "vnu.jar"


def validate_html(files: Iterable[Path]) -> list[str]:
    """Errors the Nu HTML checker finds in ``files`` (one JVM for all), as ``file:line: message``.

    Warnings and informational messages are left out; an error is any markup the HTML standard
    does not allow (bad nesting, duplicate ids, unknown attributes, missing alt, ...).
    """
    paths = [str(p) for p in files]
    if not paths:
        return []
    java = require_tool("java")
    done = subprocess.run(
        [
            java,
            "-jar",
            str(vnu_jar()),
            "--format",
            "json",
            "--stdout",
            "--exit-zero-always",
            *paths,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"the Nu HTML checker failed: {done.stderr.strip()[-500:]}")
    messages = json.loads(done.stdout)["messages"]
    errors = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        where = urlsplit(message.get("url", "")).path
        errors.append(f"{where}:{message.get('lastLine', '?')}: {message['message']}")
    return errors


@dataclass
class BrowserPage:
    """A page in its own browser context, with everything that went wrong while it was used."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, failed and blocked requests, in one list."""
        return (
            [f"console: {e}" for e in self.console_errors]
            + [f"failed request: {r}" for r in self.failed_requests]
            + [f"blocked request (not loopback): {r}" for r in self.blocked_requests]
        )

    def clear(self) -> None:
        """Forget what was recorded so far (between the pages one test visits)."""
        self.console_errors.clear()
        self.failed_requests.clear()
        self.blocked_requests.clear()

    def goto(self, url: str) -> None:
        """Open ``url`` and wait until the page and its resources have loaded, images that
        start after the load event included: leaving a page while one is still loading aborts
        it, and the abort would be recorded against the next page.

        The wait is for that condition, every image complete, not for a quiet spell on the
        network (half a second per page: a crawl of every page at each width added up to
        minutes under load)."""
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function("() => [...document.images].every(i => i.complete)")

    def axe_violations(self) -> list[str]:
        """axe-core's serious and critical violations on the current page, one line each."""
        # Evaluated through the DevTools protocol rather than added as a <script>: the portal's
        # Content-Security-Policy rightly refuses inline scripts, and the page must not be changed.
        self.page.evaluate(axe_source() + "\n;undefined")
        result = self.page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }"
        )
        return [
            f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])}"
            for v in result
            if v["impact"] in AXE_FAILING
        ]

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than the viewport (0: no horizontal scroll)."""
        width: int = self.page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )
        return max(width, 0)


def _allowed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname == "127.0.0.1"


def open_page(browser: Any, **context_options: Any) -> tuple[Any, BrowserPage]:
    """A new context and page on ``browser`` that records problems and blocks non-loopback."""
    context = browser.new_context(service_workers="block", **context_options)
    page = context.new_page()
    recorded = BrowserPage(page)

    def route(route: Any) -> None:
        url = route.request.url
        if _allowed(url):
            route.continue_()
        else:
            recorded.blocked_requests.append(url)
            route.abort("blockedbyclient")

    def on_console(message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            recorded.console_errors.append(
                f"{message.text} ({location.get('url', '')}:{location.get('lineNumber', '')})"
            )

    def on_request_failed(request: Any) -> None:
        if not _allowed(request.url):
            return  # already recorded as blocked
        recorded.failed_requests.append(f"{request.url} ({request.failure})")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            recorded.failed_requests.append(f"{response.url} (HTTP {response.status})")

    context.route("**/*", route)
    page.on("console", on_console)
    page.on("pageerror", lambda error: recorded.console_errors.append(f"uncaught: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    return context, recorded


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, through Playwright (which never downloads a browser here).

    Playwright gives every launch a fresh temporary profile (user-data-dir) and removes it on
    close, so no state survives between sessions.
    """
    executable = require_tool("chromium")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the base class names it format
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve the folder ``root`` over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
