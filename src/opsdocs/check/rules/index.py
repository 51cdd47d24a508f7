"""IX: the README index of the operations folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from opsdocs.check.context import WorkspaceContext, real_path
from opsdocs.check.registry import Rule
from opsdocs.diagnostics import Diagnostic
from opsdocs.documents.blocks import replace_block
from opsdocs.documents.folder import index_files
from opsdocs.documents.index import (
    INDEX_END,
    INDEX_START,
    IndexEntry,
    index_key,
    profile_files,
    profile_kind,
    render_index,
)
from opsdocs.documents.kinds import Kind
from opsdocs.errors import DocumentError


def index_entries(ctx: WorkspaceContext, docs_dir: Path) -> list[IndexEntry]:
    """The entries :func:`opsdocs.documents.index.collect_entries` would build, from facts (of
    the same document set: :func:`~opsdocs.documents.folder.index_files`)."""
    entries: list[IndexEntry] = []
    documents = [(kind, path) for kind, _, path in index_files(docs_dir)]
    if ctx.workspace is not None:
        kinds: dict[str, Kind] = {}
        for profile, path in profile_files(ctx.workspace):
            documents.append((kinds.setdefault(profile, profile_kind(profile)), path))
    # index_key and the link, with each folder resolved once: on a folder of thousands of
    # documents, resolving every file's folder was most of this rule's time
    folders: dict[Path, tuple[str, str]] = {}
    for kind, path in documents:
        name = path.name
        known = folders.get(path.parent)
        if known is None:
            folder = Path(os.path.relpath(path.parent, docs_dir)).as_posix()
            known = folders[path.parent] = (os.path.dirname(index_key(path)), folder)
        link = name if known[1] == "." else f"{known[1]}/{name}"
        facts = ctx.facts.get(os.path.join(known[0], name))
        if facts is None or not facts.readable:
            entries.append(IndexEntry(kind, link, name, None, None))
            continue
        entries.append(
            IndexEntry(
                kind,
                link,
                facts.index_title or name,
                facts.owner,
                facts.last_reviewed,
                tuple(facts.index_facts[k] for k in kind.index_facts if k in facts.index_facts),
                facts.index_when,
            )
        )
    return entries


def _stale(ctx: WorkspaceContext) -> Iterator[Diagnostic]:
    workspace = ctx.workspace
    if workspace is None:
        return
    readme = real_path(workspace.readme)
    if readme not in ctx.reported:
        return
    try:
        old = Path(readme).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return  # IN001 reports the README itself
    if INDEX_START not in old and INDEX_END not in old:
        return  # a folder that does not use the opsdocs index
    try:
        new = replace_block(
            old,
            render_index(index_entries(ctx, workspace.docs_dir)),
            path=Path(readme),
            start=INDEX_START,
            end=INDEX_END,
        )
    except DocumentError as exc:
        yield Diagnostic(line=exc.line or 1, col=1, message=exc.message, hint=exc.hint, path=readme)
        return
    if new != old:
        line = old[: old.find(INDEX_START)].count("\n") + 1
        yield Diagnostic(
            line=line,
            col=1,
            message="index is stale: it does not list the documents as they are",
            hint="run 'opsdocs index' or 'opsdocs check --fix'",
            path=readme,
            fixable=True,
        )


RULES = [Rule("IX001", "stale-index", "error", scope="workspace", check=_stale, fixable=True)]
