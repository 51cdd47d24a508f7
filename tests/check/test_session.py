"""A kept check run (``CheckSession``): checking again after an edit re-reads only the edited
files, and finds what a whole run finds, in other documents too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opsdocs.check import engine
from opsdocs.check.engine import CheckOptions, CheckSession, run_check
from opsdocs.workspace import Workspace
from tests.check.test_cli import RUNBOOK
from tests.conftest import build_tree

OPTIONS = CheckOptions(today=dt.date(2026, 6, 1))
OPS = "docs/internal/operations"


def _workspace(tmp_path: Path) -> Workspace:
    linking = RUNBOOK.replace("service: api", "service: web") + (
        "\nSee [the API's failures](runbook-api.md#common-failures--diagnostics).\n"
    )
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": "",
            f"{OPS}/runbook-api.md": RUNBOOK,
            f"{OPS}/runbook-web.md": linking,
        },
    )
    return Workspace.discover(root=tmp_path)


def _codes(result: engine.CheckResult) -> list[tuple[str, int, str, str]]:
    return [(f.path, f.line, f.code, f.message) for f in result.findings]


def test_recheck_parses_only_the_edited_file_and_finds_what_a_whole_run_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = _workspace(tmp_path)
    session = CheckSession(workspace, options=OPTIONS)
    first = session.run()
    assert not [f for f in first.findings if f.code == "LK002"]
    api = tmp_path / OPS / "runbook-api.md"
    api.write_text(api.read_text().replace("## Common Failures", "## Known Failures"))
    parsed: list[str] = []
    analyze = engine.analyze_document

    def counting(path: str, *args: object) -> object:
        parsed.append(Path(path).name)
        return analyze(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "analyze_document", counting)
    again = session.recheck([api])
    assert parsed == ["runbook-api.md"]
    assert (again.parsed, again.cached) == (1, first.parsed + first.cached - 1)
    # the link in the other runbook now leads to no heading: reported there
    broken = [f for f in again.findings if f.code == "LK002"]
    assert [Path(f.abspath).name for f in broken] == ["runbook-web.md"]
    monkeypatch.setattr(engine, "analyze_document", analyze)
    assert _codes(again) == _codes(run_check(workspace, options=OPTIONS))


def test_a_new_file_makes_the_recheck_a_whole_run(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    session = CheckSession(workspace, options=OPTIONS)
    first = session.run()
    new = tmp_path / OPS / "runbook-db.md"
    new.write_text(RUNBOOK.replace("service: api", "service: db"))
    again = session.recheck([new])
    assert again.files == first.files + 1
    assert _codes(again) == _codes(run_check(workspace, options=OPTIONS))
