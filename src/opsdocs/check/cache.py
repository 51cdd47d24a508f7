"""The content-hash cache of per-document results.

One JSON file per rule-set fingerprint under the cache folder (default ``.opsdocs/cache/``),
mapping each checked path to the hash of its bytes, its document-rule findings and its facts.
The fingerprint covers the opsdocs version, the registered rules, the source of the checker and
the profiles in the configuration, so any change there starts from an empty cache. The folder
is safe to delete at any time; a cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
from pathlib import Path
from typing import Any

from opsdocs import __version__
from opsdocs.check.registry import all_rules

__all__ = ["CheckCache", "content_hash", "fingerprint"]

FORMAT = 1


def content_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _source_stamp() -> list[Any]:
    """Sizes and mtimes of every opsdocs source file, so that an edit anywhere invalidates.

    Rules import helpers from their feature packages (``opsdocs.incidents.validate``, ...), so
    stamping only the rule modules would keep stale results after a change to a helper.
    """
    import opsdocs

    root = Path(opsdocs.__file__ or "").parent
    stamp: list[Any] = []
    for file in sorted(root.rglob("*.py")):
        with contextlib.suppress(OSError):
            st = file.stat()
            stamp.append([file.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns])
    for source in sorted({rule.source for rule in all_rules() if rule.source}):
        if source.startswith("opsdocs."):
            continue
        module_file: str | None = getattr(importlib.import_module(source), "__file__", None)
        if module_file:
            with contextlib.suppress(OSError):
                st = Path(module_file).stat()
                stamp.append([module_file, st.st_size, st.st_mtime_ns])
    return stamp


def fingerprint(settings_fingerprint: str) -> str:
    """The key of the rule set: version, rules, checker source and profiles."""
    data = {
        "format": FORMAT,
        "version": __version__,
        "rules": [[r.code, r.name, r.source] for r in all_rules()],
        "source": _source_stamp(),
        "settings": settings_fingerprint,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:20]


class CheckCache:
    """Per-path cached results, valid while the content hash matches."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.key = key
        self.file = directory / f"check-{key}.json"
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        self._changed: dict[str, dict[str, Any] | None] = {}  # this run's puts and forgets

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return {}
        if isinstance(data, dict) and data.get("key") == self.key:
            entries = data.get("entries")
            if isinstance(entries, dict):
                return entries
        return {}

    def load(self) -> None:
        self.entries = self._read()

    def get(self, path: str, digest: str) -> dict[str, Any] | None:
        entry = self.entries.get(path)
        if entry is not None and entry.get("hash") == digest:
            return entry
        return None

    def put(self, path: str, digest: str, findings: list[list[Any]], facts: dict[str, Any]) -> None:
        self.entries[path] = {"hash": digest, "findings": findings, "facts": facts}
        self._changed[path] = self.entries[path]
        self.dirty = True

    def forget(self, path: str) -> None:
        if self.entries.pop(path, None) is not None:
            self._changed[path] = None
            self.dirty = True

    def save(self) -> None:
        """Write the cache (quietly does nothing when the folder is not writable)."""
        if not self.dirty:
            return
        from opsdocs.fileio import atomic_write, lock_file

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            state = self.directory.parent
            if state.name == ".opsdocs" and not (state / ".gitignore").exists():
                atomic_write(state / ".gitignore", "*\n")
            # Another check may have saved since we loaded: merge this run's changes into what
            # is on disk now, under the cache's lock, so neither run's results are lost.
            with lock_file(self.directory / "check.lock"):
                entries = self._read()
                for path, entry in self._changed.items():
                    if entry is None:
                        entries.pop(path, None)
                    else:
                        entries[path] = entry
                text = json.dumps({"key": self.key, "entries": entries}, separators=(",", ":"))
                atomic_write(self.file, text)
                for old in self.directory.glob("check-*.json"):
                    if old != self.file:
                        old.unlink()
        except OSError:
            return
        self.entries = entries
        self._changed = {}
        self.dirty = False
