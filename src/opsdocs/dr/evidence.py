"""Backup evidence: the runs of backup jobs, read from the tools teams already run.

Each reader is a small adapter returning :class:`Run` records:

* restic: the output of ``restic snapshots --json`` (a file, or restic run against a configured
  repository); every snapshot is a successful run of the job whose tag it carries;
* a generic log, CSV or JSON Lines, with the fields ``system, job, finished_at, status, size``,
  read with DuckDB.

A time without a zone is an error: a backup's age is only right when its time is.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsdocs.errors import InputError

__all__ = [
    "Run",
    "Snapshot",
    "parse_restic_snapshots",
    "parse_timestamp",
    "read_evidence",
    "read_log",
    "run_restic",
    "snapshot_runs",
]

_ZONED = re.compile(r"(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)$")
_FRACTION = re.compile(r"(\.[0-9]{6})[0-9]+")
_OK = {"success", "succeeded", "ok", "completed"}
_FAILED = {"failed", "failure", "error", "partial"}
_LOG_FIELDS = ("system", "job", "finished_at", "status")


@dataclass(frozen=True)
class Run:
    """One run of a backup job: when it finished and whether it succeeded."""

    system: str | None  # None: attributed by tag (restic)
    job: str | None
    finished_at: dt.datetime
    ok: bool
    size: int | None = None
    tags: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Snapshot:
    """A restic snapshot: its time, tags and id."""

    time: dt.datetime
    tags: tuple[str, ...]
    short_id: str


def parse_timestamp(text: str, *, where: str, what: str = "timestamp") -> dt.datetime:
    """An ISO 8601 time with a zone, as UTC; InputError without a zone or when unreadable."""
    value = text.strip()
    if not _ZONED.search(value):
        raise InputError(
            f"{where}: {what} {value!r} has no time zone",
            hint="write times with a zone, e.g. 2026-11-30T02:00:00Z",
        )
    try:
        when = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", value))
    except ValueError:
        raise InputError(
            f"{where}: {what} {value!r} is not an ISO 8601 time",
            hint="write it like 2026-11-30T02:00:00Z",
        ) from None
    return when.astimezone(dt.UTC)


def parse_restic_snapshots(text: str, *, where: str) -> list[Snapshot]:
    """The snapshots of ``restic snapshots --json`` output; InputError when it is not that."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            hint="give the complete output of 'restic snapshots --json'",
        ) from None
    if not isinstance(data, list):
        raise InputError(
            f"{where}: expected a JSON list of snapshots",
            hint="give the output of 'restic snapshots --json'",
        )
    snapshots = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("time"), str):
            raise InputError(
                f"{where}: snapshot {index} has no 'time'",
                hint="give the output of 'restic snapshots --json'",
            )
        tags = item.get("tags") or []
        snapshots.append(
            Snapshot(
                time=parse_timestamp(item["time"], where=where, what=f"snapshot {index} time"),
                tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
                short_id=str(item.get("short_id") or item.get("id", ""))[:8],
            )
        )
    return snapshots


def _snapshot_runs(snapshots: Iterable[Snapshot], source: str) -> list[Run]:
    return [Run(None, None, s.time, True, None, s.tags, source) for s in snapshots]


def run_restic(
    repository: str,
    password_env: str | None,
    *,
    cwd: Path,
    timeout: float = 120.0,
) -> list[Snapshot]:
    """The snapshots of a restic repository, by running ``restic snapshots --json``.

    The password comes from the environment variable ``password_env`` (default
    ``RESTIC_PASSWORD``), never from the command line.
    """
    import shutil
    import subprocess

    from opsdocs.sanitize import escape_line

    where = f"restic repository {repository!r}"
    restic = shutil.which("restic")
    if restic is None:
        raise InputError(
            f"{where}: restic is not installed",
            hint="install restic, or pass its 'snapshots --json' output with --evidence",
        )
    variable = password_env or "RESTIC_PASSWORD"
    password = os.environ.get(variable)
    if password is None:
        raise InputError(
            f"{where}: the environment variable {variable} is not set",
            hint=f"export {variable} with the repository password",
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESTIC_")}
    env["RESTIC_PASSWORD"] = password
    try:
        done = subprocess.run(
            [restic, "-r", repository, "snapshots", "--json", "--no-lock"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(
            f"{where}: restic did not answer within {timeout:g}s",
            hint="check that the repository is reachable",
        ) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = escape_line(lines[-1].strip()) if lines else f"exit code {done.returncode}"
        raise InputError(
            f"{where}: restic failed: {reason}",
            hint="check the repository and its password",
        )
    return parse_restic_snapshots(done.stdout, where=where)


def _status(value: Any, where: str) -> bool:
    text = str(value).strip().lower()
    if text in _OK:
        return True
    if text in _FAILED:
        return False
    raise InputError(
        f"{where}: status {value!r} is neither a success nor a failure",
        hint="use success or failed",
    )


def read_log(paths: Sequence[str], *, root: Path) -> list[Run]:
    """The runs of generic backup logs (CSV, or JSON Lines for ``.jsonl``/``.ndjson``), with the
    fields ``system, job, finished_at, status`` and optionally ``size`` (bytes)."""
    from opsdocs.sources.files import connect, csv_header, csv_rejects, csv_relation, run_query

    runs: list[Run] = []
    for path in paths:
        shown = _shown(path, root)
        con = connect()
        try:
            if path.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
                rows = _jsonl_rows(con, path, shown)
            else:
                missing = [f for f in _LOG_FIELDS if f not in csv_header(path)]
                if missing:
                    raise InputError(
                        f"{shown}: the header has no {', '.join(missing)}",
                        hint="the columns are system, job, finished_at, status and size",
                    )
                size = "size" if "size" in csv_header(path) else "NULL"
                sql = f"SELECT system, job, finished_at, status, {size}, NULL FROM {csv_relation()}"
                rows = run_query(con, sql, [[path]])
                rejected, first = csv_rejects(con, root)
                if rejected:
                    raise InputError(
                        f"{first or shown}: a row does not fit the header",
                        hint="give every row the header's fields",
                    )
        finally:
            con.close()
        for number, (system, job, finished, status, size_text, line) in enumerate(rows, 1):
            where = f"{shown}:{line or number + 1}"
            for name, value in zip(_LOG_FIELDS, (system, job, finished, status), strict=True):
                if value is None or not str(value).strip():
                    raise InputError(f"{where}: {name} is empty", hint=f"give every run a {name}")
            runs.append(
                Run(
                    str(system),
                    str(job),
                    parse_timestamp(str(finished), where=where, what="finished_at"),
                    _status(status, where),
                    _size(size_text, where),
                    (),
                    shown,
                )
            )
    return runs


def _jsonl_rows(con: Any, path: str, shown: str) -> list[tuple[Any, ...]]:
    from opsdocs.sources.files import lines_relation, run_query

    sql = f"SELECT line, row_number() OVER () AS n FROM {lines_relation()} QUALIFY trim(line) <> ''"
    rows = []
    for line, number in run_query(con, sql, [[path]]):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{shown}:{number}: not valid JSON: {exc.msg}",
                hint="write one JSON object per line",
            ) from None
        if not isinstance(item, dict):
            raise InputError(f"{shown}:{number}: not a JSON object", hint="one object per line")
        rows.append(
            (
                item.get("system"),
                item.get("job"),
                item.get("finished_at"),
                item.get("status"),
                item.get("size"),
                number,
            )
        )
    return rows


def _size(value: Any, where: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        size = int(str(value).strip())
    except ValueError:
        raise InputError(f"{where}: size {value!r} is not a number of bytes") from None
    return size


def _shown(path: str, root: Path) -> str:
    try:
        return os.path.relpath(path, root) if os.path.abspath(path).startswith(str(root)) else path
    except ValueError:
        return path


def read_evidence(paths: Sequence[str], *, root: Path) -> list[Run]:
    """The runs in evidence files: ``.json`` is ``restic snapshots --json`` output, ``.csv``,
    ``.jsonl`` and ``.ndjson`` (optionally gzipped) are generic logs."""
    runs: list[Run] = []
    logs: list[str] = []
    for path in paths:
        shown = _shown(path, root)
        if path.endswith(".json"):
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"{shown}: cannot read: {exc.strerror}") from None
            runs.extend(_snapshot_runs(parse_restic_snapshots(text, where=shown), shown))
        elif path.endswith((".csv", ".csv.gz", ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
            if not os.path.isfile(path):
                raise InputError(f"{shown}: no such file", hint="check the --evidence path")
            logs.append(path)
        else:
            raise InputError(
                f"{shown}: cannot tell the evidence format from the file name",
                hint="use .json for 'restic snapshots --json', .csv or .jsonl for a backup log",
            )
    runs.extend(read_log(logs, root=root))
    return runs


def snapshot_runs(snapshots: Iterable[Snapshot], source: str) -> list[Run]:
    """Restic snapshots as successful runs, attributed to jobs by tag."""
    return _snapshot_runs(snapshots, source)
