"""A content-hash cache for ``slo rules``: per document, its findings and generated files.

One JSON file under the cache folder (default ``.opsdocs/cache/``) per fingerprint; the
fingerprint covers the opsdocs version, the source of the SLO compiler, the PromQL parser's
version, the ``slo`` settings and the options of the run (mode, format, tests). An entry is valid
while the hash of the document's text, its path and its service's runbook (which gives
``runbook_url``) are unchanged. The folder is safe to delete; a cache that cannot be read or
written is ignored.

The generated files are kept apart from the JSON, as one text file beside it
(``slo-rules-<key>.txt``: a stamp line, then the files one after the other), and the JSON gives
each file's start and end in it: escaping megabytes of rules into JSON strings and back cost more
than compiling a third of them. The stamp, a random token written in both, tells that the two
belong together (two runs may save at the same time).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from opsdocs import __version__

__all__ = ["RulesCache", "digest", "fingerprint"]

FORMAT = 2


def digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _source_stamp() -> list[Any]:
    import opsdocs.documents
    import opsdocs.slo

    top = Path(opsdocs.slo.__file__ or "").parent.parent
    files = [top / "promql.py", top / "yamlio.py", top / "diagnostics.py"]
    for package in (opsdocs.slo, opsdocs.documents):
        files.extend(sorted(Path(package.__file__ or "").parent.rglob("*.py")))
    stamp: list[Any] = []
    for file in files:
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
        self.texts = directory / f"slo-rules-{key}.txt"
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        self._put: set[str] = set()  # labels this run computed

    def load(self) -> RulesCache:
        try:
            data = json.loads(self.file.read_bytes())
            texts = self.texts.read_text(encoding="utf-8")
        except (OSError, ValueError):
            return self
        if not isinstance(data, dict) or data.get("key") != self.key:
            return self
        stamp, _, blob = texts.partition("\n")
        entries = data.get("entries")
        if stamp != data.get("stamp") or len(blob) != data.get("length"):
            return self  # the text file is from another run, or cut short
        if isinstance(entries, dict):
            with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
                self.entries = {label: _with_texts(e, blob) for label, e in entries.items()}
        return self

    def get(self, label: str, hash_: str) -> dict[str, Any] | None:
        entry = self.entries.get(label)
        if isinstance(entry, dict) and entry.get("hash") == hash_:
            return entry
        return None

    def put(self, label: str, hash_: str, value: dict[str, Any]) -> None:
        self.entries[label] = {"hash": hash_, **value}
        self._put.add(label)
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
            # Another run may have saved since we loaded: merge this run's entries into what is
            # on disk now, under the cache's lock (the index and the texts must also match).
            with lock_file(self.directory / "slo-rules.lock"):
                current = RulesCache(self.directory, self.key).load().entries
                current.update({label: self.entries[label] for label in self._put})
                self._write(current)
        except OSError:
            return
        self._put = set()
        self.dirty = False

    def _write(self, merged: dict[str, dict[str, Any]]) -> None:
        from opsdocs.fileio import atomic_write

        parts: list[str] = []
        offset = 0
        entries = {}
        for label, entry in merged.items():
            outputs = []
            for name, text in entry["outputs"]:
                outputs.append([name, offset, offset + len(text)])
                parts.append(text)
                offset += len(text)
            entries[label] = {**entry, "outputs": outputs}
        stamp = secrets.token_hex(8)
        atomic_write(self.texts, [stamp, "\n", *parts])
        index = {"key": self.key, "stamp": stamp, "length": offset, "entries": entries}
        atomic_write(self.file, json.dumps(index, separators=(",", ":")))
        for old in self.directory.glob("slo-rules-*"):
            if old not in (self.file, self.texts) and old.suffix in (".json", ".txt"):
                old.unlink()


def _with_texts(entry: dict[str, Any], blob: str) -> dict[str, Any]:
    """An entry as saved (outputs as ``[name, start, end]``) with its files' texts."""
    outputs = []
    for name, start, end in entry["outputs"]:
        if not (isinstance(name, str) and 0 <= start <= end <= len(blob)):
            raise ValueError(name)
        outputs.append([name, blob[start:end]])
    return {**entry, "outputs": outputs}
