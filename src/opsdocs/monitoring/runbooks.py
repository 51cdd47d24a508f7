"""From an alert's ``runbook_url`` to a runbook file and section, and from runbooks back to the
alerts they name.

A ``runbook_url`` resolves to a file of the repository when it is a relative path (to the rule
file's folder; ``/path`` from the workspace root) or when it starts with a URL prefix mapped to a
folder (``runbook_urls``). As static-site generators publish pages, a path without an extension
maps to ``PATH.md``, ``PATH/README.md`` or ``PATH/index.md``, and ``page.html`` to ``page.md``;
the ``#anchor`` must be one of the target's heading anchors (GitHub's rules).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote

from opsdocs.fileio import real_folder
from opsdocs.monitoring.catalogue import Alert
from opsdocs.monitoring.settings import MonitoringSettings

__all__ = [
    "INDEX_NAMES",
    "Resolution",
    "alert_name_heading",
    "check_anchor",
    "expand_url_template",
    "resolve_runbook_url",
]

Status = Literal["ok", "no-file", "no-anchor", "external", "invalid", "unchecked"]

#: File names a folder URL is published from.
INDEX_NAMES = ("README.md", "index.md", "_index.md")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_WEB_SCHEMES = ("http", "https")
_SPACE = re.compile(r"\s")  # str.isspace's characters
_LABEL_TEMPLATE = re.compile(r"\{\{\s*(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Resolution:
    """Where a ``runbook_url`` leads."""

    status: Status
    url: str
    target: str | None = None  # absolute path of the runbook file
    anchor: str | None = None
    message: str | None = None
    hint: str | None = None


def expand_url_template(url: str, alert: Alert) -> str:
    """``url`` with ``{{ $labels.alertname }}`` (and static labels) filled in from ``alert``."""
    if "{{" not in url:
        return url

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "alertname":
            return alert.name
        return alert.labels.get(name, match.group(0))

    return _LABEL_TEMPLATE.sub(value, url)


def resolve_runbook_url(
    url: str,
    *,
    alert: Alert,
    root: str,
    rule_dir: str,
    settings: MonitoringSettings,
    folders: dict[str, str] | None = None,
) -> Resolution:
    """Resolve ``url`` (an alert's ``runbook_url``) to a file and anchor of the workspace.

    ``folders`` remembers the real paths of folders across calls (one check of many alerts).
    The anchor is not checked yet (see :func:`check_anchor`): the file is found before the
    documents are parsed.
    """
    raw = url.strip()
    url = expand_url_template(raw, alert)
    if "{{" in url:
        return Resolution("unchecked", raw, message="a template opsdocs cannot expand")
    if _SPACE.search(url):
        return Resolution(
            "invalid",
            raw,
            message=f"runbook_url {raw!r} contains white space",
            hint="percent-encode spaces as %20, or rename the runbook",
        )
    rest: str | None = None
    base = root
    for prefix in sorted(settings.runbook_urls, key=len, reverse=True):
        if url.startswith(prefix) or (
            settings.case_insensitive_paths and url.lower().startswith(prefix.lower())
        ):
            rest = url[len(prefix) :]
            base = os.path.join(root, settings.runbook_urls[prefix])
            break
    if rest is None:
        scheme = _SCHEME.match(url)
        if scheme is not None:
            if scheme.group(1).lower() in _WEB_SCHEMES:
                return Resolution("external", raw)
            return Resolution(
                "invalid",
                raw,
                message=f"runbook_url {raw!r} has the unsupported scheme '{scheme.group(1)}:'",
                hint="use an https:// URL or a relative path to the runbook",
            )
        if url.startswith("//"):
            return Resolution("external", raw)
        if url.startswith("/"):
            rest, base = url.lstrip("/"), root
        else:
            rest, base = url, rule_dir
    path_part, _, fragment = rest.partition("#")
    path_part = unquote(path_part.split("?", 1)[0])
    fragment = unquote(fragment)
    found = _find_file(base, path_part, settings.case_insensitive_paths)
    target = found[0] if found is not None else None
    real_root = _realpath(root)
    if found is not None:
        folder, name = os.path.split(found[0])
        real = os.path.join(real_folder(folder, {} if folders is None else folders), name)
        real = os.path.realpath(real) if found[1] else real
        if not (real == real_root or real.startswith(real_root + os.sep)):
            return Resolution(
                "invalid",
                raw,
                message=f"runbook_url {raw!r} points outside the workspace",
                hint="link a runbook inside the repository",
            )
    if target is None:
        return Resolution(
            "no-file",
            raw,
            message=f"runbook_url {raw!r} resolves to no file",
            hint=f"create the runbook (tried {_tried(base, path_part, root)}) or fix the URL",
        )
    return Resolution("ok", raw, target=target, anchor=fragment or None)


def check_anchor(
    resolution: Resolution, anchors_of: Callable[[str], set[str] | None], root: str
) -> Resolution:
    """``resolution`` (a runbook found), or why its ``#anchor`` names no heading of the file."""
    target, fragment = resolution.target, resolution.anchor
    if resolution.status != "ok" or target is None or not fragment:
        return resolution
    anchors = anchors_of(target)
    if anchors is None or fragment in anchors or fragment.lower() in anchors:
        return resolution
    raw = resolution.url
    rel = os.path.relpath(target, root)
    return Resolution(
        "no-anchor",
        raw,
        target=target,
        anchor=fragment,
        message=f"runbook_url {raw!r}: {rel} has no heading with anchor '#{fragment}'",
        hint="link an existing heading (lowercase, spaces as hyphens)",
    )


@lru_cache(maxsize=4096)
def _realpath(path: str) -> str:
    return os.path.realpath(path)


def _candidates(path: str) -> Iterator[str]:
    # a generator: the first candidate is usually the file, the rest are never built
    path = path.strip()
    if path in ("", ".") or path.endswith("/"):
        yield from (os.path.join(path, name) for name in INDEX_NAMES)
        return
    stem, ext = os.path.splitext(path)
    if ext.lower() in (".md", ".markdown"):
        yield path
        return
    if ext.lower() in (".html", ".htm"):
        yield stem + ".md"
        folder = os.path.dirname(stem) if os.path.basename(stem) == "index" else stem
        yield from (os.path.join(folder, n) for n in INDEX_NAMES)
        return
    yield path + ".md"
    yield from (os.path.join(path, n) for n in INDEX_NAMES)


def _find_file(base: str, path: str, case_insensitive: bool) -> tuple[str, bool] | None:
    """The file ``path`` (relative to ``base``) leads to, and whether it is a symlink."""
    for candidate in _candidates(path):
        full = os.path.normpath(os.path.join(base, candidate))
        link = _symlinked_file(full)
        if link is not None:
            return full, link
        if case_insensitive:
            found = _find_case_insensitive(base, candidate)
            if found is not None:
                return found, os.path.islink(found)
    return None


def _symlinked_file(path: str) -> bool | None:
    """None when ``path`` is not a file (a symlink to one is), else whether it is a symlink:
    a plain file costs one ``lstat``."""
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return False
    return True if stat.S_ISLNK(mode) and os.path.isfile(path) else None


def _find_case_insensitive(base: str, relative: str) -> str | None:
    current = os.path.normpath(base)
    for part in os.path.normpath(relative).split(os.sep):
        if part in ("", "."):
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        try:
            entries = os.listdir(current)
        except OSError:
            return None
        match = next((e for e in entries if e == part), None) or next(
            (e for e in sorted(entries) if e.lower() == part.lower()), None
        )
        if match is None:
            return None
        current = os.path.join(current, match)
    return current if os.path.isfile(current) else None


def _tried(base: str, path: str, root: str) -> str:
    names = [
        os.path.relpath(os.path.normpath(os.path.join(base, c)), root) for c in _candidates(path)
    ]
    return ", ".join(names[:2]) + (", ..." if len(names) > 2 else "")


_CAMEL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+$")
_CODE = re.compile(r"^`([A-Za-z_:][A-Za-z0-9_:]*)`$")


def alert_name_heading(text: str) -> str | None:
    """The alert a heading names (```KubePodCrashLooping``` or a CamelCase word), or None."""
    text = text.strip()
    code = _CODE.match(text)
    if code is not None:
        return code.group(1)
    if _CAMEL.match(text):
        return text
    return None
