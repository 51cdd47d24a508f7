"""``opsdocs site serve`` and the incremental rebuild behind it: one changed document rewrites
its page and the pages that show it, nothing else; the server answers on 127.0.0.1 only."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from opsdocs.site.build import BuildOptions, Site
from opsdocs.site.serve import start_server, watch
from opsdocs.workspace import Workspace
from tests.site.helpers import OPS, portal_workspace

OPTIONS = BuildOptions(
    today=dt.date(2026, 11, 20), now=dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
)


def _mtimes(out: Path) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()
    }


def _built_site(tmp_path: Path) -> tuple[Site, Path]:
    """The portal workspace in ``tmp_path``, its site built into ``tmp_path/site``."""
    portal_workspace(tmp_path)
    out = tmp_path / "site"
    site = Site(Workspace.discover(root=tmp_path), out, OPTIONS)
    site.build()
    return site, out


def test_one_changed_document_rewrites_only_the_pages_that_show_it(tmp_path: Path) -> None:
    site, out = _built_site(tmp_path)
    before = _mtimes(out)
    doc = tmp_path / OPS / "runbook-database.md"
    doc.write_text(doc.read_text().replace("PostgreSQL.", "PostgreSQL and its pelican replica."))
    result = site.refresh([doc])
    assert sorted(result.written) == ["assets/search-index.js", "docs/runbook-database.html"]
    after = _mtimes(out)
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == ["assets/search-index.js", "docs/runbook-database.html"]
    assert "pelican" in (out / "docs/runbook-database.html").read_text()


def test_a_changed_title_reaches_the_service_and_home_pages(tmp_path: Path) -> None:
    site, out = _built_site(tmp_path)
    doc = tmp_path / OPS / "runbook-api-server.md"
    doc.write_text(doc.read_text().replace("title: API Server Runbook", "title: API Handbook"))
    result = site.refresh([doc])
    assert sorted(result.written) == [
        "assets/search-index.js",
        "docs/runbook-api-server.html",
        "documents.html",
        "findings.html",  # the H1 no longer matches the title: ST005
        "index.html",
        "services/api-server.html",
    ]
    assert "API Handbook" in (out / "services/api-server.html").read_text()
    # the database's pages show nothing of the API runbook: untouched
    assert "docs/runbook-database.html" not in result.written


def test_a_refresh_without_the_check_then_the_recheck_brings_the_findings(
    tmp_path: Path,
) -> None:
    site, out = _built_site(tmp_path)
    doc = tmp_path / OPS / "runbook-database.md"
    doc.write_text(doc.read_text().replace("[API runbook](", "[API runbook](gone.md"))
    first = site.refresh([doc], check=False)
    assert first.written == ["docs/runbook-database.html"]
    assert "gone.md" not in (out / "findings.html").read_text()
    second = site.recheck([doc])
    assert sorted(second.written) == [
        "docs/runbook-database.html",  # its banner lists the new error
        "documents.html",
        "findings.html",
        "index.html",  # the count of errors
    ]
    assert "link to &#39;gone.mdrunbook-api-server.md" in (out / "findings.html").read_text()


def test_a_renamed_heading_brings_the_broken_link_in_another_document_at_once(
    tmp_path: Path,
) -> None:
    site, out = _built_site(tmp_path)
    assert "pods-oomkilled" not in (out / "findings.html").read_text()
    # the database runbook links to this heading of the API runbook
    api = tmp_path / OPS / "runbook-api-server.md"
    api.write_text(api.read_text().replace("### Pods OOMKilled", "### Pods evicted"))
    result = site.refresh([api])
    assert "docs/runbook-database.html" in result.written
    database = (out / "docs/runbook-database.html").read_text()
    assert "LK002" in database and "pods-oomkilled" in database
    findings = (out / "findings.html").read_text()
    assert "runbook-database.md" in findings and "pods-oomkilled" in findings
    # and the heading back clears it, again without a full build
    api.write_text(api.read_text().replace("### Pods evicted", "### Pods OOMKilled"))
    again = site.refresh([api])
    assert "docs/runbook-database.html" in again.written
    assert "pods-oomkilled" not in (out / "findings.html").read_text()
    assert "LK002" not in (out / "docs/runbook-database.html").read_text()


def test_an_added_document_is_a_full_build(tmp_path: Path) -> None:
    site, out = _built_site(tmp_path)
    new = tmp_path / OPS / "runbook-cache.md"
    new.write_text("---\nkind: runbook\ntitle: Cache\nowner: team-api\n---\n\n# Cache\n")
    site.refresh([new])
    assert (out / "docs/runbook-cache.html").is_file()
    assert (out / "services/cache.html").is_file()


def test_watch_rebuilds_what_changed_and_the_server_serves_it(tmp_path: Path) -> None:
    site, out = _built_site(tmp_path)
    server = start_server(out, 0)
    stop = threading.Event()
    lines: list[str] = []
    watcher = threading.Thread(
        target=watch, args=(site, lines.append), kwargs={"stop": stop, "interval": 0.05}
    )
    watcher.start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.url + "docs/runbook-database.html") as response:
            assert response.status == 200
            assert "pelican" not in response.read().decode()
        doc = tmp_path / OPS / "runbook-database.md"
        time.sleep(0.02)
        doc.write_text(doc.read_text().replace("PostgreSQL.", "PostgreSQL, the pelican."))
        deadline = time.monotonic() + 10
        while not lines and time.monotonic() < deadline:
            time.sleep(0.05)
        while len(lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lines[0].startswith("runbook-database.md: rebuilt 2 files in "), lines
        # then its findings: unchanged by this edit, so nothing more is written
        assert lines[1].startswith("runbook-database.md: checked, rewrote 0 files in "), lines
        with urllib.request.urlopen(server.url + "docs/runbook-database.html") as response:
            assert "pelican" in response.read().decode()
    finally:
        stop.set()
        watcher.join()
        server.stop()


def test_serve_command_listens_on_loopback_only(tmp_path: Path) -> None:
    portal_workspace(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    process = subprocess.Popen(
        [sys.executable, "-m", "opsdocs", "site", "serve", "--port", "0", "--no-check"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Built ")
        line = process.stdout.readline()
        assert line.startswith("Serving site/ at http://127.0.0.1:"), line
        url = line.split(" at ")[1].split(" ")[0]
        with urllib.request.urlopen(url) as response:
            assert response.status == 200
            assert "<h1>How We Run</h1>" in response.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=10)
