"""``opsdocs dr status``: the plan held against backup evidence.

Per system and backup job: the last successful backup, its age at ``at``, whether the RPO is met,
the longest gap between successful backups in the look-back window (the RPO that actually held),
and the failed runs in the window. Per system: the effective RTO along ``depends_on`` (a system
is back only when what it depends on is back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.records import dicts, json_method

if TYPE_CHECKING:
    from opsdocs.documents.parse import Document
    from opsdocs.dr.runs import Run
    from opsdocs.dr.spec import BackupJob, DisasterRecoveryFrontMatter
    from opsdocs.dr.summary import JobEvidence
    from opsdocs.fileio import ChangeSet
    from opsdocs.workspace import Workspace

__all__ = [
    "JobStatus",
    "Status",
    "SystemStatus",
    "dr_status",
    "effective_rto",
    "job_status",
    "render_markdown",
    "render_table",
    "status_changes",
]


def _iso(when: dt.datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else None


@dataclass(frozen=True)
class JobStatus:
    """What the evidence says about one backup job at ``at``."""

    name: str
    tool: str
    schedule: str
    runs: int  # successful runs in the window
    failed: int  # failed runs in the window
    last_success: dt.datetime | None
    age: int | None  # seconds
    rpo_met: bool | None  # None: no RPO; False also without any successful run
    longest_gap: int | None  # seconds
    retention: str | None = None
    oldest_success: dt.datetime | None = None
    oldest_age: int | None = None  # seconds: how far back the kept copies reach
    retention_covered: bool | None = None  # None: no retention stated, or no evidence
    kept_for: int | None = None  # seconds the newest copy is kept (Velero's spec.ttl)

    @property
    def kept_too_short(self) -> bool:
        """The tool deletes the newest copy before the retention is up (Velero's spec.ttl)."""
        from opsdocs.durations import duration_seconds

        if self.retention is None or self.kept_for is None:
            return False
        return self.kept_for < duration_seconds(self.retention)

    as_dict = json_method(
        ("job", "name"),
        "tool",
        "schedule",
        ("last_success", _iso),
        ("age_seconds", "age"),
        "rpo_met",
        ("longest_gap_seconds", "longest_gap"),
        ("successful_runs", "runs"),
        ("failed_runs", "failed"),
        "retention",
        ("oldest_success", _iso),
        ("oldest_age_seconds", "oldest_age"),
        "retention_covered",
        ("kept_for_seconds", "kept_for"),
    )


@dataclass(frozen=True)
class SystemStatus:
    name: str
    tier: int
    rto: str | None
    rpo: str | None
    effective_rto: int | None  # seconds
    rto_via: tuple[str, ...]  # the chain that sets the effective RTO
    jobs: list[JobStatus] = field(default_factory=list)

    as_dict = json_method(
        ("system", "name"),
        "tier",
        "rto",
        "rpo",
        ("effective_rto_seconds", "effective_rto"),
        ("effective_rto_via", "rto_via", list),
        ("jobs", dicts),
    )


@dataclass(frozen=True)
class Status:
    at: dt.datetime
    window: int  # seconds
    plan: str
    systems: list[SystemStatus]
    sources: list[str] = field(default_factory=list)  # where the evidence came from

    @property
    def rpo_missed(self) -> list[tuple[str, str]]:
        """(system, job) whose evidence shows the RPO missed at ``at``."""
        return [
            (s.name, j.name)
            for s in self.systems
            for j in s.jobs
            if j.rpo_met is False and j.last_success is not None
        ]

    as_dict = json_method(
        ("at", _iso),
        ("window_seconds", "window"),
        "plan",
        ("evidence", "sources", list),
        ("systems", dicts),
    )


def effective_rto(
    plan: DisasterRecoveryFrontMatter,
) -> dict[str, tuple[int | None, tuple[str, ...]]]:
    """Per system, the longest RTO along its ``depends_on`` chain and that chain, for a plan
    :func:`~opsdocs.dr.spec.plan_problems` finds nothing wrong with (its dependencies can be
    followed)."""
    import functools

    from opsdocs.durations import duration_seconds

    by_name = {s.name: s for s in plan.systems}

    @functools.cache
    def visit(name: str) -> tuple[int | None, tuple[str, ...]]:
        system = by_name[name]
        best: tuple[int | None, tuple[str, ...]] = (
            duration_seconds(system.rto) if system.rto else None,
            (name,),
        )
        for dep in system.depends_on:
            seconds, chain = visit(dep)
            if seconds is not None and (best[0] is None or seconds > best[0]):
                best = (seconds, (name, *chain))
        return best

    return {system.name: visit(system.name) for system in plan.systems}


def job_status(
    job: BackupJob,
    evidence: JobEvidence,
    *,
    at: dt.datetime,
    rpo: int | None,
    kept_for: int | None = None,
) -> JobStatus:
    """The status of ``job`` at ``at`` from what its runs say (:mod:`opsdocs.dr.summary`), and
    how long its tool keeps the newest copy (``kept_for``, seconds), when it says."""
    from opsdocs.durations import duration_seconds

    last = evidence.last_success
    age = int((at - last).total_seconds()) if last is not None else None
    rpo_met = None if rpo is None else (age is not None and age <= rpo)
    oldest = evidence.oldest_success
    reach = int((at - oldest).total_seconds()) if oldest is not None else None
    covered: bool | None = None
    if job.retention is not None and reach is not None:
        # Copies are made every `schedule` and pruned after `retention`: the oldest one kept
        # is at least retention - schedule old when the retention holds.
        covered = reach >= duration_seconds(job.retention) - duration_seconds(job.schedule)
    status = JobStatus(
        name=job.name,
        tool=job.tool,
        schedule=job.schedule,
        runs=evidence.successes,
        failed=evidence.failures,
        last_success=last,
        age=age,
        rpo_met=rpo_met,
        longest_gap=evidence.longest_gap,
        retention=job.retention,
        oldest_success=oldest,
        oldest_age=reach,
        retention_covered=covered,
        kept_for=kept_for,
    )
    if status.kept_too_short:
        # Copies deleted before the retention is up cannot cover it, however far back the
        # older ones reach today.
        return replace(status, retention_covered=False)
    return status


def _kept_for(runs: Sequence[Run], at: dt.datetime) -> dict[tuple[str, str], int]:
    """Per (system, job): how long its tool keeps the newest successful copy made by ``at``,
    when the tool says (Velero's spec.ttl): the policy the job's copies are made under now."""
    newest: dict[tuple[str, str], Run] = {}
    for run in runs:
        if run.kept_for is None or not run.ok or run.finished_at > at:
            continue
        key = (run.system or "", run.job or "")
        if key not in newest or run.finished_at > newest[key].finished_at:
            newest[key] = run
    return {key: run.kept_for for key, run in newest.items() if run.kept_for is not None}


def dr_status(
    workspace: Workspace,
    *,
    at: dt.datetime,
    evidence: Sequence[Path] = (),
    window: str | None = None,
    run_tools: bool = True,
    read: tuple[Document, DisasterRecoveryFrontMatter] | None = None,
) -> Status:
    """The plan's systems and jobs against the evidence (``evidence``, else the files ``[dr]
    evidence`` names; and restic repositories named in the plan when ``run_tools``). The plan
    is the workspace's, or ``read``: a document and its plan, which
    :func:`~opsdocs.dr.spec.validate_plan` accepts. Reads only; raises an OpsdocsError on bad
    input."""
    from opsdocs.dr.evidence import _shown, attribute, read_evidence, run_restic, snapshot_runs
    from opsdocs.dr.settings import configured_evidence, load_settings
    from opsdocs.dr.spec import load_plan
    from opsdocs.dr.summary import JobEvidence, summarise
    from opsdocs.durations import duration_seconds
    from opsdocs.errors import UsageError

    settings = load_settings(workspace)
    doc, plan = read or load_plan(workspace)
    evidence = list(evidence) or configured_evidence(workspace, settings)
    try:
        window_seconds = duration_seconds(window or settings.window)
    except ValueError as exc:
        raise UsageError(f"--window {exc}", hint="e.g. --window 30d") from None
    rtos = effective_rto(plan)
    files = read_evidence([str(p) for p in evidence], root=workspace.root)
    runs = list(files.runs)
    sources = [_shown(str(p), workspace.root) for p in evidence]
    if run_tools:
        asked: set[tuple[str, str | None]] = set()
        for system in plan.systems:
            for job in system.backups:
                key = (job.repository or "", job.password_file or job.password_env)
                if job.tool != "restic" or not job.repository or key in asked:
                    continue
                asked.add(key)
                snapshots = run_restic(job, cwd=workspace.root)
                runs.extend(snapshot_runs(snapshots, job.repository))
                sources.append(f"restic repository {job.repository}")
    attributed = attribute(runs, plan)
    found = summarise(files.logs, attributed, at=at, window=window_seconds, root=workspace.root)
    kept = _kept_for(attributed, at)
    systems = []
    for system in plan.systems:
        rpo = duration_seconds(system.rpo) if system.rpo else None
        seconds, chain = rtos[system.name]
        jobs = [
            job_status(
                job,
                found.get((system.name, job.name), JobEvidence()),
                at=at,
                rpo=rpo,
                kept_for=kept.get((system.name, job.name)),
            )
            for job in system.backups
        ]
        systems.append(
            SystemStatus(system.name, system.tier, system.rto, system.rpo, seconds, chain, jobs)
        )
    return Status(at, window_seconds, workspace.relative(doc.path), systems, sources)


def _span(seconds: int | None) -> str:
    from opsdocs.durations import format_span

    return "-" if seconds is None else format_span(seconds)


def _verdict(job: JobStatus) -> str:
    if job.last_success is None:
        return "no evidence"
    return {True: "met", False: "MISSED", None: "-"}[job.rpo_met]


def _rows(status: Status) -> list[list[str]]:
    rows = []
    for system in status.systems:
        rto = _span(system.effective_rto)
        if len(system.rto_via) > 1:
            rto += f" (via {' -> '.join(system.rto_via[1:])})"
        if not system.jobs:
            rows.append([system.name, str(system.tier), system.rpo or "-", rto] + ["-"] * 8)
        for job in system.jobs:
            rows.append(
                [
                    system.name,
                    str(system.tier),
                    system.rpo or "-",
                    rto,
                    job.name,
                    _iso(job.last_success) or "-",
                    _span(job.age),
                    _verdict(job),
                    _span(job.longest_gap),
                    str(job.runs),
                    str(job.failed),
                    _retention(job),
                ]
            )
    return rows


def _retention(job: JobStatus) -> str:
    if job.retention is None:
        return "-"
    if job.retention_covered is None:
        return f"{job.retention}: no evidence"
    if job.retention_covered:
        return f"{job.retention}: covered"
    if job.kept_too_short:
        return f"{job.retention}: SHORT (kept {_span(job.kept_for)})"
    return f"{job.retention}: SHORT ({_span(job.oldest_age)})"


_HEADER = [
    "system",
    "tier",
    "rpo",
    "effective rto",
    "job",
    "last success",
    "age",
    "rpo met",
    "longest gap",
    "ok",
    "failed",
    "retention",
]


def render_table(status: Status) -> list[list[str]]:
    """The header and one row per job (a system without jobs gets one row)."""
    return [_HEADER, *_rows(status)]


def render_markdown(status: Status) -> str:
    """The status as a Markdown table, for an auditor."""
    from opsdocs.durations import format_span

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    sources = ", ".join(f"`{cell(s)}`" for s in status.sources) or "none given"
    lines = [
        f"Backup evidence at {_iso(status.at)} (window {format_span(status.window)}), "
        f"plan `{status.plan}`, measured by `opsdocs dr status`. Evidence: {sources}.",
        "",
        "| " + " | ".join(_HEADER) + " |",
        "|" + "|".join(" --- " for _ in _HEADER) + "|",
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in _rows(status)]
    missed = len(status.rpo_missed)
    unseen = sum(1 for s in status.systems for j in s.jobs if j.last_success is None)
    short = sum(1 for s in status.systems for j in s.jobs if j.retention_covered is False)
    summary = [f"RPO missed: {missed} job(s)."] if missed else []
    summary += [f"No evidence: {unseen} job(s)."] if unseen else []
    summary += [f"Retention not covered: {short} job(s)."] if short else []
    lines += ["", " ".join(summary) or "Every job has evidence and meets its RPO."]
    return "\n".join(lines) + "\n"


#: The markers of the status block ``dr status --write`` keeps in the plan, and its section.
STATUS_START = "<!-- opsdocs:dr-status:start -->"
STATUS_END = "<!-- opsdocs:dr-status:end -->"
STATUS_SECTION = "Backup Strategy"


def status_changes(workspace: Workspace, status: Status) -> ChangeSet:
    """The change that puts ``status`` (as Markdown) between the status markers in the plan's
    Backup Strategy section (the markers are added at its end when absent); empty when the
    block is already current. DocumentError for repeated or misordered markers."""
    from opsdocs.documents.blocks import write_block
    from opsdocs.documents.parse import read_document

    path = workspace.root / status.plan
    raw = path.read_bytes().decode("utf-8")
    text = write_block(
        read_document(path),
        "\n" + render_markdown(status),
        raw=raw,
        section=STATUS_SECTION,
        start=STATUS_START,
        end=STATUS_END,
    )
    changes = workspace.changes()
    if text != raw:
        changes.write(path, text)
    return changes
