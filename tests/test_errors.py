"""Errors are one line: where, what, and how to fix it."""

from __future__ import annotations

from pathlib import Path

from opsdocs.documents.parse import parse_document
from opsdocs.errors import DocumentError

DOC = "---\ntitle: T\nsystems:\n  - name: db\n    depends_on: [api]\n---\n\n# T\n"


def test_a_document_error_stands_at_its_key_or_its_nearest_parent() -> None:
    doc = parse_document(Path("disaster-recovery.md"), DOC)
    error = DocumentError.at(doc, ("systems", 0, "depends_on"), "no system 'api'", hint="add it")
    assert str(error) == "disaster-recovery.md:5:5: no system 'api' (add it)"
    assert (error.line, error.col, error.hint) == (5, 5, "add it")
    unknown = DocumentError.at(doc, ["systems", 0, "rto"], "rto: missing")
    assert str(unknown) == "disaster-recovery.md:4:5: rto: missing"
