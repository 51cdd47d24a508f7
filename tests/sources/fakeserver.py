"""A small HTTP server on 127.0.0.1 that answers what a test tells it, however badly.

Each test sets :attr:`FakeServer.answer`, a function of (path, query parameters) returning a
:class:`Reply`: status, body (bytes, or chunks written one by one with a pause between them), and
whether to send a Content-Length. Everything is bounded: the server stops writing when the client
goes away, and threads are daemons shut down with the fixture.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    pause: float = 0.0  # seconds between chunks
    length: bool = True  # send Content-Length (only for a bytes body)
    headers: dict[str, str] = field(default_factory=dict)
    raw_head: bytes | None = None  # sent byte by byte with `pause` instead of status and headers


def success(data: Any) -> Reply:
    """A well-formed API envelope around ``data``."""
    return Reply(body=json.dumps({"status": "success", "data": data}).encode())


class FakeServer:
    def __init__(self) -> None:
        self.answer: Callable[[str, dict[str, str]], Reply] = lambda path, params: Reply(404)
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.headers: list[dict[str, str]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query))
                owner.seen.append((url.path, params))
                owner.headers.append(dict(self.headers))
                reply = owner.answer(url.path, params)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
                    self._send(reply)
                self.close_connection = True

            def _send(self, reply: Reply) -> None:
                if reply.raw_head is not None:
                    for byte in reply.raw_head:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.pause)
                    self.wfile.write(reply.body if isinstance(reply.body, bytes) else b"")
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if isinstance(reply.body, bytes) and reply.length:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    if reply.pause:
                        time.sleep(reply.pause)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def fake_server() -> Iterator[FakeServer]:
    """For a fixture: ``yield from fake_server()``."""
    with FakeServer() as server:
        yield server
