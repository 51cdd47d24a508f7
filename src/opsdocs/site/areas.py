"""What the portal shows beyond the documents themselves: services, SLO status, incidents and
postmortems, the alert catalogue, DR objectives, on-call schedules.

Each area reads the documents already parsed for the site (a document is parsed once) and the
libraries of its feature. An area the workspace does not use is empty and left off the pages;
an area whose data cannot be read gives a note, never a failed build.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opsdocs.documents.schemas import as_date
from opsdocs.errors import OpsdocsError

if TYPE_CHECKING:
    from opsdocs.site.pages import DocPage
    from opsdocs.workspace import Workspace

__all__ = [
    "Incident",
    "Postmortem",
    "Service",
    "SloRow",
    "collect_incidents",
    "collect_postmortems",
    "collect_services",
    "oncall_data",
    "slo_rows",
]

UTC = dt.UTC
_OPEN_STATUSES = ("triage", "active", "mitigated")


@dataclass
class SloRow:
    """One SLO as the last report wrote it into its document."""

    page: DocPage
    name: str
    status: str
    objective: str
    sli: str
    budget: str
    measured: str | None
    charts: list[tuple[str, str]] = field(default_factory=list)  # (label, href from the doc)

    @property
    def level(self) -> str:
        """ok / warn / bad, for the badge colour."""
        text = self.status.lower()
        if text in ("healthy", "ok", "met"):
            return "ok"
        if text in ("exhausted", "breached", "violated", "burning"):
            return "bad"
        return "warn"


_MEASURED = re.compile(r"_Measured by .*? at ([0-9T:\-Z]+)\._")
_CHART = re.compile(r"Budget chart: \[([^\]]*)\]\(([^)\s]+)\)")


def slo_rows(page: DocPage) -> list[SloRow]:
    """The rows of the status block ``slo report --write`` left in an SLO document."""
    from opsdocs.documents.blocks import REPORT_END, REPORT_START

    doc = page.doc
    if doc is None or REPORT_START not in doc.text:
        return []
    block = doc.text.split(REPORT_START, 1)[1].split(REPORT_END, 1)[0]
    measured = _MEASURED.search(block)
    charts: dict[str, str] = {m.group(1): m.group(2) for m in _CHART.finditer(block)}
    header: list[str] | None = None
    rows: list[SloRow] = []
    for line in block.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        row = dict(zip(header, cells, strict=False))
        name = row.get("slo", "").split(" (")[0]
        rows.append(
            SloRow(
                page=page,
                name=name,
                status=row.get("status", ""),
                objective=row.get("objective", ""),
                sli=row.get("sli", ""),
                budget=row.get("budget remaining", ""),
                measured=measured.group(1) if measured else None,
                charts=[(name, charts[name])] if name in charts else [],
            )
        )
    return rows


_BLOCK = re.compile(r"<!-- opsdocs:([a-z0-9-]+):start -->\n?(.*?)<!-- opsdocs:\1:end -->", re.S)
#: Generated blocks that are not a status (the README index, the SLO's budget table, the SLO
#: report, which the portal reads into its own tables).
_NOT_STATUS = frozenset({"index", "budget", "report"})


def status_blocks(page: DocPage) -> list[tuple[str, str, int]]:
    """The status blocks a feature's ``--write`` keeps in the document (the DR evidence, a cost
    month, a capacity forecast): (name, Markdown, file line of its first line), in order."""
    doc = page.doc
    if doc is None or "<!-- opsdocs:" not in doc.text:
        return []
    found = []
    for match in _BLOCK.finditer(doc.text):
        if match.group(1) in _NOT_STATUS or not match.group(2).strip():
            continue
        line = doc.text.count("\n", 0, match.start(2)) + 1
        found.append((match.group(1), match.group(2), line))
    return found


@dataclass
class Incident:
    page: DocPage
    id: str
    title: str
    severity: str
    status: str
    services: list[str]
    started: dt.datetime | None
    milestones: list[tuple[str, dt.datetime]]
    roles: dict[str, str]
    timeline: list[tuple[dt.datetime, str]]
    drill: bool = False
    postmortem: Postmortem | None = None

    @property
    def open(self) -> bool:
        return self.status in _OPEN_STATUSES


@dataclass
class ActionItem:
    what: str
    owner: str | None
    due: dt.date | None
    tracker: str | None
    status: str


@dataclass
class Postmortem:
    page: DocPage
    incident: str
    status: str
    due: dt.date | None
    action_items: list[ActionItem]


def _instant(value: object) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _text(value: object, default: str = "") -> str:
    return str(value).strip() if isinstance(value, str | int | float) else default


def _readable(pages: Iterable[DocPage], kind: str) -> Iterator[DocPage]:
    """The pages of ``kind`` whose document could be read."""
    return (p for p in pages if p.kind is not None and p.kind.name == kind and p.doc is not None)


def collect_incidents(pages: Iterable[DocPage]) -> list[Incident]:
    """Incident records, newest first (read leniently: a record ``check`` faults still shows)."""
    from opsdocs.incidents.records import parse_timeline

    found: list[Incident] = []
    for page in _readable(pages, "incident"):
        assert page.doc is not None
        fm = page.fm
        raw = fm.get("milestones")
        milestones: list[tuple[str, dt.datetime]] = []
        if isinstance(raw, dict):
            for key in ("started", "detected", "acknowledged", "mitigated", "resolved"):
                when = _instant(raw.get(key))
                if when is not None:
                    milestones.append((key, when))
        services = fm.get("services")
        roles = fm.get("roles")
        found.append(
            Incident(
                page=page,
                id=_text(fm.get("id"), page.source.stem),
                title=page.title,
                severity=_text(fm.get("severity"), "?"),
                status=_text(fm.get("status"), "unknown"),
                services=[s for s in services if isinstance(s, str)]
                if isinstance(services, list)
                else [],
                started=dict(milestones).get("started"),
                milestones=milestones,
                roles={str(k): str(v) for k, v in roles.items()} if isinstance(roles, dict) else {},
                timeline=[(e.at, e.text) for e in parse_timeline(page.doc)],
                drill=fm.get("drill") is True,
            )
        )
    far = dt.datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda i: (i.started or far, i.id), reverse=True)
    return found


def collect_postmortems(pages: Iterable[DocPage]) -> list[Postmortem]:
    """Postmortems with their action items."""
    found: list[Postmortem] = []
    for page in _readable(pages, "postmortem"):
        fm = page.fm
        items = []
        for item in fm.get("action_items") or []:
            if not isinstance(item, dict):
                continue
            status = _text(item.get("status"), "open")
            items.append(
                ActionItem(
                    what=_text(item.get("what"), "?"),
                    owner=_text(item.get("owner")) or None,
                    due=as_date(item.get("due")),
                    tracker=_text(item.get("tracker")) or None,
                    status=status,
                )
            )
        found.append(
            Postmortem(
                page=page,
                incident=_text(fm.get("incident")),
                status=_text(fm.get("status"), "unknown"),
                due=as_date(fm.get("due")),
                action_items=items,
            )
        )
    return found


@dataclass
class Service:
    """A service as the documents know it: its runbook, SLOs and what else names it."""

    name: str
    owner: str | None = None
    tier: str | None = None
    runbook: DocPage | None = None
    slo_pages: list[DocPage] = field(default_factory=list)
    slos: list[SloRow] = field(default_factory=list)
    others: list[DocPage] = field(default_factory=list)  # capacity, cost, monitoring
    incidents: list[Incident] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    dr: dict[str, Any] | None = None

    @property
    def href(self) -> str:
        return f"services/{self.name}.html"


_SERVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _service_of(page: DocPage) -> str | None:
    value = page.fm.get("service")
    if isinstance(value, str) and _SERVICE_NAME.match(value.strip()):
        return value.strip()
    if page.kind is not None and page.kind.service_from_name:
        return page.name
    return None


def collect_services(pages: Iterable[DocPage], incidents: list[Incident]) -> list[Service]:
    """Services named by runbooks and SLO documents (and the capacity, cost and monitoring
    documents of those services), sorted by name."""
    services: dict[str, Service] = {}
    rest: list[tuple[str, DocPage]] = []
    for page in pages:
        # a document whose front matter could not be read names no service, even by its file
        # name: it has a page of its own, with the error
        if page.kind is None or page.doc is None or page.unreadable_front_matter:
            continue
        name = _service_of(page)
        if name is None:
            continue
        kind = page.kind.name
        if kind == "runbook":
            service = services.setdefault(name, Service(name))
            if service.runbook is None:
                service.runbook = page
                owner = page.fm.get("owner")
                service.owner = owner if isinstance(owner, str) else service.owner
                tier = page.fm.get("tier")
                service.tier = str(tier) if isinstance(tier, int | str) else None
        elif kind == "slo":
            service = services.setdefault(name, Service(name))
            service.slo_pages.append(page)
            service.slos.extend(slo_rows(page))
            owner = page.fm.get("owner")
            if service.owner is None and isinstance(owner, str):
                service.owner = owner
        elif kind not in ("incident", "postmortem"):
            rest.append((name, page))
    for name, page in rest:
        if name in services:
            services[name].others.append(page)
    for incident in incidents:
        for name in incident.services:
            if name in services:
                services[name].incidents.append(incident)
    return [services[name] for name in sorted(services)]


def attach_alerts(workspace: Workspace, services: list[Service]) -> list[str]:
    """Alerts of the monitoring catalogue on the services they belong to (by their ``service``
    label, or the runbook their ``runbook_url`` leads to). Returns notes."""
    import os

    from opsdocs.monitoring.estate import catalogue_cache, configured, study

    if not configured(workspace) or not services:
        return []
    try:
        # the rule files ``alerts check`` and ``check`` parsed are read back from their cache
        cache_dir = catalogue_cache(workspace)
        analysis = study(workspace, promtool=False, prometheus=False, cache_dir=cache_dir)
    except OpsdocsError as exc:
        return [f"alert catalogue: {exc.format()}"]
    by_runbook = {os.path.realpath(s.runbook.source): s for s in services if s.runbook is not None}
    by_name = {s.name: s for s in services}
    for entry in analysis.entries:
        alert = entry.alert
        target = entry.runbook.target if entry.runbook is not None else None
        service = by_name.get(alert.service or "") or (
            by_runbook.get(os.path.realpath(target)) if target else None
        )
        if service is None:
            continue
        service.alerts.append(
            {
                "name": alert.name,
                "severity": entry.severity or "",
                "action": entry.action or "",
                "file": alert.file,
                "summary": alert.annotations.get("summary", ""),
                "runbook_anchor": entry.runbook.anchor if entry.runbook is not None else None,
                "runbook_status": entry.runbook.status if entry.runbook is not None else None,
            }
        )
    return list(analysis.catalogue.notes)


def attach_dr(pages: Iterable[DocPage], services: list[Service]) -> DocPage | None:
    """The DR plan's page; each service named as a system gets its objectives."""
    plan_page = next(
        (p for p in pages if p.kind is not None and p.kind.name == "disaster-recovery"), None
    )
    if plan_page is None or plan_page.doc is None:
        return plan_page
    systems = plan_page.fm.get("systems")
    if not isinstance(systems, list):
        return plan_page
    by_name = {s.name: s for s in services}
    for system in systems:
        if not isinstance(system, dict):
            continue
        service = by_name.get(str(system.get("name")))
        if service is not None:
            service.dr = {
                "tier": system.get("tier"),
                "rto": _text(system.get("rto")) or None,
                "rpo": _text(system.get("rpo")) or None,
                "backups": [
                    _text(b.get("name")) for b in system.get("backups") or [] if isinstance(b, dict)
                ],
            }
    return plan_page


# -- on-call --------------------------------------------------------------------------------


def _ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


def oncall_data(
    pages: Iterable[DocPage], *, start: dt.datetime, end: dt.datetime
) -> tuple[dict[str, Any] | None, list[str]]:
    """The on-call schedule as the browser needs it: every team's escalation levels, each with
    its shifts (UTC milliseconds) from ``start`` to ``end``. The page works out who is on call
    from the viewer's clock, so a site built last night is right today; the library computes
    the shifts (zones, daylight saving, restrictions, overrides), the browser only compares
    numbers. None when there is no schedule; notes for what could not be read."""
    from opsdocs.oncall.roster import collect_roster
    from opsdocs.oncall.schedule import level_shifts

    docs = [p.doc for p in _readable(pages, "on-call") if p.doc is not None]
    if not docs:
        return None, []
    roster, problems = collect_roster(docs)
    notes = [
        f"on-call schedule: {doc.path.name}:{p.line}:{p.col}: {p.message}" for doc, p in problems
    ]
    if not roster.teams:
        return None, notes
    teams = []
    for name in roster.names():
        levels = []
        for level in level_shifts(roster, name, start, end):
            shifts = [[_ms(s.start), _ms(s.end), s.member, s.rotation] for s in level.shifts]
            levels.append(
                {
                    "number": level.number,
                    "label": level.label,
                    "after": level.level.after,
                    "shifts": shifts,
                }
            )
        source = roster.teams[name]
        zones = sorted({r.zone for r in source.team.rotations})
        teams.append({"name": name, "zones": zones, "levels": levels})
    data = {"from": _ms(start), "to": _ms(end), "teams": teams}
    return data, notes
