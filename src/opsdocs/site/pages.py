"""The documents of the portal: every Markdown file of the operations folder, read once, with
where its page goes and how a link in it becomes a link on the site."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from opsdocs.documents.kinds import Kind, kind_for_filename
from opsdocs.documents.parse import Document, read_document
from opsdocs.errors import OpsdocsError

if TYPE_CHECKING:
    from opsdocs.site.markdown import Rendered

__all__ = ["DocPage", "LinkMap", "read_page", "relative_href", "walk_documents"]

#: The portal's name, on every page.
SITE_NAME = "How We Run"
_MARKDOWN = (".md", ".markdown")
#: Files a document may show or link that the portal copies: pictures (the SLO charts).
ASSET_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")
_INDEX_NAMES = ("README.md", "index.md", "_index.md")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_SAFE_SCHEMES = ("http", "https", "mailto")
# an SVG opened on its own runs its scripts: one that carries any is not published
_SVG_ACTIVE = re.compile(rb"<script|javascript:|\son[a-z]+\s*=|<foreignObject", re.IGNORECASE)


def relative_href(source: str, target: str) -> str:
    """The relative URL from the page at ``source`` to ``target`` (both site paths)."""
    base = posixpath.dirname(source)
    rel = posixpath.relpath(target, base or ".")
    return quote(rel, safe="/#-._~")


@dataclass(eq=False)
class DocPage:
    """One document of the folder and its page on the site."""

    source: Path  # absolute
    rel: str  # below the operations folder, '/'-separated
    href: str  # where the page goes on the site ("docs/runbook-api.html")
    doc: Document | None = None
    error: OpsdocsError | None = None  # could not be read at all
    kind: Kind | None = None
    rendered: Rendered | None = None
    findings: list[Any] = field(default_factory=list)  # Diagnostic of check for this file

    @property
    def fm(self) -> dict[str, Any]:
        if self.doc is None or not isinstance(self.doc.front_matter, dict):
            return {}
        return self.doc.front_matter

    @cached_property
    def title(self) -> str:
        title = self.fm.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
        if self.doc is not None and self.doc.title:
            return self.doc.title
        return self.rel

    @property
    def name(self) -> str | None:
        """The NAME of the kind's file name (``runbook-NAME.md``), if any."""
        if self.kind is None:
            return None
        return self.kind.match(Path(self.rel).name) or None

    @property
    def unreadable_front_matter(self) -> bool:
        """The document starts a front matter that could not be read (bad YAML, never closed,
        not a mapping): it says nothing the site can trust about itself."""
        doc = self.doc
        if doc is None or doc.front_matter is not None:
            return False
        return any(p.code.startswith("front-matter") for p in doc.problems)

    @property
    def problems(self) -> list[str]:
        """Why the document could not be read or parsed whole, as one line each."""
        if self.error is not None:
            return [self.error.format().replace(str(self.source), self.rel)]
        if self.doc is None:
            return []
        return [f"{self.rel}:{p.line}:{p.col}: {p.message}" for p in self.doc.problems]


def walk_documents(docs_dir: Path) -> list[tuple[Path, str]]:
    """(absolute path, path below ``docs_dir``) of every Markdown file, sorted; hidden folders
    and ``node_modules`` skipped."""
    found: list[tuple[Path, str]] = []
    if not docs_dir.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(docs_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        for name in filenames:
            if name.lower().endswith(_MARKDOWN) and not name.startswith("."):
                full = Path(dirpath, name)
                found.append((full, full.relative_to(docs_dir).as_posix()))
    found.sort(key=lambda item: item[1])
    return found


def read_page(source: Path, rel: str) -> DocPage:
    """Read and parse one document; a file that cannot be read is a page with its error."""
    folder, _, name = rel.rpartition("/")
    kind = kind_for_filename(name, folder)
    href = f"docs/{posixpath.splitext(rel)[0]}.html"
    page = DocPage(source=source, rel=rel, href=href, kind=kind)
    try:
        page.doc = read_document(source)
    except OpsdocsError as exc:
        page.error = exc
    return page


class LinkMap:
    """How a link written in a document becomes a link on the site.

    Built from plain data (every document's source path and page) so that worker processes
    rendering documents can hold one."""

    def __init__(self, root: Path, pages: dict[str, str]) -> None:
        self.root = os.path.realpath(root)
        #: normalised source path -> site path of its page
        self.by_source = {os.path.normpath(source): href for source, href in pages.items()}
        #: site path -> source file of every picture a page shows (copied by the build)
        self.assets: dict[str, str] = {}
        #: where the pictures go on the site
        self.prefix = "files/"

    def page_for(self, path: str) -> str | None:
        """The site path of the page of the file (or folder index) at ``path``."""
        path = os.path.normpath(path)
        found = self.by_source.get(path)
        if found is None and os.path.isdir(path):
            for name in _INDEX_NAMES:
                found = self.by_source.get(os.path.join(path, name))
                if found is not None:
                    break
        return found

    def target(self, page_href: str, source: Path, href: str, image: bool) -> str | None:
        """The site URL for ``href`` written in ``source`` (whose page is ``page_href``)."""
        href = href.strip()
        if not href:
            return None
        if href.startswith("#"):
            return None if image else href
        scheme = _SCHEME.match(href)
        if scheme is not None:
            return href if scheme.group(1).lower() in _SAFE_SCHEMES else None
        if href.startswith("//"):
            return href
        path, _, fragment = href.partition("#")
        path = unquote(path.split("?", 1)[0])
        if path.startswith("/"):
            full = os.path.join(self.root, path.lstrip("/"))
        else:
            full = os.path.join(os.path.dirname(str(source)), path)
        full = os.path.normpath(full)
        suffix = f"#{fragment}" if fragment else ""
        found = None if image else self.page_for(full)
        if found is not None:
            return relative_href(page_href, found) + suffix
        asset = self._asset(full)
        if asset is not None:
            return relative_href(page_href, asset)
        return None

    def _asset(self, full: str) -> str | None:
        if not full.lower().endswith(ASSET_SUFFIXES) or not os.path.isfile(full):
            return None
        real = os.path.realpath(full)
        if not real.startswith(self.root + os.sep):
            return None  # the site publishes the repository's files, nothing outside it
        rel = os.path.relpath(real, self.root).replace(os.sep, "/")
        site_path = f"{self.prefix}{rel}"
        if site_path not in self.assets:
            if real.lower().endswith(".svg"):
                try:
                    with open(real, "rb") as handle:
                        if _SVG_ACTIVE.search(handle.read(4 * 1024 * 1024)):
                            return None
                except OSError:
                    return None
            self.assets[site_path] = real
        return site_path
