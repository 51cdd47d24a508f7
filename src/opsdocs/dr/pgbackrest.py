"""pgBackRest evidence: the output of ``pgbackrest info --output=json``.

The output is a list of stanzas; each lists the backups its repositories keep (``backup[]``), with
``timestamp.start``/``timestamp.stop`` in seconds since the epoch (UTC by definition), ``type``
(full, diff, incr), ``label``, ``info.size`` and an ``error`` flag (set when the backup found page
checksum errors). Every backup listed is a run that finished; one with ``error: true`` counts as
failed. A backup belongs to the pgbackrest job whose ``stanza`` (default: the job's name) is its
stanza.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from opsdocs.errors import InputError

if TYPE_CHECKING:
    from opsdocs.dr.runs import Run

__all__ = ["looks_like_pgbackrest", "pgbackrest_runs"]

_HINT = "give the output of 'pgbackrest info --output=json'"


def looks_like_pgbackrest(data: Any) -> bool:
    """Whether ``data`` (parsed JSON) has the shape of ``pgbackrest info --output=json``."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(s, dict) and "name" in s and "backup" in s for s in data)
    )


def _epoch(value: Any, *, where: str, what: str) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(
            f"{where}: {what} {value!r} is not a time in seconds since the epoch",
            hint=_HINT,
        )
    return dt.datetime.fromtimestamp(value, dt.UTC)


def pgbackrest_runs(data: Any, *, where: str) -> list[Run]:
    """The backups of every stanza of ``data``, stanzas with a name and backups
    (:func:`looks_like_pgbackrest`), as runs tagged with their stanza; InputError on bad shape."""
    from opsdocs.dr.runs import Run

    runs = []
    for number, stanza in enumerate(data):
        if not isinstance(stanza["name"], str):
            raise InputError(f"{where}: stanza {number} has no 'name'", hint=_HINT)
        name = stanza["name"]
        backups = stanza.get("backup") or []
        if not isinstance(backups, list):
            raise InputError(f"{where}: stanza {name!r}: 'backup' is not a list", hint=_HINT)
        for index, backup in enumerate(backups):
            label = backup.get("label") if isinstance(backup, dict) else None
            what = f"stanza {name!r} backup {label or index}"
            stamp = backup.get("timestamp") if isinstance(backup, dict) else None
            if not isinstance(stamp, dict) or "stop" not in stamp:
                raise InputError(f"{where}: {what} has no timestamp.stop", hint=_HINT)
            stop = _epoch(stamp["stop"], where=where, what=f"{what} timestamp.stop")
            info = backup.get("info")
            size = info.get("size") if isinstance(info, dict) else None
            runs.append(
                Run(
                    None,
                    None,
                    stop,
                    backup.get("error") is not True,
                    size if isinstance(size, int) and not isinstance(size, bool) else None,
                    (name,),
                    where,
                    tool="pgbackrest",
                )
            )
    return runs
