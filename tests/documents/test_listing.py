"""Listing documents: the row a document gets, and its JSON form."""

from __future__ import annotations

import json
from pathlib import Path

from opsdocs.documents.listing import list_documents
from opsdocs.workspace import Workspace
from tests.conftest import build_tree


def test_a_row_as_json_has_every_field_in_order(tmp_path: Path) -> None:
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": "",
            "docs/internal/operations/runbook-api.md": "---\nkind: runbook\ntitle: API\n"
            "owner: team-api\nservice: api\nlast_reviewed: 2026-01-10\n---\n\n# API\n",
            "docs/internal/operations/runbook-db.md": "# no front matter\n",
        },
    )
    rows = list_documents(Workspace.discover(tmp_path))
    assert [json.dumps(row.as_dict()) for row in rows] == [
        '{"kind": "runbook", "path": "docs/internal/operations/runbook-api.md", "title": "API",'
        ' "owner": "team-api", "service": "api", "last_reviewed": "2026-01-10",'
        ' "review_due": "2026-04-10"}',
        '{"kind": "runbook", "path": "docs/internal/operations/runbook-db.md",'
        ' "title": "runbook-db.md", "owner": null, "service": null, "last_reviewed": null,'
        ' "review_due": null}',
    ]
