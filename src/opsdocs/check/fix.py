"""``--fix``: the safe fixes only.

* ST001: insert each missing required section heading, with the template's guidance line, before
  the next required section that is there (or at the end of the document).
* IX001: regenerate the README index (as ``opsdocs index`` does).

All changes are written together (:class:`opsdocs.fileio.ChangeSet`) or not at all. A document
with front-matter problems or an unclosed fence is left alone: inserting text there is not safe.
So is a document without the front matter its kind requires: ``opsdocs adopt`` brings it in.
Line endings (CRLF) and a byte-order mark are kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.check.context import DocContext, resolve_type
from opsdocs.check.findings import CheckResult
from opsdocs.check.registry import Rule, get_rule
from opsdocs.check.rules.structure import missing_sections
from opsdocs.check.settings import CheckSettings, load_settings
from opsdocs.documents.blocks import as_written
from opsdocs.documents.parse import Document, parse_document, read_document
from opsdocs.errors import InputError

if TYPE_CHECKING:
    from opsdocs.fileio import ChangeSet
    from opsdocs.workspace import Workspace

__all__ = ["FixResult", "apply_fixes", "insert_sections"]


@dataclass
class FixResult:
    changes: list[tuple[Path, str]] = field(default_factory=list)  # (file, what changed in it)


def insert_sections(ctx: DocContext) -> tuple[str, list[str]] | None:
    """The document's text with its missing required sections inserted, and their titles."""
    missing = missing_sections(ctx)
    if not missing:
        return None
    guidance = {spec.title: spec.guidance for spec in ctx.doctype.sections}
    lines = list(ctx.doc.lines)
    at_end: list[str] = []
    before: dict[int, list[str]] = {}
    for _, title, after in missing:
        block = [f"## {title}", ""]
        if guidance.get(title):
            block += [f"_{guidance[title]}_", ""]
        if after is None:
            at_end += block
        else:
            before.setdefault(after, []).extend(block)
    for line in sorted(before, reverse=True):
        lines[line - 1 : line - 1] = before[line]
    if at_end:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", *at_end]
    text = "\n".join(lines).rstrip("\n") + "\n"
    return text, [title for _, title, _ in missing]


def _context(
    workspace: Workspace, path: Path, doc: Document, settings: CheckSettings
) -> DocContext:
    rels = [workspace.relative(path).replace(os.sep, "/"), path.name]
    return DocContext(path, doc, resolve_type(doc, rels, settings), rels, settings)


def _write(changes: ChangeSet, path: Path, text: str) -> None:
    """Write ``text`` over the file at ``path`` with the file's line endings and byte-order
    mark."""
    changes.write(path, as_written(path.read_bytes().decode("utf-8", "replace"), text))


def _apply_rule_fixes(
    workspace: Workspace,
    result: CheckResult,
    settings: CheckSettings,
    pending: dict[Path, str],
    changes: ChangeSet,
    outcome: FixResult,
) -> None:
    """Fixes that rules carry themselves (``Rule.fix``), applied on top of earlier fixes."""
    by_path: dict[str, list[Rule]] = {}
    for finding in result.findings:
        rule = get_rule(finding.code)
        if rule.fix is not None and rule not in by_path.setdefault(finding.abspath, []):
            by_path[finding.abspath].append(rule)
    for name, rules in sorted(by_path.items()):
        path = Path(name)
        try:
            raw = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        text = pending.get(path)
        for rule in rules:
            doc = parse_document(path, text if text is not None else raw)
            if doc.problems or doc.unclosed_fence is not None or rule.fix is None:
                continue
            fixed = rule.fix(_context(workspace, path, doc, settings))
            if fixed is None:
                continue
            text = fixed
            outcome.changes.append((path, f"{rule.code} {rule.name}: fixed"))
        if text is not None and text != pending.get(path):
            pending[path] = text
            _write(changes, path, text)


def apply_fixes(workspace: Workspace, result: CheckResult) -> FixResult:
    """Apply the safe fixes for the fixable findings in ``result``; returns what changed."""
    from opsdocs.documents.index import compute_index
    from opsdocs.fileio import locked

    settings = load_settings(workspace.config)
    outcome = FixResult()
    changes = workspace.changes()
    pending: dict[Path, str] = {}
    section_paths = sorted({f.abspath for f in result.findings if f.code == "ST001"})
    for name in section_paths:
        path = Path(name)
        try:
            doc = read_document(path)
        except InputError:
            continue
        ctx = _context(workspace, path, doc, settings)
        if not ctx.safe_to_edit:
            # a hand-written file not adopted yet may have the sections under other names, and
            # appending empty ones would bury them ('opsdocs adopt' maps them)
            continue
        fixed = insert_sections(ctx)
        if fixed is None:
            continue
        text, titles = fixed
        pending[path] = text
        _write(changes, path, text)
        for title in titles:
            outcome.changes.append((path, f"added section '## {title}'"))
    _apply_rule_fixes(workspace, result, settings, pending, changes, outcome)
    if not any(f.code == "IX001" for f in result.findings):
        changes.commit()
        return outcome
    with locked(workspace.root, workspace.readme):  # the README is shared with 'new', 'incident'
        update = compute_index(workspace, pending)
        if update.stale:
            changes.write(update.path, update.new)
            outcome.changes.append((update.path, "regenerated the index"))
        changes.commit()
    return outcome
