"""DR: the DR/BCP plan's own consistency, as rules of ``opsdocs check``.

Most rules look at the plan document alone (their findings are cached with it); a plan whose
keys do not fit the schema is left to the front-matter rule (FM005). DR004 and DR005 hold the plan
against the backup evidence ``[dr] evidence`` names: they run on every check (the evidence
changes without the plan changing), at the start of ``--today`` (now, when it is today).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    import datetime as dt

    from pydantic import BaseModel

    from opsdocs.check.context import DocContext, WorkspaceContext
    from opsdocs.dr.spec import DisasterRecoveryFrontMatter
    from opsdocs.dr.status import JobStatus, Status, SystemStatus

__all__ = ["RULES"]

M = TypeVar("M", bound="BaseModel")
Key = tuple[str | int, ...]


def spec_of(ctx: DocContext, kind: str, model: type[M]) -> M | None:
    """The front matter of a ``kind`` document as ``model`` (None: another kind, or front
    matter the FM rules report)."""
    from pydantic import ValidationError

    if ctx.kind_name != kind or not ctx.front_matter_ok:
        return None
    try:
        return model.model_validate(ctx.doc.front_matter)
    except ValidationError:
        return None


def plan_of(ctx: DocContext) -> DisasterRecoveryFrontMatter | None:
    """The DR plan of a disaster-recovery document (None: another kind, or front matter the
    FM rules report)."""
    from opsdocs.dr.spec import DisasterRecoveryFrontMatter

    return spec_of(ctx, "disaster-recovery", DisasterRecoveryFrontMatter)


def _objectives(ctx: DocContext) -> Iterator[Diagnostic]:
    plan = plan_of(ctx)
    if plan is None:
        return
    for index, system in enumerate(plan.systems):
        missing = [k for k in ("rto", "rpo") if getattr(system, k) is None]
        if missing:
            yield ctx.diagnostic(
                ("systems", index, "name"),
                message=f"system {system.name!r} has no {' and no '.join(missing)}",
                hint="give it 'rto' and 'rpo', e.g. rto: 4h, rpo: 1h",
            )


def _schedules(ctx: DocContext) -> Iterator[Diagnostic]:
    from opsdocs.durations import duration_seconds

    plan = plan_of(ctx)
    if plan is None:
        return
    for index, system in enumerate(plan.systems):
        if system.rpo is None:
            continue
        rpo = duration_seconds(system.rpo)
        for number, job in enumerate(system.backups):
            # With continuous archiving a restore replays the archive past the base backup:
            # what can be lost is what was not archived yet, however old the base backup is.
            if job.archive_every is not None:
                key, every, does = "archive_every", job.archive_every, "archives"
                hint = f"archive at least every {system.rpo}, or change the RPO"
            else:
                key, every, does = "schedule", job.schedule, "runs"
                hint = f"run it at least every {system.rpo}, or change the RPO"
            if duration_seconds(every) > rpo:
                yield ctx.diagnostic(
                    ("systems", index, "backups", number, key),
                    message=f"job {job.name!r} {does} every {every}, so system "
                    f"{system.name!r} can lose more than its RPO of {system.rpo}",
                    hint=hint,
                )


def _dependencies(ctx: DocContext) -> Iterator[Diagnostic]:
    from opsdocs.dr.spec import plan_problems
    from opsdocs.dr.status import effective_rto
    from opsdocs.durations import duration_seconds, format_span

    plan = plan_of(ctx)
    if plan is None:
        return
    problems = plan_problems(ctx.doc, plan)
    for exc in problems:
        yield Diagnostic(line=exc.line or 1, col=exc.col or 1, message=exc.message, hint=exc.hint)
    if problems:
        # The dependencies themselves are wrong: that is the one thing to say about them.
        return
    effective = effective_rto(plan)
    rtos = {s.name: s.rto for s in plan.systems}
    for index, system in enumerate(plan.systems):
        if system.rto is None:
            continue
        own = duration_seconds(system.rto)
        for number, dep in enumerate(system.depends_on):
            theirs = effective[dep][0]
            if theirs is None or theirs <= own:
                continue
            chain = " -> ".join((system.name, *effective[dep][1]))
            yield ctx.diagnostic(
                ("systems", index, "depends_on", number),
                message=f"{system.name!r} (RTO {system.rto}) depends on {dep!r} "
                f"(RTO {rtos[dep]}): its effective RTO is {format_span(theirs)} ({chain})",
                hint=f"shorten {dep!r}'s RTO, or raise {system.name!r}'s to what it can meet",
            )


_MEMO = "dr-evidence"


def _moment(today: dt.date) -> dt.datetime:
    """Now when ``today`` is today; else the start of that day, in UTC."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if today == now.date():
        return now
    return dt.datetime.combine(today, dt.time(0), tzinfo=dt.UTC)


def _evidence(ctx: WorkspaceContext) -> list[tuple[str, Any, Status | Diagnostic]]:
    """Per reported plan: (path, document, its status against the configured evidence, or the
    diagnostic saying why the evidence cannot be read). Computed once per check."""
    return ctx.once(_MEMO, lambda ctx: list(_study(ctx)))


def _jobs(ctx: WorkspaceContext) -> Iterator[tuple[str, Any, Status, SystemStatus, JobStatus, Key]]:
    """(path, document, status, system, job, the key of the job's name in the plan) of every
    backup job the evidence speaks of (the status lists the plan's systems and jobs in order)."""
    for path, doc, status in _evidence(ctx):
        if not isinstance(status, Diagnostic):
            for index, system in enumerate(status.systems):
                for number, job in enumerate(system.jobs):
                    yield (
                        path,
                        doc,
                        status,
                        system,
                        job,
                        ("systems", index, "backups", number, "name"),
                    )


def _study(ctx: WorkspaceContext) -> Iterator[tuple[str, Any, Status | Diagnostic]]:
    from pathlib import Path

    from opsdocs.documents.parse import read_document
    from opsdocs.dr.settings import load_settings
    from opsdocs.dr.spec import validate_plan
    from opsdocs.dr.status import dr_status
    from opsdocs.errors import DocumentError, OpsdocsError

    workspace = ctx.workspace
    if workspace is None:
        return
    settings = load_settings(workspace)
    if not settings.evidence:
        return
    for facts in ctx.documents("disaster-recovery"):
        if facts.path not in ctx.reported:
            continue
        try:
            doc = read_document(Path(facts.path))
            plan = validate_plan(doc)
        except (DocumentError, OpsdocsError):
            continue  # reported by the front-matter rules
        try:
            status = dr_status(workspace, at=_moment(ctx.today), run_tools=False, read=(doc, plan))
        except OpsdocsError as exc:
            yield (
                facts.path,
                doc,
                Diagnostic(
                    line=1,
                    col=1,
                    message=f"the backup evidence cannot be read: {exc.format()}",
                    hint="fix the evidence file, or [dr] evidence in the configuration",
                    path=facts.path,
                ),
            )
            continue
        yield facts.path, doc, status


def _at_job(
    path: str, doc: Any, key: Key, system: str, job: str, problem: str, hint: str
) -> Diagnostic:
    """A finding at ``key``, the name of backup ``job`` of ``system`` in the plan ``doc``."""
    from opsdocs.check.context import diagnostic_at

    message = f"job {job!r} of {system!r}: {problem}"
    return diagnostic_at(doc, key, message=message, hint=hint, path=path)


def _rpo_missed(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    from opsdocs.durations import format_span

    yield from (status for _, _, status in _evidence(ctx) if isinstance(status, Diagnostic))
    for path, doc, status, system, job, key in _jobs(ctx):
        if job.rpo_met is not False or job.last_success is None or job.age is None:
            continue
        at = status.at.strftime("%Y-%m-%dT%H:%M:%SZ")
        yield _at_job(
            path,
            doc,
            key,
            system.name,
            job.name,
            problem=f"the last successful backup is {format_span(job.age)} old at {at}, over "
            f"the RPO of {system.rpo} (evidence: {', '.join(status.sources)})",
            hint="find out why the backups stopped, and run one now",
        )


def _retention_short(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    from opsdocs.durations import format_span

    for path, doc, _, system, job, key in _jobs(ctx):  # DR004 reports evidence it cannot read
        if job.kept_too_short and job.kept_for is not None:
            yield _at_job(
                path,
                doc,
                key,
                system.name,
                job.name,
                problem=f"its newest backup is kept {format_span(job.kept_for)} (Velero's "
                f"spec.ttl), short of the retention of {job.retention}",
                hint="give the schedule a TTL of at least the retention, e.g. velero schedule "
                "create --ttl 720h, or correct 'retention'",
            )
            continue
        if job.retention_covered is not False or job.oldest_age is None:
            continue
        yield _at_job(
            path,
            doc,
            key,
            system.name,
            job.name,
            problem=f"the oldest successful backup kept is {format_span(job.oldest_age)} old, "
            f"short of the retention of {job.retention}",
            hint="check the pruning policy against 'retention', or correct 'retention'",
        )


RULES = [
    Rule("DR001", "dr-objectives-missing", "error", check=_objectives),
    Rule("DR002", "dr-schedule-misses-rpo", "error", check=_schedules),
    Rule("DR003", "dr-dependency-rto-longer", "error", check=_dependencies),
    Rule("DR004", "dr-evidence-rpo-missed", "error", check=_rpo_missed, scope="workspace"),
    Rule(
        "DR005", "dr-evidence-retention-short", "warning", check=_retention_short, scope="workspace"
    ),
]
