"""Inline suppression comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from opsdocs.check.engine import CheckOptions, run_check
from opsdocs.check.registry import get_rule
from opsdocs.check.suppress import is_suppressed, parse_suppressions
from opsdocs.workspace import Workspace
from tests.check.test_cli import RUNBOOK
from tests.conftest import build_tree


def codes_and_lines(tmp_path: Path, text: str) -> set[tuple[str, int]]:
    (tmp_path / "opsdocs.toml").write_text("")
    folder = build_tree(tmp_path / "d", {"runbook-api.md": text})
    result = run_check(
        Workspace.discover(root=tmp_path),
        [folder],
        CheckOptions(cache=False, today=dt.date(2026, 6, 1)),
    )
    return {(f.code, f.line) for f in result.findings}


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def test_same_line_disable_with_reason(tmp_path: Path) -> None:
    text = RUNBOOK.replace(
        "Page the owning team.",
        "Page TODO. <!-- opsdocs-disable CT001: the rota is being set up -->\nAlso TBD.",
    )
    found = codes_and_lines(tmp_path, text)
    assert found == {("CT001", line_of(text, "Also TBD"))}


def test_next_line(tmp_path: Path) -> None:
    text = RUNBOOK.replace(
        "Page the owning team.",
        "<!-- opsdocs-disable-next-line placeholder-text -->\nPage TODO.\nAlso TBD.",
    )
    assert codes_and_lines(tmp_path, text) == {("CT001", line_of(text, "Also TBD"))}


def test_range_until_enable(tmp_path: Path) -> None:
    text = RUNBOOK.replace(
        "Page the owning team.",
        "<!-- opsdocs-disable CT -->\nPage TODO.\n\nTBD too.\n<!-- opsdocs-enable CT -->\n\nFIXME",
    )
    assert codes_and_lines(tmp_path, text) == {("CT001", line_of(text, "FIXME"))}


def test_file_wide(tmp_path: Path) -> None:
    text = RUNBOOK.replace("None yet.", "TODO").replace(
        "Page the owning team.", "TBD [x](gone.md)\n<!-- opsdocs-disable-file CT001 -->"
    )
    assert codes_and_lines(tmp_path, text) == {("LK001", line_of(text, "gone.md"))}


def test_front_matter_yaml_comment(tmp_path: Path) -> None:
    text = RUNBOOK.replace(
        "service: api\n", "service: api\nlegacy_id: 7  # opsdocs-disable FM006: old tooling\n"
    )
    assert codes_and_lines(tmp_path, text) == set()
    assert ("FM006", 6) in codes_and_lines(tmp_path, text.replace("  # opsdocs-disable", " #"))


def test_directive_inside_code_block_is_ignored(tmp_path: Path) -> None:
    text = RUNBOOK.replace(
        "Page the owning team.", "```\n<!-- opsdocs-disable-file CT001 -->\n```\n\nPage TODO."
    )
    assert codes_and_lines(tmp_path, text) == {("CT001", line_of(text, "Page TODO"))}


def test_no_code_means_every_rule() -> None:
    directives = parse_suppressions(["x <!-- opsdocs-disable -->", "y"])
    assert is_suppressed(get_rule("LK001"), 1, directives)
    assert not is_suppressed(get_rule("LK001"), 2, directives)


def test_parse_keeps_reason_and_codes() -> None:
    (entry,) = parse_suppressions(["<!-- opsdocs-disable-next-line ST003, CT001: why not -->"])
    assert entry == {"codes": ["ST003", "CT001"], "start": 2, "end": 2, "reason": "why not"}


def test_heading_with_comment_still_matches_and_anchors(tmp_path: Path) -> None:
    text = RUNBOOK.replace("## SLOs / SLIs", "## SLOs / SLIs <!-- omit in toc -->").replace(
        "Page the owning team.", "See [targets](#slos--slis)."
    )
    assert codes_and_lines(tmp_path, text) == set()
