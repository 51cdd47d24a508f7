"""Building the portal: every document read once, rendered with compiled templates, written to
a folder that works from ``file://`` and from any sub-path (every link is relative).

A full build writes into a new folder beside the output and swaps it in at the end, so a failed
build leaves the previous site as it was. :meth:`Site.refresh` rebuilds in place after one
document changed: its own page and the pages that show something of it, nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs import collector
from opsdocs.documents.schemas import as_date, review_due
from opsdocs.errors import UsageError
from opsdocs.fileio import atomic_write
from opsdocs.site.areas import (
    Incident,
    Postmortem,
    Service,
    attach_alerts,
    attach_dr,
    collect_incidents,
    collect_postmortems,
    collect_services,
    oncall_data,
)
from opsdocs.site.pages import SITE_NAME, DocPage, LinkMap, read_page, walk_documents

if TYPE_CHECKING:
    from jinja2 import Environment

    from opsdocs.check.engine import CheckSession
    from opsdocs.diagnostics import Diagnostic
    from opsdocs.site.markdown import Rendered
    from opsdocs.workspace import Workspace

__all__ = ["BuildOptions", "BuildResult", "Site"]

#: The file that marks a folder as a site opsdocs built (it may be replaced without asking).
MARKER = ".opsdocs-site"
UTC = dt.UTC
#: The on-call data covers this long before and after the build, so the page stays right.
ONCALL_BEFORE = dt.timedelta(days=90)
ONCALL_AFTER = dt.timedelta(days=400)
#: Words of a document kept in the search index (distinct words, in order of appearance).
SEARCH_WORDS = 4000

_NAV = (
    ("index.html", "Home"),
    ("documents.html", "Documents"),
    ("incidents.html", "Incidents"),
    ("oncall.html", "On-call"),
    ("findings.html", "Findings"),
    ("search.html", "Search"),
)


@dataclass
class BuildOptions:
    #: The day reviews and action items are judged at (default: today).
    today: dt.date | None = None
    #: The moment the on-call data is centred on (default: now).
    now: dt.datetime | None = None
    #: Run ``opsdocs check`` for the banners and the findings page.
    check: bool = True
    #: "html" (the portal) or "mkdocs" (mkdocs.yml and a docs tree for MkDocs or TechDocs).
    format: str = "html"


@dataclass
class BuildResult:
    out: Path
    documents: int
    pages: int
    findings: int
    written: list[str] = field(default_factory=list)  # site paths written, in order
    notes: list[str] = field(default_factory=list)


def _fmt_time(when: dt.datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _safe_url(url: str) -> bool:
    return url.startswith(("https://", "http://"))


class Site:
    """The portal of one workspace, written to ``out``."""

    def __init__(self, workspace: Workspace, out: Path, options: BuildOptions | None = None):
        self.workspace = workspace
        self.out = out
        self.options = options or BuildOptions()
        self.pages: dict[str, DocPage] = {}  # by rel
        self.findings: list[Diagnostic] = []
        self.notes: list[str] = []
        self._digests: dict[str, str] = {}  # site path -> digest of what was written
        self._search: dict[str, str] = {}  # page -> its search entry as JSON
        self._checker: CheckSession | None = None  # the last check run, kept for rechecks

    # -- settings -------------------------------------------------------------------------

    @property
    def today(self) -> dt.date:
        return self.options.today or dt.date.today()

    @property
    def now(self) -> dt.datetime:
        if self.options.now is not None:
            return self.options.now.astimezone(UTC)
        if self.options.today is not None:
            return dt.datetime.combine(self.options.today, dt.time(12), tzinfo=UTC)
        return dt.datetime.now(UTC).replace(microsecond=0)

    @cached_property
    def templates(self) -> Environment:
        """The page templates, each compiled once (the environment keeps it)."""
        from jinja2 import FileSystemLoader, StrictUndefined
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        folder = resources.files("opsdocs.site") / "templates"
        return ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(str(folder)),
            autoescape=True,
            undefined=StrictUndefined,
            auto_reload=False,
        )

    # -- reading --------------------------------------------------------------------------

    def _read(self) -> None:
        docs_dir = self.workspace.docs_dir
        self.pages = {rel: read_page(path, rel) for path, rel in walk_documents(docs_dir)}
        self.__dict__.pop("_by_real", None)
        self.links = LinkMap(
            self.workspace.root, {str(p.source): p.href for p in self.pages.values()}
        )

    def _render_pages(self, pages: Iterable[DocPage] | None = None) -> None:
        """Render the documents' HTML: every one, or ``pages`` again after they changed."""
        chosen = self.pages.values() if pages is None else pages
        readable = [p for p in chosen if p.doc is not None]
        jobs = [(p.href, str(p.source), p.doc.body, p.doc.body_line) for p in readable if p.doc]
        for page, (rendered, assets) in zip(readable, _render_all(self.links, jobs), strict=True):
            page.rendered = rendered
            self.links.assets.update(assets)

    def _run_check(self) -> None:
        self.findings = []
        self._checker = None
        if self.options.check:
            from opsdocs.check.engine import CheckOptions, CheckSession

            # kept: after an edit, only the edited documents are read again (``_apply``)
            self._checker = CheckSession(self.workspace, options=CheckOptions(today=self.today))
            self.findings = self._checker.run().findings
        self._assign_findings()

    def _assign_findings(self) -> None:
        for each in self.pages.values():
            each.findings = []
        for finding in self.findings:
            page = self.page_at(finding.abspath)
            if page is not None:
                page.findings.append(finding)

    @cached_property
    def _by_real(self) -> dict[str, DocPage]:
        return {os.path.realpath(p.source): p for p in self.pages.values()}

    def page_at(self, path: str | None) -> DocPage | None:
        """The page of the file at ``path`` (as the check engine names it)."""
        if not path:
            return None
        found = self._by_real.get(path)
        return found if found is not None else self._by_real.get(os.path.realpath(path))

    def _collect(self) -> None:
        pages = list(self.pages.values())
        self.incidents: list[Incident] = collect_incidents(pages)
        self.postmortems: list[Postmortem] = collect_postmortems(pages)
        by_incident = {pm.incident: pm for pm in self.postmortems}
        for incident in self.incidents:
            incident.postmortem = by_incident.get(incident.id)
        self.incidents_configured = bool(
            self.incidents or self.postmortems or self._of_kind("incident-response")
        )
        self.__dict__.pop("_shared", None)
        self.services: list[Service] = collect_services(pages, self.incidents)
        self._page_service: dict[str, Service] = {}
        for service in self.services:
            for page in (service.runbook, *service.slo_pages, *service.others):
                if page is not None:
                    self._page_service.setdefault(page.href, service)
        self.notes = attach_alerts(self.workspace, self.services)
        self.dr_page = attach_dr(pages, self.services)
        start = self.now - ONCALL_BEFORE
        self.oncall, notes = oncall_data(pages, start=start, end=self.now + ONCALL_AFTER)
        self.notes.extend(notes)

    # -- rendering ------------------------------------------------------------------------

    def _render_page(self, template: str, current: str, **values: Any) -> str:
        """The page at ``current`` from ``template``: what every page needs, then ``values``."""
        here = {"root": "../" * current.count("/"), "current": current}
        page = self.templates.get_template(f"{template}.html")
        return str(page.render({**self._shared, **here, **values}))

    @cached_property
    def _shared(self) -> dict[str, Any]:
        """What every page's template needs: computed once per build (and after a change)."""
        from opsdocs import __version__

        nav = [
            {"href": href, "label": label}
            for href, label in _NAV
            if (href != "incidents.html" or self.incidents_configured)
            and (href != "oncall.html" or self.oncall is not None)
        ]
        scripts = ["assets/site.js"]
        if self.oncall is not None:
            scripts.insert(0, "assets/oncall-data.js")
        return {
            "nav": nav,
            "site_name": SITE_NAME,
            "version": __version__,
            "built": self.today.isoformat(),
            "docs_dir": self.workspace.config.docs_dir,
            "findings_total": len(self.findings),
            "fmt_time": _fmt_time,
            "safe_url": _safe_url,
            "today": self.today,
            "scripts": scripts,
            "oncall_teams": {t["name"] for t in self.oncall["teams"]} if self.oncall else set(),
            "service_names": {s.name for s in self.services},
        }

    def _next_review(self, page: DocPage) -> dt.date | None:
        """The day the document's review falls due (None: a kind without reviews, no date)."""
        if page.kind is None or not page.kind.reviewed:
            return None
        reviewed = as_date(page.fm.get("last_reviewed"))
        if reviewed is None:
            return None
        every = page.fm.get("review_every")
        return review_due(
            reviewed, every if isinstance(every, str) else self.workspace.config.review_every
        )

    def _overdue(self, page: DocPage) -> dt.date | None:
        """The day the document's review fell due, when that is past."""
        due = self._next_review(page)
        return due if due is not None and due < self.today else None

    def _facts(self, page: DocPage) -> list[tuple[str, str]]:
        fm = page.fm
        facts: list[tuple[str, str]] = []
        for key, label in (
            ("owner", "Owner"),
            ("service", "Service"),
            ("tier", "Tier"),
            ("severity", "Severity"),
            ("status", "Status"),
            ("last_reviewed", "Last reviewed"),
            ("review_every", "Review every"),
            ("due", "Due"),
            ("postmortem_due", "Postmortem due"),
        ):
            value = fm.get(key)
            if isinstance(value, str | int | float | dt.date) and not isinstance(value, bool):
                facts.append((label, str(value)))
        due = self._next_review(page)
        if due is not None:
            facts.append(("Next review", due.isoformat()))
        return facts

    def _banners(self, page: DocPage) -> list[dict[str, Any]]:
        banners: list[dict[str, Any]] = []

        def add(level: str, title: str, text: str = "", items: list[str] | None = None) -> None:
            banners.append({"level": level, "title": title, "text": text, "items": items or []})

        if page.problems:
            add(
                "bad",
                "This document could not be read whole.",
                "What is shown below may be incomplete.",
                page.problems,
            )
        overdue = self._overdue(page)
        if overdue is not None:
            add("warn", "Review overdue.", f"The review was due on {overdue.isoformat()}.")
        errors = [f for f in page.findings if f.severity == "error"]
        if errors:
            add(
                "bad",
                f"opsdocs check reports {len(errors)} error"
                f"{'' if len(errors) == 1 else 's'} in this document.",
                items=[f"line {f.line}: {f.code} {f.message}" for f in errors[:20]],
            )
        return banners

    def _of_kind(self, name: str) -> list[DocPage]:
        return [p for p in self.pages.values() if p.kind is not None and p.kind.name == name]

    def _document_page(self, page: DocPage) -> str:
        from markupsafe import Markup

        rendered = page.rendered
        service = self._page_service.get(page.href)
        return self._render_page(
            "document",
            page.href,
            title=page.title,
            page=page,
            facts=self._facts(page),
            banners=self._banners(page),
            has_h1=bool(rendered and any(level == 1 for level, _, _ in rendered.outline)),
            body=Markup(rendered.html) if rendered is not None else None,
            service_href=service.href if service else None,
            service_name=service.name if service else None,
        )

    def _finding_rows(self, findings: Iterable[Diagnostic]) -> list[dict[str, Any]]:
        rows = []
        for f in findings:
            page = self.page_at(f.abspath)
            rel = os.path.relpath(f.abspath, self.workspace.root) if f.abspath else f.path
            rows.append(
                {
                    "path": rel,
                    "href": page.href if page is not None else None,
                    "line": f.line,
                    "col": f.col,
                    "code": f.code,
                    "name": f.name,
                    "severity": f.severity,
                    "level": "bad" if f.severity == "error" else "warn",
                    "message": f.message,
                    "hint": f.hint,
                }
            )
        return rows

    def _blocks(self, page: DocPage | None, current: str) -> list[Any]:
        """The status blocks of ``page`` as HTML for the page at ``current``."""
        from markupsafe import Markup

        from opsdocs.site.areas import status_blocks
        from opsdocs.site.markdown import render_markdown

        if page is None:
            return []
        links = self.links

        def link(href: str, image: bool) -> str | None:
            return links.target(current, page.source, href, image)

        return [
            Markup(render_markdown(text, line, link, ids=False).html)
            for _, text, line in status_blocks(page)
        ]

    def _home(self) -> str:
        errors = sum(1 for f in self.findings if f.severity == "error")
        areas = []
        for kind_name, title in (("capacity", "Capacity"), ("cost", "Cost")):
            pages = self._of_kind(kind_name)
            if not pages:
                continue
            found = [f for p in pages for f in p.findings]
            areas.append(
                {
                    "id": kind_name,
                    "title": title,
                    "pages": pages,
                    "findings": self._finding_rows(found),
                    "blocks": [(p, html) for p in pages for html in self._blocks(p, "index.html")],
                }
            )
        dr_findings = self._finding_rows(self.dr_page.findings) if self.dr_page else []
        systems = self.dr_page.fm.get("systems") if self.dr_page else None
        return self._render_page(
            "home",
            "index.html",
            title="Home",
            counts=f"{len(self.services)} services, {len(self.pages)} documents.",
            notes=self.notes,
            services=self.services,
            oncall=self.oncall is not None,
            incidents_configured=self.incidents_configured,
            open_incidents=[i for i in self.incidents if i.open],
            dr_page=self.dr_page,
            dr_systems=len(systems) if isinstance(systems, list) else 0,
            dr_findings=dr_findings,
            dr_blocks=self._blocks(self.dr_page, "index.html"),
            warning_areas=areas,
            errors=errors,
            warnings=len(self.findings) - errors,
            overdue=sum(1 for p in self.pages.values() if self._overdue(p) is not None),
            documents=len(self.pages),
        )

    def _service(self, service: Service) -> str:
        charts = []
        for row in service.slos:
            for label, href in row.charts:
                target = self.links.target(service.href, row.page.source, href, True)
                if target is None:
                    continue
                charts.append(
                    {
                        "src": posixpath.normpath(posixpath.join("services", target)),
                        "alt": f"Error budget of {service.name}/{label} over its period: "
                        f"{row.budget} remaining, status {row.status}.",
                        "caption": f"{label}: error budget remaining over time",
                    }
                )
        runbook_sections = (
            [h for h in service.runbook.rendered.outline if h[0] == 2]
            if service.runbook is not None and service.runbook.rendered is not None
            else []
        )
        return self._render_page(
            "service",
            service.href,
            title=service.name,
            s=service,
            charts=charts,
            runbook_sections=runbook_sections,
            slo_measured={r.page.href: True for r in service.slos},
            other_blocks=[
                (p, html) for p in service.others for html in self._blocks(p, service.href)
            ],
            dr_page=self.dr_page,
        )

    def _incidents(self) -> str:
        playbook = next(iter(self._of_kind("incident-response")), None)
        return self._render_page(
            "incidents",
            "incidents.html",
            title="Incidents",
            playbook=playbook,
            open_incidents=[i for i in self.incidents if i.open],
            recent=[i for i in self.incidents if not i.open][:50],
            postmortems=sorted(self.postmortems, key=lambda p: p.page.rel, reverse=True),
        )

    def _oncall_page(self) -> str:
        assert self.oncall is not None
        oncall_pages = self._of_kind("on-call")
        teams = []
        for team in self.oncall["teams"]:
            names = (f"name: {team['name']}", f'name: "{team["name"]}"')
            pages = [
                p for p in oncall_pages if p.doc is not None and any(n in p.doc.text for n in names)
            ]
            teams.append({"name": team["name"], "zones": team["zones"], "pages": pages})
        return self._render_page(
            "oncall",
            "oncall.html",
            title="On-call",
            teams=teams,
            covers_from=dt.datetime.fromtimestamp(self.oncall["from"] / 1000, UTC),
            covers_to=dt.datetime.fromtimestamp(self.oncall["to"] / 1000, UTC),
        )

    def _findings_page(self) -> str:
        from opsdocs.check.findings import CheckResult

        summary = CheckResult(findings=self.findings, files=len(self.pages)).summary()
        if not self.options.check:
            summary = "The site was built without running the checks."
        rows = self._finding_rows(self.findings)
        return self._render_page(
            "findings",
            "findings.html",
            title="Findings",
            summary=summary,
            findings=rows,
            rows=_finding_html(rows),
        )

    def _documents_page(self) -> str:
        from opsdocs.documents.kinds import all_kinds

        groups = []
        for kind in [*all_kinds(), None]:
            pages = [p for p in self.pages.values() if p.kind is kind]
            if pages:
                name, title = (kind.name, kind.index_heading) if kind else ("other", "Other pages")
                rows = _document_rows(pages, self._badges)
                groups.append({"id": name, "title": title, "rows": rows})
        return self._render_page("documents", "documents.html", title="Documents", groups=groups)

    def _badges(self, page: DocPage) -> list[tuple[str, str]]:
        """The state of the document on the documents page: (level, text) each."""
        badges = [("bad", "unreadable")] if page.problems else []
        errors = sum(1 for f in page.findings if f.severity == "error")
        if errors:
            badges.append(("bad", f"{errors} error{'' if errors == 1 else 's'}"))
        if self._overdue(page) is not None:
            badges.append(("warn", "review overdue"))
        return badges or [("ok", "ok")]

    def _search_entry(self, page: DocPage) -> str:
        """The page's entry of the search index, as JSON: kept, so that a rebuild after one
        edit serialises one entry, not the whole index."""
        rendered = page.rendered
        words: dict[str, None] = {}
        text = rendered.text if rendered is not None else ""
        for word in text.lower().split():
            word = word.strip(".,;:!?()[]{}\"'`*_<>|")
            if len(word) > 1 and len(word) < 40:
                words.setdefault(word, None)
                if len(words) >= SEARCH_WORDS:
                    break
        entry = {
            "t": page.title,
            "u": page.href,
            "k": page.kind.label if page.kind is not None else "Document",
            "h": [[t, a] for level, t, a in (rendered.headings if rendered else []) if level > 1],
            "s": text[:200],
            "w": " ".join(words),
        }
        return json.dumps(entry, separators=(",", ":"))

    def _search_index(self) -> str:
        entries = (self._search[p.href] for p in self.pages.values() if p.href in self._search)
        return "window.OPSDOCS_SEARCH = [" + ",".join(entries) + "];\n"

    # -- the whole site -------------------------------------------------------------------

    def _outputs(self) -> Iterator[tuple[str, str]]:
        """Every file of the site (site path, text), pictures copied separately."""
        from opsdocs.site.markdown import highlight_css

        for page in self.pages.values():
            yield page.href, self._document_page(page)
            self._search[page.href] = self._search_entry(page)
        yield from self._shared_outputs()
        scripts = ["assets/search-index.js", *self._shared["scripts"]]
        yield (
            "search.html",
            self._render_page("search", "search.html", title="Search", scripts=scripts),
        )
        yield "assets/search-index.js", self._search_index()
        css = _asset_text("site.css") + "\n/* code highlighting (Pygments) */\n" + highlight_css()
        yield "assets/site.css", css
        yield "assets/site.js", _asset_text("site.js")
        yield MARKER, "This folder is a site built by 'opsdocs site build'.\n"

    def _shared_outputs(
        self, services: set[str] | None = None, areas: bool = True
    ) -> Iterator[tuple[str, str]]:
        """The pages made of many documents: every one, or after an edit the pages of the
        ``services`` named and the incidents and on-call pages only with ``areas``."""
        yield "index.html", self._home()
        yield "documents.html", self._documents_page()
        for service in self.services:
            if services is None or service.name in services:
                yield service.href, self._service(service)
        if areas:
            if self.incidents_configured:
                yield "incidents.html", self._incidents()
            if self.oncall is not None:
                yield "oncall.html", self._oncall_page()
                data = json.dumps(self.oncall, separators=(",", ":"))
                yield "assets/oncall-data.js", f"window.OPSDOCS_ONCALL = {data};\n"
        yield "findings.html", self._findings_page()

    def _digested(self, outputs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        """``outputs``, each remembered by its digest (a rebuild rewrites only what changed)."""
        for site_path, text in outputs:
            self._digests[site_path] = _digest(text)
            yield site_path, text

    def build(self) -> BuildResult:
        """Read, check and render everything; replace the output folder at the end.

        Raises :class:`UsageError` when ``out`` holds something other than a site opsdocs built.
        """
        mkdocs = self.options.format == "mkdocs"
        _check_out(self.out)
        self._read()
        if mkdocs:
            # a document's links lead to the other documents in the tree, as written
            by_source = {str(p.source): p.rel for p in self.pages.values()}
            self.links = LinkMap(self.workspace.root, by_source)
            self.links.prefix = "portal/files/"
        # the check first, while this process is small: its worker processes fork from it
        self._run_check()
        self._render_pages()
        self._collect()
        self._digests = {}
        if not mkdocs:
            self._stage(self._digested(self._outputs()), "")
            return self._result(sorted(self._digests))
        from opsdocs.site.mkdocs import mkdocs_outputs

        marker = (MARKER, "This folder was built by 'opsdocs site build'.\n")
        written = sorted(self._stage([*mkdocs_outputs(self), marker], "docs/"))
        return self._result(written, pages=sum(1 for p in written if p.endswith(".md")))

    def _stage(self, outputs: Iterable[tuple[str, str]], pictures: str) -> list[str]:
        """Write ``outputs`` and the pictures (under ``pictures``) into a new folder beside the
        output folder, then put it in the output's place; the paths written."""
        parent = self.out.parent
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", dir=parent))
        written: list[str] = []
        try:
            for site_path, text in outputs:
                _write(staging / site_path, text)
                written.append(site_path)
            for site_path, source in self.links.assets.items():
                target = staging / pictures / site_path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                written.append(f"{pictures}{site_path}")
            _swap(staging, self.out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return written

    # -- one document changed --------------------------------------------------------------

    def refresh(self, changed: Iterable[Path], *, check: bool = True) -> BuildResult:
        """Bring the site up to date after the documents at ``changed`` were edited: render
        their pages again and the pages that show something of them (their services, the home
        page, the lists, the search index), and write only the files whose text changed. A
        document added or removed changes the links of others: that is a full build.

        With ``check``, the changed documents are checked again first, and the cross-document
        rules over what the others were found to hold, so that findings the edit causes or
        clears in other documents (a link to a heading that was renamed) show at once;
        without it, call :meth:`recheck` afterwards, as ``site serve`` does, so that the page
        is up before its findings are."""
        docs_dir = self.workspace.docs_dir.resolve()
        targets: list[DocPage] = []
        for path in changed:
            real = os.path.realpath(path)
            page = self.page_at(real)
            exists = os.path.isfile(real)
            inside = real.startswith(str(docs_dir) + os.sep) and real.lower().endswith(
                (".md", ".markdown")
            )
            if page is None and not inside:
                continue  # a file the site does not show
            if page is None or not exists or not self._digests:
                return self.build()
            targets.append(page)
        return self._apply(targets, reread=True, check=check and self.options.check)

    def recheck(self, changed: Iterable[Path]) -> BuildResult:
        """Check the documents at ``changed`` again and rewrite the pages the folder's findings
        show on where they changed (after :meth:`refresh` with ``check=False``)."""
        targets = [p for p in (self.page_at(os.path.realpath(c)) for c in changed) if p]
        if not self.options.check:
            return self._result([])
        return self._apply(targets, reread=False, check=True)

    # the site holds every page's document and HTML alive for the whole rebuild
    @collector.paused()
    def _apply(self, targets: list[DocPage], *, reread: bool, check: bool) -> BuildResult:
        if not targets:
            return self._result([])
        before = {id(p): self._page_service.get(p.href) for p in targets}
        signatures = {p.rel: self._signature(p) for p in targets}
        findings_before = list(self.findings)
        found_before = {rel: list(p.findings) for rel, p in self.pages.items()}
        for old in targets if reread else []:
            page = read_page(old.source, old.rel)
            page.findings = old.findings  # until they are checked again
            self.pages[old.rel] = page
            self._by_real[os.path.realpath(page.source)] = page
            self._render_pages([page])
        if check and self._checker is not None:
            # the findings of the whole folder again: the changed documents are checked again,
            # the cross-document rules run over what the others were found to hold (a link to
            # a heading that was renamed, the index)
            self.findings = self._checker.recheck([p.source for p in targets]).findings
            self._assign_findings()
        # other documents whose findings the edit changed (a link to a heading it renamed)
        others = [
            p
            for rel, p in self.pages.items()
            if rel not in signatures and p.findings != found_before[rel]
        ]
        # what other pages show of a document (title, owner, headings, status, findings...):
        # when none of it changed, as for most edits, only its own page is written again
        shared = self.findings != findings_before or any(
            self._signature(self.pages[p.rel]) != signatures[p.rel] for p in targets
        )
        if shared:
            self._collect()
        written: list[str] = []
        outputs: list[tuple[str, str]] = []
        kinds: set[str] = set()
        services = {s.name for s in before.values() if s is not None}
        for old in [*targets, *others]:
            page = self.pages[old.rel]
            if not shared and page is not old:  # the areas hold the old page: point them on
                self._swap_page(old, page)
            outputs.append((page.href, self._document_page(page)))
            self._search[page.href] = self._search_entry(page)
            kinds.update(each.kind.name for each in (old, page) if each.kind is not None)
            service = self._page_service.get(page.href)
            if service is not None:
                services.add(service.name)
        if shared:
            areas = bool(kinds & {"incident", "postmortem", "incident-response", "on-call"})
            outputs.extend(self._shared_outputs(services, areas))
        outputs.append(("assets/search-index.js", self._search_index()))
        for site_path, text in outputs:
            digest = _digest(text)
            if self._digests.get(site_path) == digest:
                continue
            # a reader never sees half a page
            atomic_write(self.out / site_path, text)
            self._digests[site_path] = digest
            written.append(site_path)
        for site_path, source in self.links.assets.items():
            target = self.out / site_path
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                written.append(site_path)
        return self._result(written)

    def _signature(self, page: DocPage) -> tuple[Any, ...]:
        """Everything of a document that a page other than its own shows."""
        from opsdocs.site.areas import slo_rows, status_blocks

        fm = page.fm
        shown = tuple(
            (key, repr(fm.get(key)))
            for key in (
                "title",
                "owner",
                "service",
                "tier",
                "status",
                "severity",
                "last_reviewed",
                "review_every",
                "services",
                "milestones",
                "roles",
                "incident",
                "due",
                "action_items",
                "teams",
                "systems",
                "drill",
                "id",
            )
        )
        rows = tuple((r.name, r.status, r.objective, r.sli, r.budget) for r in slo_rows(page))
        headings = page.rendered.headings if page.rendered is not None else []
        incident = page.doc is not None and page.kind is not None and page.kind.name == "incident"
        timeline = page.doc.text if incident and page.doc is not None else ""
        return (
            page.title,
            page.kind,
            tuple(page.problems),
            shown,
            rows,
            tuple(headings),
            tuple(status_blocks(page)),
            timeline,
            tuple((f.code, f.line, f.col, f.message) for f in page.findings),
        )

    def _swap_page(self, old: DocPage, new: DocPage) -> None:
        """Point the services at ``new`` in place of ``old`` (nothing they show changed)."""
        service = self._page_service.get(old.href)
        if service is None:
            return
        if service.runbook is old:
            service.runbook = new
        service.slo_pages = [new if p is old else p for p in service.slo_pages]
        service.others = [new if p is old else p for p in service.others]
        for row in service.slos:
            if row.page is old:
                row.page = new

    def _result(self, written: list[str], pages: int | None = None) -> BuildResult:
        if pages is None:
            pages = sum(1 for p in self._digests if p.endswith(".html"))
        return BuildResult(
            out=self.out,
            documents=len(self.pages),
            pages=pages,
            findings=len(self.findings),
            written=written,
            notes=list(self.notes),
        )


# The two tables with a row per document or finding are written here rather than in the
# template: on a 10,000-document folder the sandbox's checked attribute access per cell is most
# of their time. Every value is escaped.


def _finding_html(rows: list[dict[str, Any]]) -> Any:
    from markupsafe import Markup, escape

    out = []
    for f in rows:
        where = escape(f["path"])
        if f["href"]:
            where = Markup('<a href="{}">{}</a>').format(f["href"], f["path"])
        hint = Markup('<br><span class="muted">{}</span>').format(f["hint"]) if f["hint"] else ""
        out.append(
            Markup(
                '<tr><td>{}:{}:{}</td><td><code>{}</code> {}</td><td><span class="badge {}">{}'
                "</span></td><td>{}{}</td></tr>"
            ).format(
                where,
                f["line"],
                f["col"],
                f["code"],
                f["name"],
                f["level"],
                f["severity"],
                f["message"],
                hint,
            )
        )
    return Markup("\n").join(out)


def _document_rows(pages: list[DocPage], badges: Callable[[DocPage], list[tuple[str, str]]]) -> Any:
    from markupsafe import Markup

    out = []
    for p in pages:
        owner = p.fm.get("owner")
        reviewed = as_date(p.fm.get("last_reviewed"))
        out.append(
            Markup(
                '<tr><th scope="row"><a href="{}">{}</a><br><code class="muted">{}</code></th>'
                "<td>{}</td><td>{}</td><td>{}</td></tr>"
            ).format(
                p.href,
                p.title,
                p.rel,
                owner if isinstance(owner, str) else "—",
                reviewed.isoformat() if reviewed is not None else "—",
                Markup(" ").join(
                    Markup('<span class="badge {}">{}</span>').format(level, text)
                    for level, text in badges(p)
                ),
            )
        )
    return Markup("\n").join(out)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


#: Below this many documents, worker processes cost more than they save.
PARALLEL_THRESHOLD = 200
_WORKER_LINKS: LinkMap | None = None
_Job = tuple[str, str, str, int]  # page href, source path, Markdown body, its first file line


def _render_job(job: _Job, links: LinkMap | None = None) -> tuple[Rendered, dict[str, str]]:
    from opsdocs.site.markdown import render_markdown

    href, source, body, body_line = job
    links = links if links is not None else _WORKER_LINKS
    assert links is not None
    before = set(links.assets)
    path = Path(source)

    def link(target: str, image: bool) -> str | None:
        return links.target(href, path, target, image)

    rendered = render_markdown(body, body_line, link)
    return rendered, {k: v for k, v in links.assets.items() if k not in before}


def _init_worker(links: LinkMap) -> None:
    global _WORKER_LINKS
    _WORKER_LINKS = links


def _render_all(links: LinkMap, jobs: list[_Job]) -> Iterator[tuple[Rendered, dict[str, str]]]:
    """Every document's HTML, in worker processes when there are many (Markdown parsing is
    most of a big build's time)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_THRESHOLD or workers < 2:
        for job in jobs:
            yield _render_job(job, links)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(links,)) as pool:
        yield from pool.map(_render_job, jobs, chunksize=32)


def _asset_text(name: str) -> str:
    return (resources.files("opsdocs.site") / "assets" / name).read_text(encoding="utf-8")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file, not a folder", hint="pass a folder with --out")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise UsageError(
            f"{out} is not empty and is not a site opsdocs built",
            hint="pass a new or empty folder with --out, or remove it first",
        )


def _swap(staging: Path, out: Path) -> None:
    """Put the new site in place of the old one (a rename each)."""
    old: Path | None = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
