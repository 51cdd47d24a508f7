"""DR: whether the plan would hold in a disaster, as rules of ``opsdocs check``.

Drills held as often as each tier needs (DR006), failed drills followed up (DR007), restore and
failover runbooks that can be reached (DR008), a copy of every tier-0/1 system that survives the
site or the attacker (DR009), and business processes whose systems can be back within their
maximum tolerable downtime (DR010).

The rules that look at one document (DR007, DR009, DR010) read it alone; those that depend on
the date or on other files (DR006, DR008) run over facts collected from each document (cached
with it) every time ``check`` runs. A plan whose keys do not fit the schema is left to FM005;
dependencies that cannot be followed (unknown, cycle) to DR003.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.dr.checks import plan_of, spec_of

if TYPE_CHECKING:
    from opsdocs.check.context import DocContext, WorkspaceContext
    from opsdocs.dr.drills import DrillFrontMatter

__all__ = ["RULES"]

_PLAN_FACTS = "DR006"  # the rule whose collect() holds the plan's systems and cadence
_DRILL_FACTS = "DR007"  # the rule whose collect() holds a drill's system, date and result
_LINK_FACTS = "DR008"  # the rule whose collect() holds the plan's runbook links


def _drill(ctx: DocContext) -> DrillFrontMatter | None:
    from opsdocs.dr.drills import DrillFrontMatter

    return spec_of(ctx, "dr-drill", DrillFrontMatter)  # None: FM005 reports it


# DR006: drills overdue ------------------------------------------------------------------------


def _collect_plan(ctx: DocContext) -> dict[str, Any] | None:
    from opsdocs.durations import duration_seconds

    plan = plan_of(ctx)
    if plan is None:
        return None
    return {
        "cadence": {str(tier): duration_seconds(every) for tier, every in plan.drills.items()},
        "cadence_text": {str(tier): every for tier, every in plan.drills.items()},
        "systems": [
            {"name": s.name, "tier": s.tier, "at": list(ctx.doc.position(("systems", i, "name")))}
            for i, s in enumerate(plan.systems)
        ],
    }


def _collect_drill(ctx: DocContext) -> dict[str, Any] | None:
    drill = _drill(ctx)
    if drill is None:
        return None
    return {"system": drill.system, "started": drill.started.date().isoformat()}


def _overdue(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    last: dict[str, dt.date] = {}
    for facts in ctx.documents("dr-drill"):
        data = facts.extra.get(_DRILL_FACTS)
        if isinstance(data, dict):
            day = dt.date.fromisoformat(data["started"])
            if day <= ctx.today and day > last.get(data["system"], dt.date.min):
                last[data["system"]] = day
    for facts in ctx.documents("disaster-recovery")[:1]:  # XD003 reports a second plan
        data = facts.extra.get(_PLAN_FACTS)
        if facts.path not in ctx.reported or not isinstance(data, dict):
            continue
        for system in data["systems"]:
            tier = str(system["tier"])
            if tier not in data["cadence"]:
                continue
            every = dt.timedelta(seconds=data["cadence"][tier])
            drilled = last.get(system["name"])
            cadence = f"tier {tier}, drilled every {data['cadence_text'][tier]}"
            if drilled is None:
                message = f"system {system['name']!r} ({cadence}) has no drill on record"
            elif drilled + every < ctx.today:
                message = (
                    f"system {system['name']!r} ({cadence}) was last drilled on "
                    f"{drilled.isoformat()}: overdue since {(drilled + every).isoformat()}"
                )
            else:
                continue
            yield Diagnostic(
                line=system["at"][0],
                col=system["at"][1],
                message=message,
                hint=f"drill it, and record it with 'opsdocs dr drill {system['name']}' or "
                f"'opsdocs dr verify {system['name']}'",
                path=facts.path,
            )


# DR007: failed drills without follow-up -------------------------------------------------------


def _failed_without_actions(ctx: DocContext) -> Iterator[Diagnostic]:
    drill = _drill(ctx)
    if drill is None or drill.result != "fail" or drill.action_items:
        return
    yield ctx.diagnostic(
        ("result",),
        message=f"the drill of {drill.system!r} failed and has no follow-up action",
        hint="add what will be done under 'action_items' (what, owner, due)",
    )


# DR008: restore runbook links ------------------------------------------------------------------


def _collect_links(ctx: DocContext) -> list[list[Any]] | None:
    plan = plan_of(ctx)
    if plan is None:
        return None
    links: list[list[Any]] = []
    for index, system in enumerate(plan.systems):
        if system.restore_runbook:
            line, col = ctx.doc.position(("systems", index, "restore_runbook"))
            links.append([system.name, "restore", system.restore_runbook, line, col])
        if system.failover is not None and system.failover.runbook:
            line, col = ctx.doc.position(("systems", index, "failover", "runbook"))
            links.append([system.name, "failover", system.failover.runbook, line, col])
    return links


def _broken_runbooks(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    import os

    from opsdocs.check.context import split_href

    for facts, links in ctx.collected("disaster-recovery", _LINK_FACTS):
        for system, which, href, line, col in links:
            parts = split_href(href)
            if parts is None:
                continue  # a URL: not checked offline
            target, fragment = parts
            path = ctx.resolve(facts.path, target) if target else facts.path
            if target and not ctx.exists(path):
                problem = "no such file"
            elif ctx.anchor_missing(path, fragment):
                where = "this plan" if path == facts.path else repr(os.path.basename(path))
                problem = f"{where} has no heading with anchor '#{fragment}'"
            else:
                continue
            yield Diagnostic(
                line=line,
                col=col,
                message=f"the {which} runbook of {system!r}, '{href}': {problem}",
                hint="link the runbook's file (relative to the plan) and an existing heading",
                path=facts.path,
            )


# DR009: tier-1 without an off-site or immutable copy --------------------------------------------


def _no_safe_copy(ctx: DocContext) -> Iterator[Diagnostic]:
    plan = plan_of(ctx)
    if plan is None:
        return
    for index, system in enumerate(plan.systems):
        if system.tier > 1 or any(j.offsite or j.immutable for j in system.backups):
            continue
        if system.backups:
            what = "no off-site or immutable copy: a site loss or ransomware takes every copy"
        else:
            what = "no backup job, so no copy survives a site loss or ransomware"
        yield ctx.diagnostic(
            ("systems", index, "name"),
            message=f"tier-{system.tier} system {system.name!r} has {what}",
            hint="keep one copy in another site or region ('offsite: true') or one that cannot "
            "be changed ('immutable: true')",
        )


# DR010: business processes down longer than they can bear ---------------------------------------


def _process_downtime(ctx: DocContext) -> Iterator[Diagnostic]:
    from opsdocs.dr.spec import plan_problems
    from opsdocs.dr.status import effective_rto
    from opsdocs.durations import duration_seconds, format_span

    plan = plan_of(ctx)
    if plan is None or not plan.processes:
        return
    known = {s.name for s in plan.systems}
    for index, process in enumerate(plan.processes):
        for number, name in enumerate(process.systems):
            if name not in known:
                yield ctx.diagnostic(
                    ("processes", index, "systems", number),
                    message=f"process {process.name!r} needs system {name!r}, which the plan "
                    "does not list",
                    hint="list the system under 'systems' with its RTO, or remove it here",
                )
    if plan_problems(ctx.doc, plan):
        return  # DR003 reports what makes the chains impossible to follow
    effective = effective_rto(plan)
    for index, process in enumerate(plan.processes):
        limit = duration_seconds(process.max_downtime)
        worst: tuple[int, tuple[str, ...]] | None = None
        for name in process.systems:
            seconds, chain = effective.get(name, (None, ()))
            if seconds is not None and (worst is None or seconds > worst[0]):
                worst = (seconds, chain)
        if worst is None or worst[0] <= limit:
            continue
        seconds, chain = worst
        yield ctx.diagnostic(
            ("processes", index, "max_downtime"),
            message=f"process {process.name!r} can be down {format_span(seconds)} "
            f"({' -> '.join(chain)}), longer than its maximum tolerable downtime of "
            f"{process.max_downtime}",
            hint=f"bring the RTO of {chain[-1]!r} within {process.max_downtime}, or agree a "
            "longer downtime for the process",
        )


RULES = [
    Rule(
        "DR006",
        "dr-drill-overdue",
        "error",
        check=_overdue,
        scope="workspace",
        collect=_collect_plan,
    ),
    Rule(
        "DR007",
        "dr-failed-drill-without-actions",
        "error",
        check=_failed_without_actions,
        collect=_collect_drill,
    ),
    Rule(
        "DR008",
        "dr-runbook-link-broken",
        "error",
        check=_broken_runbooks,
        scope="workspace",
        collect=_collect_links,
    ),
    Rule("DR009", "dr-critical-system-without-safe-copy", "warning", check=_no_safe_copy),
    Rule("DR010", "dr-process-downtime-exceeded", "error", check=_process_downtime),
]
