"""On-call documents for the tests, built from a few YAML lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

from opsdocs.documents.parse import parse_document
from opsdocs.oncall.roster import Roster, roster_from_documents

OPS = "docs/internal/operations"


def oncall_doc(teams_yaml: str, *, owner: str = "team-api", title: str = "On-Call") -> str:
    """An on-call document whose front matter holds ``teams_yaml`` (indented YAML under
    ``teams:``)."""
    body = textwrap.indent(textwrap.dedent(teams_yaml).strip("\n"), "  ")
    return (
        f"---\nkind: on-call\ntitle: {title}\nowner: {owner}\nlast_reviewed: 2026-11-01\n"
        f"teams:\n{body}\n---\n\n# {title}\n"
    )


def roster(*teams_yaml: str) -> Roster:
    """The roster of one document per ``teams_yaml``."""
    docs = [
        parse_document(Path(f"on-call-{i}.md"), oncall_doc(text))
        for i, text in enumerate(teams_yaml)
    ]
    return roster_from_documents(docs)
