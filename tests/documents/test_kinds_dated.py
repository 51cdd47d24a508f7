"""Dated kinds ({date} in the file name) and the newest-first, limited index."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from opsdocs.documents import folder as folder_module
from opsdocs.documents import index as index_module
from opsdocs.documents.index import collect_entries, render_index
from opsdocs.documents.kinds import Kind, get_kind, kind_for_filename
from opsdocs.errors import UsageError
from tests.conftest import build_tree


def test_dated_file_names() -> None:
    kind = get_kind("incident")
    assert kind.dated and not kind.singleton
    assert kind.filename_for("db-down", dt.date(2025, 1, 2)) == "2025-01-02-db-down.md"
    assert kind.match("2025-01-02-db-down.md") == "db-down"
    assert kind.date_of("2025-01-02-db-down.md") == dt.date(2025, 1, 2)
    assert kind.match("db-down.md") is None
    assert kind.match("2025-01-02-DB.md") is None
    assert kind.date_of("2025-13-45-db.md") is None  # matches the shape, not a real date
    assert kind_for_filename("2025-01-02-db-down.md", "incidents") is kind
    assert kind_for_filename("2025-01-02-db-down.md", "postmortems") is get_kind("postmortem")
    assert kind_for_filename("2025-01-02-db-down.md", "") is None
    with pytest.raises(UsageError, match="needs a date"):
        kind.filename_for("db-down")
    # Undated kinds are unchanged.
    assert get_kind("runbook").filename_for("api") == "runbook-api.md"


def _kind(**changes: object) -> Kind:
    base = get_kind("incident")
    return replace(base, **changes)  # type: ignore[arg-type]


def test_index_newest_first_with_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = _kind(name="event", folder="events", index_heading="Events", index_limit=3,
                 index_facts=("severity", "due"))  # fmt: skip
    monkeypatch.setattr(index_module, "KINDS", (kind,))
    monkeypatch.setattr(folder_module, "KINDS", (kind,))
    monkeypatch.setattr("opsdocs.documents.kinds.all_kinds", lambda: (kind,))
    files = {}
    for day in (3, 1, 5, 2, 4):
        files[f"events/2025-01-0{day}-e{day}.md"] = (
            f"---\ntitle: Event {day}\nseverity: P{day}\ndue: 2025-02-0{day}\n---\n"
        )
    build_tree(tmp_path, files)
    block = render_index(collect_entries(tmp_path))
    assert block.split("### Events\n", 1)[1] == (
        "- [Event 5](events/2025-01-05-e5.md) - P5, due 2025-02-05\n"
        "- [Event 4](events/2025-01-04-e4.md) - P4, due 2025-02-04\n"
        "- [Event 3](events/2025-01-03-e3.md) - P3, due 2025-02-03\n"
        "- ... and 2 older ones in [events/](events/)\n"
        "\n"
    )


def test_index_default_order_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = _kind(name="event", folder="events", index_heading="Events", index_limit=None,
                 index_newest_first=False, index_facts=())  # fmt: skip
    monkeypatch.setattr(index_module, "KINDS", (kind,))
    monkeypatch.setattr(folder_module, "KINDS", (kind,))
    monkeypatch.setattr("opsdocs.documents.kinds.all_kinds", lambda: (kind,))
    build_tree(
        tmp_path,
        {
            "events/2025-01-02-b.md": "---\ntitle: B\nowner: team-a\n---\n",
            "events/2025-01-01-a.md": "---\ntitle: A\nowner: team-a\nlast_reviewed: 2025-01-05\n---\n",
        },
    )
    block = render_index(collect_entries(tmp_path))
    assert block.split("### Events\n", 1)[1] == (
        "- [A](events/2025-01-01-a.md) - team-a, reviewed 2025-01-05\n"
        "- [B](events/2025-01-02-b.md) - team-a, never reviewed\n"
        "\n"
    )
