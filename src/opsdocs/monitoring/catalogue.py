"""The alert catalogue: every alerting rule, with where it is written.

Alerts come from Prometheus rule files and ``PrometheusRule`` manifests (several YAML documents
per file allowed), from a running Prometheus (``/api/v1/rules``), and from the SLO documents
(the alerts ``opsdocs slo rules`` generates). Each alert keeps its group, file, line, expression,
``for``, labels and annotations, and the positions of the keys the AL rules point at.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from opsdocs.errors import InputError
from opsdocs.yamlio import KeyPath, YamlData, load_yaml_all

if TYPE_CHECKING:
    from opsdocs.cache import Cache

__all__ = [
    "Alert",
    "Catalogue",
    "RuleFile",
    "alerts_from_api",
    "expand_rule_files",
    "load_rule_file",
    "parse_rule_text",
]

#: Largest rule file read (the same bound as documents).
MAX_RULE_FILE_BYTES = 11 * 1024 * 1024

Source = Literal["file", "prometheus", "slo"]

_SLO_SERVICE = re.compile(r'slo_service="([^"]+)"')


@dataclass(frozen=True)
class Alert:
    """One alerting rule as the catalogue knows it."""

    name: str
    group: str
    file: str  # path relative to the workspace root (or the server's file name)
    line: int
    col: int
    expr: str
    for_: str | None
    labels: dict[str, str]
    annotations: dict[str, str]
    source: Source = "file"
    #: (line, col) of keys the AL rules report at: "expr", "for", "labels.severity",
    #: "annotations.runbook_url", "annotations" ...
    positions: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    def at(self, key: str) -> tuple[int, int]:
        """Position of ``key`` of this rule (the rule's own line when not written out)."""
        return self.positions.get(key, (self.line, self.col))

    @property
    def runbook_url(self) -> str | None:
        value = self.annotations.get("runbook_url")
        return value if value else None

    @property
    def service(self) -> str | None:
        """The ``service`` label; for SLO alerts, the SLO's service (from its selector)."""
        found = self.label("service") or self.label("slo_service")
        if found is None and self.source == "slo":
            match = _SLO_SERVICE.search(self.expr)
            found = match.group(1) if match else None
        return found

    def label(self, name: str) -> str | None:
        value = self.labels.get(name)
        return value if value else None


@dataclass
class RuleFile:
    """A parsed rule file: its alerts, the names of its recording rules, and what was wrong."""

    path: str  # relative to the root
    abspath: str
    alerts: list[Alert] = field(default_factory=list)
    records: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    #: (document, group name, rule number from 1) -> (line, col) of the rule and of its expr,
    #: to put promtool's "group G, rule N" messages at the rule's line
    rule_lines: dict[tuple[int, str, int], tuple[int, int, int, int]] = field(default_factory=dict)
    #: groups of each YAML document, in promtool's plain shape (None: the file itself is plain)
    documents: list[tuple[int, list[dict[str, Any]], bool]] = field(default_factory=list)

    def problem(self, document: YamlData, key_path: KeyPath, message: str, hint: str) -> None:
        """Record what is wrong at ``key_path`` (or its nearest parent) of a YAML document."""
        line, col = document.position(key_path) or (1, 1)
        self.errors.append(InputError(message, path=self.path, line=line, col=col, hint=hint))


@dataclass
class Catalogue:
    """All alerts, the rule files they came from, and problems found while reading them."""

    alerts: list[Alert] = field(default_factory=list)
    files: list[RuleFile] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def expand_rule_files(root: Path, patterns: Iterable[str]) -> list[Path]:
    """Files matched by ``patterns`` (globs relative to ``root``, ``**`` allowed), each once."""
    seen: set[str] = set()
    found: list[Path] = []
    for pattern in patterns:
        full = pattern if os.path.isabs(pattern) else os.path.join(root, pattern)
        for name in sorted(glob.glob(full, recursive=True)):
            real = os.path.realpath(name)
            if real in seen or not os.path.isfile(name):
                continue
            seen.add(real)
            found.append(Path(name))
    return found


def load_rule_file(path: Path, root: Path, cache: Cache | None = None) -> RuleFile:
    """Read one rule file; problems are collected on the result, never raised.

    With ``cache``, a file whose bytes are unchanged since a run saved it is not parsed again:
    what parsing found (alerts with their key positions, records, problems, promtool's rule
    lines) is read back from the cache.
    """
    rel = _relative(path, root)
    result = RuleFile(path=rel, abspath=os.path.abspath(path))
    from opsdocs.fileio import FileTooLargeError, limit_hint, read_regular, size_text

    try:
        if not path.is_file():
            raise InputError("not a regular file", path=rel, hint="point rule_files at YAML files")
        # the limit is max_file_size when the configuration sets one
        raw = read_regular(path, MAX_RULE_FILE_BYTES)
        text = raw.decode("utf-8")
    except FileTooLargeError as exc:
        result.errors.append(
            InputError(
                f"file is too large to be a rule file ({size_text(exc.size)})",
                path=rel,
                hint=limit_hint(exc.limit, "rule files"),
            )
        )
        return result
    except UnicodeDecodeError:
        result.errors.append(InputError("not UTF-8 text", path=rel, hint="save it as UTF-8"))
        return result
    except OSError as exc:
        result.errors.append(InputError(f"cannot read: {exc.strerror}", path=rel))
        return result
    except InputError as exc:
        result.errors.append(exc)
        return result
    if cache is None:
        return parse_rule_text(text, result)
    from opsdocs.cache import content_hash

    digest = content_hash(raw)
    entry = cache.get(rel, digest)
    if entry is not None:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            return _from_json(entry["file"], RuleFile(path=rel, abspath=result.abspath))
    parse_rule_text(text, result)
    saved = _to_json(result)
    if saved is None:
        cache.forget(rel)
    else:
        cache.put(rel, digest, {"file": saved})
    return result


def parse_rule_text(text: str, result: RuleFile) -> RuleFile:
    """Fill ``result`` from the YAML ``text`` of a rule file (plain or PrometheusRule)."""
    generated = text.startswith("# Code generated by opsdocs")  # by 'opsdocs slo rules'
    try:
        documents = list(load_yaml_all(text, path=result.path))
    except InputError as exc:
        result.errors.append(exc)
        return result
    rules_seen = False
    for number, document in enumerate(documents):
        if document.value is None:
            continue
        found = _document_groups(document, number, result)
        rules_seen = rules_seen or found
    if generated:
        # rules 'opsdocs slo rules' wrote: known as SLO alerts wherever they are read from
        result.alerts = [dataclasses.replace(a, source="slo") for a in result.alerts]
    if not rules_seen and not result.errors:
        result.errors.append(
            InputError(
                "no rule groups: neither a Prometheus rule file ('groups:') nor a PrometheusRule",
                path=result.path,
                line=1,
                col=1,
                hint="list only rule files in [monitoring] rule_files",
            )
        )
    return result


def _document_groups(document: YamlData, number: int, result: RuleFile) -> bool:
    value = document.value
    if not isinstance(value, dict):
        result.problem(
            document,
            (),
            "not a rule file: expected a mapping with 'groups'",
            "a rule file starts with 'groups:'",
        )
        return False
    kind = value.get("kind")
    if kind is not None and "groups" not in value:
        if kind != "PrometheusRule":
            return False  # another Kubernetes object in a bundle: not ours to read
        spec = value.get("spec")
        groups = spec.get("groups") if isinstance(spec, dict) else None
        if not isinstance(groups, list) or not groups:
            result.problem(
                document,
                ("spec",),
                "PrometheusRule has no spec.groups",
                "add the rule groups under spec.groups",
            )
            return True
        _read_groups(groups, ("spec", "groups"), document, number, result)
        result.documents.append((number, groups, False))
        return True
    if "groups" not in value:
        result.problem(
            document,
            (),
            "not a rule file: no 'groups' key",
            "a rule file starts with 'groups:'; list only rule files in rule_files",
        )
        return False
    groups = value["groups"]
    if groups is None:
        return True
    if not isinstance(groups, list):
        result.problem(
            document, ("groups",), "'groups' must be a list", "write each group as '- name: ...'"
        )
        return True
    _read_groups(groups, ("groups",), document, number, result)
    result.documents.append((number, groups, True))
    return True


def _read_groups(
    groups: list[Any],
    prefix: tuple[str, ...],
    document: YamlData,
    number: int,
    result: RuleFile,
) -> None:
    for g_index, group in enumerate(groups):
        g_path: KeyPath = (*prefix, g_index)
        g_line, g_col = document.position(g_path) or (1, 1)
        if not isinstance(group, dict) or not isinstance(group.get("name"), str):
            result.problem(
                document,
                g_path,
                "a rule group needs a 'name'",
                "write '- name: my-group' with its 'rules:'",
            )
            continue
        name = group["name"]
        rules = group.get("rules") or []
        if not isinstance(rules, list):
            result.problem(
                document,
                (*g_path, "rules"),
                f"group {name!r}: 'rules' must be a list",
                "write each rule as '- alert: ...' or '- record: ...'",
            )
            continue
        for r_index, rule in enumerate(rules):
            r_path: KeyPath = (*g_path, "rules", r_index)
            line, col = document.position(r_path) or (g_line, g_col)
            e_line, e_col = document.positions.get((*r_path, "expr"), (line, col))
            result.rule_lines[(number, name, r_index + 1)] = (line, col, e_line, e_col)
            if not isinstance(rule, dict):
                result.problem(
                    document,
                    r_path,
                    f"group {name!r}: rule {r_index + 1} is not a mapping",
                    "each rule has 'alert' or 'record' and 'expr'",
                )
                continue
            if isinstance(rule.get("record"), str):
                result.records.append(rule["record"])
                continue
            alert = rule.get("alert")
            if not isinstance(alert, str) or not alert:
                result.problem(
                    document,
                    r_path,
                    f"group {name!r}: rule {r_index + 1} has neither 'alert' nor 'record'",
                    "name the rule with 'alert:' (or 'record:')",
                )
                continue
            positions: dict[str, tuple[int, int]] = {}
            for key in ("expr", "for", "labels", "annotations"):
                pos = document.positions.get((*r_path, key))
                if pos is not None:
                    positions[key] = pos
            for key in ("labels", "annotations"):
                inner = rule.get(key)
                if isinstance(inner, dict):
                    for sub in inner:
                        pos = document.positions.get((*r_path, key, sub))
                        if pos is not None:
                            positions[f"{key}.{sub}"] = pos
            result.alerts.append(
                Alert(
                    name=alert,
                    group=name,
                    file=result.path,
                    line=line,
                    col=col,
                    expr=_text(rule.get("expr")),
                    for_=_duration_text(rule.get("for")),
                    labels=_string_map(rule.get("labels")),
                    annotations=_string_map(rule.get("annotations")),
                    positions=positions,
                )
            )


def _to_json(result: RuleFile) -> dict[str, Any] | None:
    """What parsing found in a rule file, as JSON-able data (None when it is not: a
    PrometheusRule document whose values JSON cannot hold)."""
    documents: list[list[Any]] = []
    for number, groups, plain in result.documents:
        whole = plain and len(result.documents) == 1
        # promtool reads a plain file itself; only PrometheusRule groups are written out
        documents.append([number, None if whole else groups, plain])
        if not whole:
            try:
                json.dumps(groups)
            except (TypeError, ValueError):
                return None
    return {
        "records": result.records,
        "errors": [[e.message, e.line, e.col, e.hint] for e in result.errors],
        "rule_lines": [[*key, *value] for key, value in result.rule_lines.items()],
        "documents": documents,
        # every field of each alert (its positions' pairs become JSON lists)
        "alerts": [vars(a) for a in result.alerts],
    }


def _from_json(data: dict[str, Any], result: RuleFile) -> RuleFile:
    """``result`` (path and abspath set) filled from :func:`_to_json`'s data."""
    result.records = [str(name) for name in data["records"]]
    result.errors = [
        InputError(message, path=result.path, line=line, col=col, hint=hint)
        for message, line, col, hint in data["errors"]
    ]
    result.rule_lines = {
        (number, group, rule): (line, col, e_line, e_col)
        for number, group, rule, line, col, e_line, e_col in data["rule_lines"]
    }
    result.documents = [
        (number, groups if groups is not None else [], plain)
        for number, groups, plain in data["documents"]
    ]
    result.alerts = [
        Alert(**{**fields, "positions": {k: (p[0], p[1]) for k, p in fields["positions"].items()}})
        for fields in data["alerts"]
    ]
    return result


def alerts_from_api(data: Any, *, origin: str) -> Iterator[Alert]:
    """Alerts in the ``data`` of a ``/api/v1/rules`` response (``groups[].rules[]`` of type
    alerting)."""
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise InputError(
            "unexpected /api/v1/rules response (no data.groups)",
            path=origin,
            hint="point prometheus_url at a Prometheus-compatible API",
        )
    for group in groups:
        if not isinstance(group, dict):
            continue
        file = str(group.get("file") or origin)
        for rule in group.get("rules") or []:
            if not isinstance(rule, dict) or rule.get("type") != "alerting":
                continue
            duration = rule.get("duration")
            for_ = None
            if isinstance(duration, int | float) and duration > 0:
                for_ = _seconds_text(int(duration))
            yield Alert(
                name=str(rule.get("name", "")),
                group=str(group.get("name", "")),
                file=file,
                line=1,
                col=1,
                expr=_text(rule.get("query")),
                for_=for_,
                labels=_string_map(rule.get("labels")),
                annotations=_string_map(rule.get("annotations")),
                source="prometheus",
            )


def _seconds_text(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _duration_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): _text(v) for k, v in value.items()}


def _relative(path: Path, root: Path) -> str:
    absolute = os.path.abspath(path)
    base = os.path.abspath(root)
    if absolute.startswith(base + os.sep):
        return absolute[len(base) + 1 :].replace(os.sep, "/")
    return absolute
