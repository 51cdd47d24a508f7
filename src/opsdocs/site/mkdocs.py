"""``opsdocs site build --format mkdocs``: the same folder for MkDocs or Backstage TechDocs.

Writes ``mkdocs.yml`` (the navigation) and a ``docs/`` tree: every document of the operations
folder at its own relative path (so the links between documents keep working; one written
from the repository's root or to a folder is moved to the document's path), the pictures
they show under ``portal/files/``, and the portal's own pages (home, services, incidents,
findings) as Markdown under ``portal/``. The on-call page needs the browser script of the HTML
site, so this tree links the on-call documents instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from opsdocs.site.pages import SITE_NAME, DocPage, relative_href

if TYPE_CHECKING:
    from opsdocs.site.areas import Service

# The writer takes the built site's data (a :class:`opsdocs.site.build.Site`, typed loosely:
# build imports this module when asked for MkDocs, so this one does not import it back).
Site = Any

__all__ = ["mkdocs_outputs"]

PORTAL = "portal"
_SPECIAL = re.compile(r"([\\`*_\[\]|!#~])")


def escape(text: object) -> str:
    """``text`` as literal Markdown inline text (one line; no HTML, no markup)."""
    line = " ".join(str(text).split())
    line = line.replace("&", "&amp;").replace("<", "&lt;")
    return _SPECIAL.sub(r"\\\1", line)


def _link(label: object, source: str, target: str) -> str:
    return f"[{escape(label)}](<{relative_href(source, target)}>)"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    """The table's lines and the blank line that ends it."""
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines.extend("| " + " | ".join(cell or "—" for cell in row) + " |" for row in rows)
    return [*lines, ""]


def _home(site: Site) -> str:
    here = f"{PORTAL}/index.md"
    lines = [
        f"# {escape(SITE_NAME)}",
        "",
        f"{len(site.services)} services, {len(site.pages)} documents.",
        "",
    ]
    if site.services:
        lines += ["## Services", ""]
        rows = []
        for s in site.services:
            rows.append(
                [
                    _link(s.name, here, f"{PORTAL}/services/{s.name}.md"),
                    escape(s.owner or "—"),
                    "<br>".join(f"{escape(r.name)}: {escape(r.status)}" for r in s.slos) or "—",
                    "<br>".join(escape(r.budget) for r in s.slos) or "—",
                    _link(s.runbook.title, here, s.runbook.rel) if s.runbook else "—",
                ]
            )
        lines += _table(["Service", "Owner", "SLOs", "Budget remaining", "Runbook"], rows)
    open_incidents = [i for i in site.incidents if i.open]
    if site.incidents_configured:
        lines += ["## Open incidents", ""]
        if not open_incidents:
            lines.append("No open incidents.")
        for i in open_incidents:
            lines.append(
                f"- {_link(i.title, here, i.page.rel)}: {escape(i.severity)}, {escape(i.status)}"
            )
        lines.append("")
    if site.dr_page is not None:
        lines += [
            "## Disaster recovery",
            "",
            _link(site.dr_page.title, here, site.dr_page.rel),
            "",
        ]
    errors = sum(1 for f in site.findings if f.severity == "error")
    lines += [
        "## Documentation health",
        "",
        f"{errors} errors, {len(site.findings) - errors} warnings: "
        + _link("findings", here, f"{PORTAL}/findings.md")
        + ".",
        "",
    ]
    return "\n".join(lines)


def _service(site: Site, s: Service) -> str:
    here = f"{PORTAL}/services/{s.name}.md"
    lines = [f"# {escape(s.name)}", "", f"Owner: {escape(s.owner or '—')}", ""]
    lines += ["## Runbook", ""]
    if s.runbook is not None:
        lines.append("- " + _link(s.runbook.title, here, s.runbook.rel))
        for level, text, anchor in s.runbook.rendered.outline if s.runbook.rendered else []:
            if level == 2:
                target = relative_href(here, s.runbook.rel) + "#" + anchor
                lines.append(f"    - [{escape(text)}](<{target}>)")
    else:
        lines.append("No runbook names this service.")
    lines.append("")
    if s.slo_pages:
        lines += ["## SLOs", ""]
        rows = [
            [
                _link(r.name, here, r.page.rel),
                escape(r.status),
                escape(r.objective),
                escape(r.sli),
                escape(r.budget),
            ]
            for r in s.slos
        ]
        if rows:
            lines += _table(["SLO", "Status", "Objective", "SLI", "Budget remaining"], rows)
        for r in s.slos:
            for label, href in r.charts:
                chart = site.links.target(here, r.page.source, href, True)
                if chart is not None:
                    alt = f"Error budget of {s.name}/{label} over its period"
                    lines += [f"![{escape(alt)}](<{chart}>)", ""]
        lines += [f"- {_link(p.title, here, p.rel)}" for p in s.slo_pages]
        lines.append("")
    if s.alerts:
        lines += ["## Alerts", ""]
        rows = [
            [
                f"`{a['name']}`" if "`" not in a["name"] else escape(a["name"]),
                escape(a["severity"] or "—"),
                escape(a["file"]),
            ]
            for a in s.alerts
        ]
        lines += _table(["Alert", "Severity", "Rule file"], rows)
    if s.incidents:
        lines += ["## Recent incidents", ""]
        lines += [
            f"- {_link(i.title, here, i.page.rel)}: {escape(i.severity)}, {escape(i.status)}"
            for i in s.incidents[:10]
        ]
        lines.append("")
    if s.dr is not None:
        lines += [
            "## Disaster recovery",
            "",
            f"Tier {escape(s.dr.get('tier'))}, RTO {escape(s.dr.get('rto') or '—')}, "
            f"RPO {escape(s.dr.get('rpo') or '—')}.",
            "",
        ]
    if s.others:
        lines += ["## More", ""]
        lines += [f"- {_link(p.title, here, p.rel)}" for p in s.others]
        lines.append("")
    return "\n".join(lines)


def _incidents(site: Site) -> str:
    here = f"{PORTAL}/incidents.md"
    lines = ["# Incidents", ""]
    for title, group in (
        ("Open", [i for i in site.incidents if i.open]),
        ("Recent", [i for i in site.incidents if not i.open][:50]),
    ):
        lines += [f"## {title}", ""]
        if not group:
            lines += ["None.", ""]
        for i in group:
            lines.append(f"### {escape(i.title)}")
            lines += [
                "",
                f"{_link(i.id, here, i.page.rel)}: {escape(i.severity)}, {escape(i.status)}",
                "",
            ]
            lines += [f"- {when.isoformat()} {escape(text)}" for when, text in i.timeline]
            lines.append("")
    if site.postmortems:
        lines += ["## Postmortems", ""]
        for pm in site.postmortems:
            lines += [
                f"### {escape(pm.page.title)}",
                "",
                f"{_link('Postmortem', here, pm.page.rel)}: {escape(pm.status)}",
                "",
            ]
            if pm.action_items:
                rows = [
                    [
                        escape(a.what),
                        escape(a.owner or "—"),
                        a.due.isoformat() if a.due else "—",
                        escape(a.status),
                    ]
                    for a in pm.action_items
                ]
                lines += _table(["What", "Owner", "Due", "Status"], rows)
    return "\n".join(lines)


def _findings(site: Site) -> str:
    here = f"{PORTAL}/findings.md"
    lines = ["# Findings", "", "From `opsdocs check`.", ""]
    rows = []
    for f in site.findings:
        page = site.page_at(f.abspath)
        where = f"{escape(page.rel if page else f.path)}:{f.line}:{f.col}"
        if page is not None:
            where = f"[{where}](<{relative_href(here, page.rel)}>)"
        rows.append([where, f"`{f.code}` {escape(f.name)}", escape(f.severity), escape(f.message)])
    if rows:
        lines += _table(["Where", "Rule", "Severity", "Finding"], rows)
    else:
        lines += ["All checks passed.", ""]
    return "\n".join(lines)


def _document(site: Site, page: DocPage) -> str:
    """The document as written, with each relative link that leads to another document moved
    to that document's path in the tree (a link from the repository's root, to a folder's
    README), and each picture link to the picture's copy."""
    assert page.doc is not None
    text = page.doc.text
    for token in page.doc.tokens:
        for child in token.children or []:
            if child.type not in ("image", "link_open"):
                continue
            image = child.type == "image"
            href = str(child.attrs.get("src" if image else "href", ""))
            if not href or "://" in href or href.startswith("#"):
                continue
            # the site's links map each document to its path in the tree (see Site.build)
            target = site.links.target(page.rel, page.source, href, image)
            if target is not None and target != href and f"]({href})" in text:
                text = text.replace(f"]({href})", f"]({target})")
    return text


def mkdocs_outputs(site: Site) -> Iterator[tuple[str, str]]:
    """Every file of the MkDocs tree (path below the output folder, text)."""
    from opsdocs.yamlio import dump_yaml

    nav: list[object] = [{"Home": f"{PORTAL}/index.md"}]
    yield f"docs/{PORTAL}/index.md", _home(site)
    if site.services:
        yield from (
            (f"docs/{PORTAL}/services/{s.name}.md", _service(site, s)) for s in site.services
        )
        nav.append(
            {"Services": [{s.name: f"{PORTAL}/services/{s.name}.md"} for s in site.services]}
        )
    from opsdocs.documents.kinds import all_kinds

    for page in site.pages.values():
        if page.doc is not None:
            yield f"docs/{page.rel}", _document(site, page)
    for kind in all_kinds():
        pages = [p for p in site.pages.values() if p.kind is kind and p.doc is not None]
        if pages:
            nav.append({kind.index_heading: [{p.title: p.rel} for p in pages]})
    other = [p for p in site.pages.values() if p.kind is None and p.doc is not None]
    if other:
        nav.append({"Other pages": [{p.title: p.rel} for p in other]})
    if site.incidents_configured:
        yield f"docs/{PORTAL}/incidents.md", _incidents(site)
        nav.append({"Incidents": f"{PORTAL}/incidents.md"})
    yield f"docs/{PORTAL}/findings.md", _findings(site)
    nav.append({"Findings": f"{PORTAL}/findings.md"})
    config = {
        "site_name": SITE_NAME,
        "docs_dir": "docs",
        "use_directory_urls": False,
        "nav": nav,
    }
    yield "mkdocs.yml", dump_yaml(config)
