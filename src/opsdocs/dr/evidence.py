"""Backup evidence: the runs of backup jobs, read from the tools teams already run.

Each reader is a small adapter returning :class:`Run` records, attributed to the plan's jobs by
tool and name (:func:`attribute`):

* restic: the output of ``restic snapshots --json`` (a file, or restic run against a configured
  repository); every snapshot is a successful run of the restic job whose tag it carries;
* pgBackRest: ``pgbackrest info --output=json`` (:mod:`opsdocs.dr.pgbackrest`), by stanza;
* Velero: ``velero backup get -o json`` (:mod:`opsdocs.dr.velero`), by schedule.

A generic log, CSV or JSON Lines, with the fields ``system, job, finished_at, status, size``, is
not read into Python: :mod:`opsdocs.dr.summary` summarises it where it is, with DuckDB.

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
from typing import TYPE_CHECKING, Any

from opsdocs.dr.runs import Run, parse_timestamp
from opsdocs.errors import InputError

if TYPE_CHECKING:
    import subprocess

    from opsdocs.dr.spec import BackupJob, DisasterRecoveryFrontMatter

__all__ = [
    "FAILED_STATUSES",
    "JSONL_SUFFIXES",
    "LOG_FIELDS",
    "LOG_SUFFIXES",
    "OK_STATUSES",
    "EvidenceFiles",
    "Run",
    "Snapshot",
    "attribute",
    "check_log_row",
    "parse_restic_snapshots",
    "parse_timestamp",
    "read_evidence",
    "restic_command",
    "run_program",
    "run_restic",
    "snapshot_runs",
    "tool_runs",
]

OK_STATUSES = ("success", "succeeded", "ok", "completed")
FAILED_STATUSES = ("failed", "failure", "error", "partial")
LOG_FIELDS = ("system", "job", "finished_at", "status")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
LOG_SUFFIXES = (".csv", ".csv.gz", *JSONL_SUFFIXES)


@dataclass(frozen=True)
class Snapshot:
    """A restic snapshot: its time, tags and id."""

    time: dt.datetime
    tags: tuple[str, ...]
    short_id: str
    paths: tuple[str, ...] = ()  # the folders and files backed up


def parse_restic_snapshots(text: str, *, where: str, data: Any = None) -> list[Snapshot]:
    """The snapshots of ``restic snapshots --json`` output (``data``: that output already
    parsed); InputError when it is not that."""
    if data is None:
        data = _json(text, where, hint="give the complete output of 'restic snapshots --json'")
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
        paths = item.get("paths") or []
        snapshots.append(
            Snapshot(
                time=parse_timestamp(item["time"], where=where, what=f"snapshot {index} time"),
                tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
                short_id=str(item.get("short_id") or item.get("id", ""))[:8],
                paths=tuple(str(p) for p in paths) if isinstance(paths, list) else (),
            )
        )
    return snapshots


def _json(text: str, where: str, *, hint: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            hint=hint,
        ) from None


def snapshot_runs(snapshots: Iterable[Snapshot], source: str) -> list[Run]:
    """Restic snapshots as successful runs, attributed to jobs by tag."""
    return [Run(None, None, s.time, True, None, s.tags, source, "restic") for s in snapshots]


#: A restic repository location that is not a local path: ``s3:...``, ``sftp:...``, ...
_REMOTE = re.compile(r"^[a-z][a-z0-9]+:")


def run_restic(
    job: BackupJob,
    args: Sequence[str] = ("snapshots", "--json", "--no-lock"),
    *,
    cwd: Path,
    timeout: float = 120.0,
) -> list[Snapshot]:
    """The snapshots of ``job``'s restic repository, by running ``restic snapshots --json``
    (``args``: that command, with any option it needs)."""
    out = restic_command(job, args, cwd=cwd, timeout=timeout)
    return parse_restic_snapshots(out, where=f"restic repository {job.repository!r}")


def restic_command(job: BackupJob, args: Sequence[str], *, cwd: Path, timeout: float) -> str:
    """The standard output of ``restic -r REPOSITORY ARGS...`` for ``job``'s repository (an
    argument list, no shell). The password comes from the job's ``password_file``, relative to
    ``cwd``, or the variable ``password_env`` (default ``RESTIC_PASSWORD``), never from the
    command line. A missing restic, repository, password, a wrong password or a failure is one
    :class:`InputError`."""
    import shutil

    from opsdocs.sanitize import escape_line

    repository, password_file = job.repository or "", job.password_file
    where = f"restic repository {repository!r}"
    restic = shutil.which("restic")
    if restic is None:
        raise InputError(
            f"{where}: restic is not installed",
            hint="install restic, or pass its 'snapshots --json' output with --evidence",
        )
    if not _REMOTE.match(repository) and not (cwd / repository / "config").is_file():
        raise InputError(
            f"{where}: no restic repository there",
            hint="check 'repository' in the plan (a path is relative to the workspace root)",
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESTIC_")}
    if password_file is not None:
        secret = cwd / password_file
        if not secret.is_file():
            raise InputError(
                f"{where}: the password file {password_file} does not exist",
                hint="write the repository password into it, or fix 'password_file'",
            )
        env["RESTIC_PASSWORD_FILE"] = str(secret)
    else:
        variable = job.password_env or "RESTIC_PASSWORD"
        password = os.environ.get(variable)
        if password is None:
            raise InputError(
                f"{where}: the environment variable {variable} is not set",
                hint=f"export {variable} with the repository password",
            )
        env["RESTIC_PASSWORD"] = password
    done = run_program([restic, "-r", repository, *args], cwd=cwd, timeout=timeout, env=env)
    if done is None:
        raise InputError(
            f"{where}: restic did not answer within {timeout:g}s",
            hint="check that the repository is reachable",
        )
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        fatal = [line for line in lines if line.startswith("Fatal:")]
        last = fatal[0] if fatal else lines[-1] if lines else f"exit code {done.returncode}"
        raise InputError(
            f"{where}: restic failed: {escape_line(last)}",
            hint="check the repository and its password",
        )
    return done.stdout


def run_program(
    argv: Sequence[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str] | None:
    """``argv`` run as an argument list (no shell) in ``cwd``, its output captured as text;
    None when it does not finish within ``timeout`` seconds."""
    import subprocess

    try:
        return subprocess.run(
            list(argv), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None


def _status(value: Any, where: str) -> bool:
    text = str(value).strip().lower()
    if text in OK_STATUSES:
        return True
    if text in FAILED_STATUSES:
        return False
    raise InputError(
        f"{where}: status {value!r} is neither a success nor a failure",
        hint="use success or failed",
    )


def check_log_row(values: Sequence[Any], *, where: str) -> None:
    """Raise the InputError a generic-log row (system, job, finished_at, status, size) earns;
    return when the row is fine."""
    system, job, finished, status, size = values
    for name, value in zip(LOG_FIELDS, (system, job, finished, status), strict=True):
        if value is None or not str(value).strip():
            raise InputError(f"{where}: {name} is empty", hint=f"give every run a {name}")
    parse_timestamp(str(finished), where=where, what="finished_at")
    _status(status, where)
    if size is not None and str(size).strip():
        try:
            int(str(size).strip())
        except ValueError:
            raise InputError(f"{where}: size {size!r} is not a number of bytes") from None


def _shown(path: str, root: Path) -> str:
    try:
        return os.path.relpath(path, root) if os.path.abspath(path).startswith(str(root)) else path
    except ValueError:
        return path


@dataclass(frozen=True)
class EvidenceFiles:
    """What evidence files hold: runs from the tools' own JSON (attributed to jobs by tool and
    name), and the generic logs, which DuckDB summarises where they are."""

    runs: list[Run]
    logs: list[str]


_JSON_HINT = (
    "give the complete output of 'restic snapshots --json', 'pgbackrest info --output=json' "
    "or 'velero backup get -o json'"
)


def tool_runs(text: str, *, where: str) -> list[Run]:
    """The runs in one tool's JSON output, the tool told by the shape: restic snapshots,
    pgBackRest info or Velero backups."""
    from opsdocs.dr.pgbackrest import looks_like_pgbackrest, pgbackrest_runs
    from opsdocs.dr.velero import looks_like_velero, velero_runs

    data = _json(text, where, hint=_JSON_HINT)
    if looks_like_pgbackrest(data):
        return pgbackrest_runs(data, where=where)
    if looks_like_velero(data):
        return velero_runs(data, where=where)
    if isinstance(data, list) and all(isinstance(i, dict) and "backup" not in i for i in data):
        return snapshot_runs(parse_restic_snapshots(text, where=where, data=data), where)
    raise InputError(f"{where}: cannot tell which tool wrote this JSON", hint=_JSON_HINT)


def read_evidence(paths: Sequence[str], *, root: Path) -> EvidenceFiles:
    """The evidence files: ``.json`` is a tool's JSON output (restic, pgBackRest, Velero),
    ``.csv``, ``.jsonl`` and ``.ndjson`` (optionally gzipped) are generic logs."""
    runs: list[Run] = []
    logs: list[str] = []
    for path in paths:
        shown = _shown(path, root)
        if path.endswith(".json"):
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"{shown}: cannot read: {exc.strerror}") from None
            except UnicodeDecodeError:
                raise InputError(f"{shown}: not UTF-8 text", hint=_JSON_HINT) from None
            runs.extend(tool_runs(text, where=shown))
        elif path.endswith(LOG_SUFFIXES):
            if not os.path.isfile(path):
                raise InputError(f"{shown}: no such file", hint="check the --evidence path")
            logs.append(path)
        else:
            raise InputError(
                f"{shown}: cannot tell the evidence format from the file name",
                hint="use .json for a tool's JSON output (restic, pgBackRest, Velero), "
                ".csv or .jsonl for a backup log",
            )
    return EvidenceFiles(runs, logs)


def attribute(runs: Iterable[Run], plan: DisasterRecoveryFrontMatter) -> list[Run]:
    """The runs with their system and job: a tool's run belongs to every job of that tool whose
    evidence name (restic tag, pgBackRest stanza, Velero schedule) it carries."""
    from dataclasses import replace

    jobs = [
        (system.name, job.name, job.tool.lower(), job.evidence_name)
        for system in plan.systems
        for job in system.backups
    ]
    found = []
    for run in runs:
        if run.system is not None:
            found.append(run)
            continue
        for system, job, tool, name in jobs:
            if tool == run.tool and name in run.tags:
                found.append(replace(run, system=system, job=job))
    return found
