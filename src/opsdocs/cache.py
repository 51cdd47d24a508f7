"""The one content-hash cache: per feature (a namespace), per document, what a run computed.

A feature keeps, for each document (a *label*, such as its path), the hash of what the result
depends on and the result itself (JSON-able). An entry is used while the hash matches. The whole
cache has a *key* (:func:`cache_key`) covering the opsdocs version, the source of every opsdocs
module (an edit anywhere invalidates: rules import helpers from other packages), any extra
module files (plug-in rules) and the whole effective configuration of the run, in order, so
that changing, adding or reordering a setting starts from an empty cache.

On disk, under the cache folder (default ``.opsdocs/cache/``), one namespace is two files:
``<namespace>-<key>.json``, the index, and ``<namespace>-<key>.txt``, the long texts of the
entries (an entry's ``"texts"``, a list of ``[name, text]``), kept apart from the JSON because
escaping megabytes of generated files into JSON strings and back costs more than computing some
of them. A random stamp written in both tells that the two belong together. Two runs may save at
the same time: saving takes the namespace's lock (``<namespace>.lock``) and merges this run's
changes into what is on disk then, so neither run's results are lost. Saving a new key removes
the namespace's old files. The folder is safe to delete; a cache that cannot be read or written
is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from opsdocs import __version__

__all__ = ["Cache", "cache_key", "content_hash", "digest"]

FORMAT = 1
_KEY = re.compile(r"^[0-9A-Za-z_]+$")  # keys never hold "-", namespaces may


def content_hash(raw: bytes) -> str:
    """The hash of a file's bytes."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def digest(*parts: str) -> str:
    """The hash of several texts (each ends where the next begins)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _source_stamp(modules: Iterable[str]) -> list[Any]:
    """Sizes and mtimes of every opsdocs source file (the bundled templates and kind tables too:
    a kind's required sections are read from its template, the kind from ``kinds.toml``) and of
    the files of ``modules``."""
    import opsdocs

    root = Path(opsdocs.__file__ or "").parent
    stamp: list[Any] = []
    sources = [*root.rglob("*.py"), *root.glob("**/templates/*.md"), *root.glob("**/kinds.toml")]
    for file in sorted(sources):
        with contextlib.suppress(OSError):
            st = file.stat()
            stamp.append([file.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns])
    for name in sorted(set(modules)):
        if name == "opsdocs" or name.startswith("opsdocs."):
            continue
        module_file: str | None = getattr(importlib.import_module(name), "__file__", None)
        if module_file:
            with contextlib.suppress(OSError):
                st = Path(module_file).stat()
                stamp.append([module_file, st.st_size, st.st_mtime_ns])
    return stamp


def cache_key(config: Any, *, modules: Iterable[str] = ()) -> str:
    """The key of a run: version, opsdocs source, ``modules``' files and ``config``.

    ``config`` is the whole effective configuration of the run (JSON-able). Its order counts:
    dictionaries are not sorted, because the order of some settings (profiles) changes results.
    """
    data = {
        "format": FORMAT,
        "version": __version__,
        "source": _source_stamp(modules),
        "config": config,
    }
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()[:20]


class Cache:
    """Per-label cached results of one feature, valid while the label's hash matches."""

    def __init__(self, directory: Path, namespace: str, key: str) -> None:
        self.directory = directory
        self.namespace = namespace
        self.key = key
        self.file = directory / f"{namespace}-{key}.json"
        self.texts = directory / f"{namespace}-{key}.txt"
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        self._changed: dict[str, dict[str, Any] | None] = {}  # this run's puts and forgets

    def load(self) -> Cache:
        """Read the saved entries (none when the files are missing, broken or of another key)."""
        try:
            data = json.loads(self.file.read_bytes())
            # the stamp line, then the texts read once, line endings as written
            with self.texts.open(encoding="utf-8", newline="") as file:
                stamp, blob = file.readline().removesuffix("\n"), file.read()
        except (OSError, ValueError):
            return self
        if not isinstance(data, dict) or data.get("key") != self.key:
            return self
        entries = data.get("entries")
        if stamp != data.get("stamp") or len(blob) != data.get("length"):
            return self  # the text file is from another run, or cut short
        if isinstance(entries, dict):
            with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
                self.entries = {label: _with_texts(e, blob) for label, e in entries.items()}
        return self

    def get(self, label: str, hash_: str) -> dict[str, Any] | None:
        """The entry of ``label`` when it was saved for ``hash_``."""
        entry = self.entries.get(label)
        if isinstance(entry, dict) and entry.get("hash") == hash_:
            return entry
        return None

    def put(self, label: str, hash_: str, value: dict[str, Any]) -> None:
        """Keep ``value`` for ``label`` (its ``"texts"``, if any, go to the text file)."""
        self.entries[label] = {"hash": hash_, **value}
        self._changed[label] = self.entries[label]
        self.dirty = True

    def forget(self, label: str) -> None:
        if self.entries.pop(label, None) is not None:
            self._changed[label] = None
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
            with lock_file(self.directory / f"{self.namespace}.lock"):
                # Another run may have saved since we loaded: merge into what is on disk now.
                merged = Cache(self.directory, self.namespace, self.key).load().entries
                for label, entry in self._changed.items():
                    if entry is None:
                        merged.pop(label, None)
                    else:
                        merged[label] = entry
                self._write(merged)
        except OSError:
            return
        self.entries = merged
        self._changed = {}
        self.dirty = False

    def _write(self, merged: dict[str, dict[str, Any]]) -> None:
        from opsdocs.fileio import atomic_write

        parts: list[str] = []
        offset = 0
        entries = {}
        for label, entry in merged.items():
            if "texts" in entry:
                spans = []
                for name, text in entry["texts"]:
                    spans.append([name, offset, offset + len(text)])
                    parts.append(text)
                    offset += len(text)
                entry = {**entry, "texts": spans}
            entries[label] = entry
        stamp = secrets.token_hex(8)
        atomic_write(self.texts, [stamp, "\n", *parts])
        index = {"key": self.key, "stamp": stamp, "length": offset, "entries": entries}
        atomic_write(self.file, json.dumps(index, separators=(",", ":")))
        self._remove_old()

    def _remove_old(self) -> None:
        prefix = f"{self.namespace}-"
        for old in self.directory.glob(f"{prefix}*"):
            name = old.name
            if old in (self.file, self.texts) or old.suffix not in (".json", ".txt"):
                continue
            if _KEY.match(name[len(prefix) : -len(old.suffix)]):  # not another namespace's
                old.unlink()


def _with_texts(entry: dict[str, Any], blob: str) -> dict[str, Any]:
    """An entry as saved (texts as ``[name, start, end]``) with its texts read back."""
    if "texts" not in entry:
        return entry
    texts = []
    for name, start, end in entry["texts"]:
        if not (isinstance(name, str) and 0 <= start <= end <= len(blob)):
            raise ValueError(name)
        texts.append([name, blob[start:end]])
    return {**entry, "texts": texts}
