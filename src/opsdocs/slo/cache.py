"""A content-hash cache for ``slo rules``: per document, its findings and generated files.

One JSON file under the cache folder (default ``.opsdocs/cache/``) per fingerprint; the
fingerprint covers the opsdocs version, the source of the SLO compiler, the PromQL parser's
version, the ``slo`` settings and the options of the run (mode, format, tests). An entry is valid
while the hash of the document's text, its path and its service's runbook (which gives
``runbook_url``) are unchanged. The folder is safe to delete; a cache that cannot be read or
written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from opsdocs import __version__

__all__ = ["RulesCache", "digest", "fingerprint"]

FORMAT = 1


def digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _source_stamp() -> list[Any]:
    import opsdocs.documents
    import opsdocs.slo

    stamp: list[Any] = []
    for package in (opsdocs.slo, opsdocs.documents):
        for file in sorted(Path(package.__file__ or "").parent.rglob("*.py")):
            with contextlib.suppress(OSError):
                st = file.stat()
                stamp.append([file.name, st.st_size, st.st_mtime_ns])
    return stamp


def fingerprint(options: dict[str, Any]) -> str:
    """The key of a run: version, compiler source, parser version and the run's options."""
    try:
        parser = version("promql-parser")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        parser = "?"
    data = {
        "format": FORMAT,
        "version": __version__,
        "source": _source_stamp(),
        "promql-parser": parser,
        "options": options,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:20]


class RulesCache:
    """Per-document cached results, valid while the document's digest matches."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.key = key
        self.file = directory / f"slo-rules-{key}.json"
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False

    def load(self) -> RulesCache:
        try:
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return self
        if isinstance(data, dict) and data.get("key") == self.key:
            entries = data.get("entries")
            if isinstance(entries, dict):
                self.entries = entries
        return self

    def get(self, label: str, hash_: str) -> dict[str, Any] | None:
        entry = self.entries.get(label)
        if isinstance(entry, dict) and entry.get("hash") == hash_:
            return entry
        return None

    def put(self, label: str, hash_: str, value: dict[str, Any]) -> None:
        self.entries[label] = {"hash": hash_, **value}
        self.dirty = True

    def save(self) -> None:
        """Write the cache (quietly does nothing when the folder is not writable)."""
        if not self.dirty:
            return
        from opsdocs.workspace import atomic_write

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            state = self.directory.parent
            if state.name == ".opsdocs" and not (state / ".gitignore").exists():
                atomic_write(state / ".gitignore", "*\n")
            text = json.dumps({"key": self.key, "entries": self.entries}, separators=(",", ":"))
            atomic_write(self.file, text)
            for old in self.directory.glob("slo-rules-*.json"):
                if old != self.file:
                    old.unlink()
        except OSError:
            return
        self.dirty = False
