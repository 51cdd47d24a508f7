"""Velero evidence: the output of ``velero backup get -o json``.

Velero prints one Backup object, or a ``List`` of them under ``items``. A backup's
``status.phase`` says how it ended: ``Completed`` is a success; ``PartiallyFailed``, ``Failed``
and ``FailedValidation`` are failures; the other phases (``New``, ``InProgress``,
``WaitingForPluginOperations``, ``Finalizing``, ``Deleting``...) have not finished and are left
out. A run finished at ``status.completionTimestamp`` (else ``status.startTimestamp``; a backup
with neither is left out). A backup belongs to the velero job whose ``velero_schedule`` (default:
the job's name) is the schedule that made it: the ``velero.io/schedule-name`` label. Velero
deletes a backup ``spec.ttl`` after it was made (a Go duration, ``720h0m0s``): that is how long
the copy is kept, held against the job's retention.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from opsdocs.errors import InputError

if TYPE_CHECKING:
    from opsdocs.dr.runs import Run

__all__ = ["SCHEDULE_LABEL", "looks_like_velero", "velero_runs"]

SCHEDULE_LABEL = "velero.io/schedule-name"
_OK = {"Completed"}
_FAILED = {"PartiallyFailed", "Failed", "FailedValidation"}
_HINT = "give the output of 'velero backup get -o json'"
#: One number and unit of a Go duration (Kubernetes' metav1.Duration: "720h0m0s", "1.5h").
_GO_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def looks_like_velero(data: Any) -> bool:
    """Whether ``data`` (parsed JSON) is a Velero Backup or a List of them."""
    if not isinstance(data, dict):
        return False
    return data.get("kind") in ("Backup", "BackupList") or (
        data.get("kind") == "List" and isinstance(data.get("items"), list)
    )


def _ttl(spec: Any, *, where: str, name: object) -> int | None:
    """A backup's ``spec.ttl`` in seconds (None: not given, or 0, which Velero replaces by its
    default when it makes the backup); InputError when it is not a Go duration."""
    value = spec.get("ttl") if isinstance(spec, dict) else None
    if value is None:
        return None
    parts = _GO_PART.findall(value) if isinstance(value, str) else []
    if not parts or "".join(n + u for n, u in parts) != value:
        raise InputError(
            f"{where}: backup {name!r} spec.ttl {value!r} is not a duration", hint=_HINT
        )
    return int(sum(float(n) * _GO_UNITS[u] for n, u in parts)) or None


def velero_runs(data: Any, *, where: str) -> list[Run]:
    """The finished backups of ``data``, a Velero Backup or List of them
    (:func:`looks_like_velero`), as runs tagged with their schedule; InputError on bad shape."""
    from opsdocs.dr.runs import Run, parse_timestamp

    items = data.get("items") if data.get("kind") != "Backup" else [data]
    if not isinstance(items, list):
        raise InputError(f"{where}: 'items' is not a list", hint=_HINT)
    runs = []
    for index, item in enumerate(items):
        meta = item.get("metadata") if isinstance(item, dict) else None
        status = item.get("status") if isinstance(item, dict) else None
        if not isinstance(meta, dict) or not isinstance(status, dict):
            raise InputError(f"{where}: item {index} is not a Velero Backup", hint=_HINT)
        name = meta.get("name") or index
        phase = status.get("phase")
        if phase not in _OK and phase not in _FAILED:
            continue  # not finished (or a phase this reader does not know)
        key = "completionTimestamp" if status.get("completionTimestamp") else "startTimestamp"
        stamp = status.get(key)
        if not stamp:
            continue  # failed before it started: no time to place it at
        if not isinstance(stamp, str):
            raise InputError(f"{where}: backup {name!r} status.{key} is not a time", hint=_HINT)
        when = parse_timestamp(stamp, where=where, what=f"backup {name!r} status.{key}")
        labels = meta.get("labels")
        schedule = labels.get(SCHEDULE_LABEL) if isinstance(labels, dict) else None
        runs.append(
            Run(
                None,
                None,
                when,
                phase in _OK,
                None,
                (str(schedule),) if schedule else (),
                where,
                tool="velero",
                kept_for=_ttl(item.get("spec"), where=where, name=name),
            )
        )
    return runs
