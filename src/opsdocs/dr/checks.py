"""DR: the DR/BCP plan's own consistency, as rules of ``opsdocs check``.

The rules look at the plan document alone (their findings are cached with it); a plan whose keys
do not fit the schema is left to the front-matter rule (FM005).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from opsdocs.check.context import DocContext
    from opsdocs.dr.spec import DisasterRecoveryFrontMatter

__all__ = ["RULES"]


def _plan(ctx: DocContext) -> DisasterRecoveryFrontMatter | None:
    from opsdocs.errors import DocumentError

    if ctx.doctype.kind is None or ctx.doctype.kind.name != "disaster-recovery":
        return None
    if not ctx.front_matter_ok or ctx.doc.front_matter is None:
        return None
    from opsdocs.dr.spec import validate_plan

    try:
        return validate_plan(ctx.doc)
    except DocumentError:
        return None


def _at(ctx: DocContext, *key: str | int, message: str, hint: str) -> Diagnostic:
    line, col = ctx.doc.position(key)
    return Diagnostic(line=line, col=col, message=message, hint=hint)


def _objectives(ctx: DocContext) -> Iterator[Diagnostic]:
    plan = _plan(ctx)
    if plan is None:
        return
    for index, system in enumerate(plan.systems):
        missing = [k for k in ("rto", "rpo") if getattr(system, k) is None]
        if missing:
            yield _at(
                ctx,
                "systems",
                index,
                "name",
                message=f"system {system.name!r} has no {' and no '.join(missing)}",
                hint="give it 'rto' and 'rpo', e.g. rto: 4h, rpo: 1h",
            )


def _schedules(ctx: DocContext) -> Iterator[Diagnostic]:
    from opsdocs.durations import duration_seconds

    plan = _plan(ctx)
    if plan is None:
        return
    for index, system in enumerate(plan.systems):
        if system.rpo is None:
            continue
        rpo = duration_seconds(system.rpo)
        for number, job in enumerate(system.backups):
            if duration_seconds(job.schedule) > rpo:
                yield _at(
                    ctx,
                    "systems",
                    index,
                    "backups",
                    number,
                    "schedule",
                    message=f"job {job.name!r} runs every {job.schedule}, so system "
                    f"{system.name!r} can lose more than its RPO of {system.rpo}",
                    hint=f"run it at least every {system.rpo}, or change the RPO",
                )


def _dependencies(ctx: DocContext) -> Iterator[Diagnostic]:
    from opsdocs.dr.status import effective_rto
    from opsdocs.durations import duration_seconds, format_span
    from opsdocs.errors import DocumentError

    plan = _plan(ctx)
    if plan is None:
        return
    try:
        effective = effective_rto(ctx.doc, plan)
    except DocumentError as exc:
        yield Diagnostic(line=exc.line or 1, col=exc.col or 1, message=exc.message, hint=exc.hint)
        # Without a chain to follow, compare each dependency's own RTO.
        effective = {
            s.name: (duration_seconds(s.rto) if s.rto else None, (s.name,)) for s in plan.systems
        }
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
            yield _at(
                ctx,
                "systems",
                index,
                "depends_on",
                number,
                message=f"{system.name!r} (RTO {system.rto}) depends on {dep!r} "
                f"(RTO {rtos[dep]}): its effective RTO is {format_span(theirs)} ({chain})",
                hint=f"shorten {dep!r}'s RTO, or raise {system.name!r}'s to what it can meet",
            )


def _rule(
    code: str,
    name: str,
    summary: str,
    severity: str,
    check: Callable[[DocContext], Iterator[Diagnostic]],
    **text: Any,
) -> Rule:
    return Rule(
        code=code,
        name=name,
        summary=summary,
        severity=severity,  # type: ignore[arg-type]
        check=check,
        **text,
    )


RULES = [
    _rule(
        "DR001",
        "dr-objectives-missing",
        "A system in the DR plan has no RTO or no RPO.",
        "error",
        _objectives,
        what="Reports a system under `systems` in `disaster-recovery.md` without `rto` or `rpo`.",
        why=(
            "Recovery objectives are what the backups, failover and drills are measured "
            "against; without them nothing can be said to be met, and auditors ask for them "
            "first."
        ),
        example="```yaml\nsystems:\n  - name: orders-db\n    tier: 1\n```",
        instead="```yaml\nsystems:\n  - name: orders-db\n    tier: 1\n    rto: 4h\n"
        "    rpo: 15m\n```",
    ),
    _rule(
        "DR002",
        "dr-schedule-misses-rpo",
        "A backup job runs less often than its system's RPO allows.",
        "error",
        _schedules,
        what=(
            "Reports a backup job whose `schedule` (the interval between runs) is longer than "
            "the `rpo` of the system it protects."
        ),
        why=(
            "A daily backup cannot give a one-hour RPO: just before the next run, a day of data "
            "is not in any copy."
        ),
        example="```yaml\nrpo: 1h\nbackups:\n  - name: orders-nightly\n    tool: restic\n"
        "    schedule: 1d\n```",
        instead="```yaml\nrpo: 1h\nbackups:\n  - name: orders-hourly\n    tool: restic\n"
        "    schedule: 1h\n```",
    ),
    _rule(
        "DR003",
        "dr-dependency-rto-longer",
        "A system depends on one whose RTO is longer than its own (or on itself).",
        "error",
        _dependencies,
        what=(
            "Reports a `depends_on` entry whose system takes longer to recover (its effective "
            "RTO, the longest along its own dependencies) than the system that depends on it, "
            "and a dependency cycle. The message shows the effective RTO and the chain."
        ),
        why=(
            "A system is back only when what it depends on is back: its real RTO is the longest "
            "along the chain, whatever the plan says for it."
        ),
        example="```yaml\n- name: checkout\n  rto: 1h\n  depends_on: [orders-db]\n"
        "- name: orders-db\n  rto: 4h\n```",
        instead="```yaml\n- name: checkout\n  rto: 4h\n  depends_on: [orders-db]\n"
        "- name: orders-db\n  rto: 4h\n```",
    ),
]
