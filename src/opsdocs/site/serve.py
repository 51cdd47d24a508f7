"""``opsdocs site serve``: the portal on 127.0.0.1, rebuilt when a document changes.

The folder is watched by polling modification times (no dependency, works on every file
system); a changed document is rebuilt with :meth:`Site.refresh` (its page and the pages that
depend on it), an added or removed one with a full build.
"""

from __future__ import annotations

import functools
import gc
import os
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.site.pages import walk_documents

if TYPE_CHECKING:
    from opsdocs.site.build import Site

__all__ = ["Server", "snapshot_mtimes", "start_server", "watch"]

HOST = "127.0.0.1"
#: Seconds between two looks at the folder.
POLL_INTERVAL = 0.3


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # the command line reports rebuilds, not every request

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a rebuilt page shows on reload
        super().end_headers()


class Server:
    """An HTTP server for the site's folder, answering in a background thread."""

    def __init__(self, out: Path, port: int) -> None:
        handler = functools.partial(_Handler, directory=str(out))
        self.httpd = ThreadingHTTPServer((HOST, port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self.httpd.server_address[1]
        return f"http://{HOST}:{port}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def start_server(out: Path, port: int) -> Server:
    """Serve ``out`` on 127.0.0.1:``port`` (0: a free port) until :meth:`Server.stop`."""
    server = Server(out, port)
    server.thread.start()
    return server


def snapshot_mtimes(folder: Path) -> dict[str, int]:
    """Modification time and size of every Markdown file below ``folder``."""
    found: dict[str, int] = {}
    for path, _ in walk_documents(folder):
        try:
            stat = path.stat()
        except OSError:
            continue
        found[str(path)] = stat.st_mtime_ns ^ (stat.st_size << 1)
    return found


def watch(
    site: Site,
    report: Callable[[str], None],
    *,
    stop: threading.Event | None = None,
    interval: float = POLL_INTERVAL,
) -> None:
    """Rebuild ``site`` whenever a document of its folder changes, until ``stop`` is set;
    ``report`` gets one line per rebuild (or per build error: the server keeps running)."""
    from opsdocs.errors import OpsdocsError

    folder = site.workspace.docs_dir
    seen = snapshot_mtimes(folder)
    while stop is None or not stop.is_set():
        time.sleep(interval)
        now = snapshot_mtimes(folder)
        if now == seen:
            continue
        changed = [Path(p) for p in set(now) ^ set(seen)] + [
            Path(p) for p in now if p in seen and now[p] != seen[p]
        ]
        seen = now
        names = ", ".join(sorted(os.path.relpath(p, folder) for p in changed))
        try:
            # the pages first, then their findings: a check pass over a big folder takes
            # seconds, the page should not wait for it
            started = time.perf_counter()
            result = site.refresh(changed, check=False)
            took = time.perf_counter() - started
            report(f"{names}: rebuilt {len(result.written)} files in {took:.2f} s")
            if site.options.check and result.documents:
                started = time.perf_counter()
                again = site.recheck(changed)
                took = time.perf_counter() - started
                report(f"{names}: checked, rewrote {len(again.written)} files in {took:.2f} s")
        except OpsdocsError as exc:
            report(f"error: {exc.format()}")
        # the reference cycles of the rebuild, collected while nothing waits (the command line
        # keeps the collector paused: one command, then the process ends)
        gc.collect()
