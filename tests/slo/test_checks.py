"""The SLO feature inside `check`, `check --fix` and `index`: the budget table stays true."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from opsdocs.documents.parse import read_document
from opsdocs.slo.budget import BUDGET_END, BUDGET_START, update_budget_table
from tests.conftest import Result, build_tree, snapshot

OPS = "docs/internal/operations"


def _slo(objective: str) -> str:
    return (
        "---\nkind: slo\ntitle: API SLO\nowner: team-api\nservice: api\n"
        "last_reviewed: 2026-11-01\nslos:\n  - name: availability\n"
        f"    objective: {objective}\n    indicator:\n      type: ratio\n"
        '      errors: sum(rate(http_requests_total{code=~"5.."}[{{window}}]))\n'
        "      total: sum(rate(http_requests_total[{{window}}]))\n---\n\n# API SLO\n\n"
        "## Service\n\napi\n\n## SLI\n\ngood/total\n\n## SLO Target\n\nsee below\n\n"
        "## Measurement\n\nPrometheus\n\n## Alerting\n\nburn rates\n"
    )


def test_fix_writes_the_budget_table_keeping_crlf(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    path = workspace_dir / OPS / "slo-api.md"
    path.write_bytes(_slo("99.9").replace("\n", "\r\n").encode())
    found = cli("check", "--select", "SL003", str(path), cwd=workspace_dir)
    assert found.exit_code == 1
    assert "SL003 stale-budget-table" in found.stdout
    fixed = cli("check", "--select", "SL003", "--fix", str(path), cwd=workspace_dir)
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    raw = path.read_bytes().decode()
    assert BUDGET_START in raw and BUDGET_END in raw
    assert "\n" not in raw.replace("\r\n", "")  # every line still ends in CRLF
    doc = read_document(path)
    assert update_budget_table(doc) == doc.text  # now current
    assert cli("check", "--select", "SL003", str(path), cwd=workspace_dir).exit_code == 0


def test_index_keeps_budget_tables_current(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    build_tree(workspace_dir, {f"{OPS}/slo-api.md": _slo("99.9")})
    assert cli("index", cwd=workspace_dir).exit_code == 0
    path = workspace_dir / OPS / "slo-api.md"
    first = path.read_text()
    assert "| 0.1 % of events |" in first.split(BUDGET_START)[1]  # 99.9 % allows 0.1 % bad
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 0
    path.write_text(first.replace("objective: 99.9", "objective: 99.5"))
    before = snapshot(workspace_dir)
    stale = cli("index", "--check", cwd=workspace_dir)
    assert stale.exit_code == 1
    assert stale.stderr == (
        f"{OPS}/slo-api.md: error-budget table is stale (run 'opsdocs index')\n"
    )
    assert snapshot(workspace_dir) == before
    updated = cli("index", cwd=workspace_dir)
    assert f"updated error-budget table in {OPS}/slo-api.md" in updated.stdout
    table = path.read_text().split(BUDGET_START)[1].split(BUDGET_END)[0]
    assert "| 0.5 % of events |" in table and "0.1 %" not in table


def test_the_sl_rules_analyse_a_document_once(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SL001-SL003 share one analysis per document: settings and front matter read once."""
    from opsdocs.slo import checks

    calls: list[object] = []
    real = checks.load_settings

    def counting(raw: Any, **kwargs: Any) -> Any:
        calls.append(raw)
        return real(raw)

    monkeypatch.setattr(checks, "load_settings", counting)
    build_tree(tmp_path, {"opsdocs.toml": "", f"{OPS}/slo-api.md": _slo("99.9")})
    result = cli("check", "--no-cache", f"{OPS}/slo-api.md", cwd=tmp_path)
    assert "SL003" in result.stdout  # the budget table rule ran, on the shared analysis
    assert len(calls) == 1


def test_a_report_refuses_queries_whose_labels_cannot_divide(tmp_path: Path) -> None:
    from opsdocs.errors import DocumentError
    from opsdocs.reports.collect import find_slos
    from opsdocs.workspace import Workspace

    grouped = _slo("99.9").replace("errors: sum(rate(", "errors: sum by (path) (rate(")
    build_tree(tmp_path, {"opsdocs.toml": "", f"{OPS}/slo-api.md": grouped})
    with pytest.raises(DocumentError) as info:
        find_slos(Workspace.discover(root=tmp_path))
    assert "errors keeps path that total does not" in str(info.value)
