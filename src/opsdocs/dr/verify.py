"""``opsdocs dr verify``: a drill from evidence, for real.

For a restic job with a repository, restore the latest snapshot of the job into a fresh temporary
folder (never over live data; the folder is removed afterwards), check what came back (a file
count, a checksum list, a command the plan names, run as an argument list), time it, and record
the drill like ``opsdocs dr drill``: the achieved RTO is how long the restore and its check took,
the achieved RPO how old the snapshot was when the restore started.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opsdocs.dr.drills import DrillResult, VerifyRecord
    from opsdocs.dr.evidence import Snapshot
    from opsdocs.dr.spec import BackupJob, System
    from opsdocs.workspace import Workspace

__all__ = ["verify_restore"]

#: The placeholder of a check command's arguments replaced by the restored folder.
RESTORED = "{restored}"


@dataclass(frozen=True)
class _Outcome:
    check: str
    passed: bool
    detail: str | None


def _pick_job(system: System, name: str | None) -> BackupJob:
    from opsdocs.errors import UsageError

    restic = [j for j in system.backups if j.tool == "restic" and j.repository]
    if name is not None:
        for job in system.backups:
            if job.name == name:
                if job not in restic:
                    raise UsageError(
                        f"job {name!r} of {system.name!r} is not a restic job with a repository",
                        hint="give it 'tool: restic' and 'repository:' in the plan",
                    )
                return job
        names = ", ".join(j.name for j in system.backups) or "none"
        raise UsageError(
            f"system {system.name!r} has no backup job {name!r}", hint=f"its jobs: {names}"
        )
    if not restic:
        raise UsageError(
            f"system {system.name!r} has no restic job with a repository to restore from",
            hint="give one of its backup jobs 'tool: restic' and 'repository:' in the plan",
        )
    if len(restic) > 1:
        raise UsageError(
            f"system {system.name!r} has {len(restic)} restic jobs",
            hint=f"choose one with --job ({', '.join(j.name for j in restic)})",
        )
    return restic[0]


def _files(folder: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(folder))


def _base(target: Path, snapshot: Snapshot) -> Path:
    """Where the snapshot's one backed-up folder lands in ``target`` (``target`` with several)."""
    if len(snapshot.paths) == 1:
        return target / snapshot.paths[0].lstrip("/")
    return target


def _checksums(listing: Path, shown: str, base: Path, target: Path) -> _Outcome:
    """Every file of a ``sha256sum`` list (paths relative to the backed-up folder, or absolute
    as backed up) restored with its checksum."""
    from opsdocs.errors import InputError
    from opsdocs.fileio import read_regular

    try:
        text = read_regular(listing, 16 << 20).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the checksum list: {exc}", path=shown) from None
    wanted: list[tuple[str, str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, name = line.partition(" ")
        name = name.lstrip(" ").removeprefix("*")
        if len(digest) != 64 or not name or any(c not in "0123456789abcdef" for c in digest):
            raise InputError(
                "not a sha256sum line",
                path=shown,
                line=number,
                hint="write lines as 'sha256sum' prints them: the hash, two spaces, the path",
            )
        wanted.append((digest, name, number))
    check = f"checksums {shown} ({len(wanted)} files)"
    for digest, name, _ in wanted:
        path = target / name.lstrip("/") if name.startswith("/") else base / name
        if not path.is_file():
            return _Outcome(check, False, f"{name} was not restored")
        with path.open("rb") as handle:
            found = hashlib.file_digest(handle, "sha256").hexdigest()
        if found != digest:
            return _Outcome(check, False, f"{name} has another checksum")
    return _Outcome(check, True, None)


def _command(argv: list[str], base: Path, timeout: float) -> _Outcome:
    import shutil

    from opsdocs.dr.evidence import run_program
    from opsdocs.errors import InputError
    from opsdocs.sanitize import escape_line

    args = [a.replace(RESTORED, str(base)) for a in argv]
    program = shutil.which(args[0])
    if program is None:
        raise InputError(
            f"the verify command {argv[0]!r} is not installed",
            hint="install it, or change 'verify.command' in the plan",
        )
    check = f"command {argv[0]}"
    done = run_program([program, *args[1:]], cwd=base, timeout=timeout)
    if done is None:
        return _Outcome(check, False, f"did not finish within {timeout:g}s")
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = escape_line(lines[-1].strip()) if lines else ""
        detail = f"exit code {done.returncode}" + (f": {reason}" if reason else "")
        return _Outcome(check, False, detail)
    return _Outcome(check, True, None)


def _check(
    workspace: Workspace, job: BackupJob, target: Path, snapshot: Snapshot, timeout: float
) -> list[_Outcome]:
    files = _files(target)
    rule = job.verify
    minimum = rule.files if rule is not None and rule.files is not None else 1
    outcomes = [
        _Outcome(
            f"files >= {minimum}",
            files >= minimum,
            None if files >= minimum else f"{files} file(s) restored",
        )
    ]
    if rule is None:
        return outcomes
    base = _base(target, snapshot)
    if rule.checksums is not None:
        listing = workspace.root / rule.checksums
        outcomes.append(_checksums(listing, rule.checksums, base, target))
    if rule.command is not None:
        outcomes.append(_command(rule.command, base if base.is_dir() else target, timeout))
    return outcomes


def verify_restore(
    workspace: Workspace,
    system: str,
    *,
    job: str | None = None,
    notes: str | None = None,
    timeout: float = 3600.0,
) -> DrillResult:
    """Restore the latest snapshot of ``system``'s restic job into a fresh temporary folder,
    check it, and record the drill. Nothing is written when restic cannot be run (missing
    repository, wrong password) or the plan's check cannot be (a missing command or list)."""
    import tempfile

    from opsdocs.dr.drills import VerifyRecord, find_system, record_drill
    from opsdocs.dr.evidence import restic_command, run_restic
    from opsdocs.dr.spec import load_plan
    from opsdocs.errors import InputError

    _, plan = load_plan(workspace)
    target_system = find_system(plan, system)
    chosen = _pick_job(target_system, job)
    listing = ["--no-cache", "snapshots", "--json", "--no-lock", "--tag", chosen.snapshot_tag]
    found = run_restic(chosen, listing, cwd=workspace.root)
    if not found:
        raise InputError(
            f"restic repository {chosen.repository!r} has no snapshot tagged "
            f"{chosen.snapshot_tag!r}",
            hint="back it up first, or set the job's 'tag' to the one its snapshots carry",
        )
    latest = max(found, key=lambda s: s.time)
    with tempfile.TemporaryDirectory(prefix="opsdocs-verify-") as folder:
        target = Path(folder) / "restore"
        target.mkdir()  # fresh and empty: a restore never lands on live data
        started = dt.datetime.now(dt.UTC)
        restore = ["--no-cache", "restore", latest.short_id, "--target", str(target), "--no-lock"]
        restic_command(chosen, restore, cwd=workspace.root, timeout=timeout)
        outcomes = _check(workspace, chosen, target, latest, timeout)
        restored = dt.datetime.now(dt.UTC)
        files = _files(target)
    failed = next((o for o in outcomes if not o.passed), None)
    record: VerifyRecord = VerifyRecord(
        job=chosen.name,
        snapshot=latest.short_id,
        files=files,
        check="; ".join(o.check for o in outcomes),
        passed=failed is None,
        detail=f"{failed.check}: {failed.detail}" if failed is not None else None,
    )
    return record_drill(
        workspace,
        target_system.name,
        started=started.replace(microsecond=0),
        restored=restored.replace(microsecond=0),
        data_as_of=latest.time.replace(microsecond=0),
        notes=notes,
        verify=record,
    )
