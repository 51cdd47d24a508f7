from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsdocs.documents.parse import parse_document
from opsdocs.errors import DocumentError
from opsdocs.slo.budget import (
    BUDGET_END,
    BUDGET_START,
    budget_of,
    budget_table_is_stale,
    update_budget_table,
)
from opsdocs.slo.windows import DEFAULT_WINDOWS
from tests.conftest import Result, build_tree
from tests.slo.helpers import slo, slo_document

SLOS = """slos:
  - name: availability
    objective: 99.9
    indicator:
      type: ratio
      errors: sum(rate(x_total{code="500"}[{{window}}]))
      total: sum(rate(x_total[{{window}}]))
"""


def test_budget_numbers() -> None:
    b = budget_of(slo(objective=99.9, period="30d"))
    period = 30 * 86400
    assert b.budget == pytest.approx(0.001)
    assert b.outage_per_period == pytest.approx(0.001 * period)
    assert b.outage_per_week == pytest.approx(0.001 * 7 * 86400)
    assert b.outage_per_day == pytest.approx(86.4)
    for alert, pair in zip(b.alerts, DEFAULT_WINDOWS, strict=True):
        assert alert.burn_rate == pair.factor(period)
        # firing means the pair's share was spent in one long window
        assert alert.spent_when_firing == pytest.approx(pair.budget_percent / 100)
        assert alert.exhausted_after == pytest.approx(period / pair.factor(period))


def test_table_goes_after_slo_target_and_is_then_current() -> None:
    text = slo_document(SLOS) + "\n## SLO Target\n\n99.9 %.\n\n## Measurement\n\nQueries.\n"
    doc = parse_document(Path("slo-api.md"), text)
    assert budget_table_is_stale(doc)
    new = update_budget_table(doc)
    before, _, rest = new.partition(BUDGET_START)
    table, _, after = rest.partition(BUDGET_END)
    assert before == text.split("\n## Measurement")[0].rstrip("\n") + "\n\n"
    assert after == "\n\n## Measurement\n\nQueries.\n"
    assert "| 0.1 % of events | 43m 12s | 10m 5s | 1m 26s |" in table
    assert "| page | 14.4× | 5m / 1h | 2 % | 2d 2h |" in table
    assert not budget_table_is_stale(parse_document(Path("slo-api.md"), new))


def test_disabled_alerts_are_marked() -> None:
    slos = SLOS + "    alerting:\n      ticket:\n        enabled: false\n"
    new = update_budget_table(parse_document(Path("slo-api.md"), slo_document(slos)))
    assert "| ticket (disabled) | 3× | 2h / 1d | 10 % | 10d |" in new


def test_documents_without_slos_are_left_alone() -> None:
    text = slo_document("")
    assert update_budget_table(parse_document(Path("slo-api.md"), text)) == text


def test_table_goes_at_the_end_of_the_slo_target_section_however_its_heading_is_spelt() -> None:
    """The section is found as ``check`` finds it (SL003 points at it): tolerantly."""
    text = slo_document(SLOS) + "\n## SLO target:\n\n99.9 %.\n\n## Measurement\n\nQueries.\n"
    new = update_budget_table(parse_document(Path("slo-api.md"), text))
    assert new.startswith(text.split("\n## Measurement")[0] + f"\n{BUDGET_START}\n")
    assert new.endswith(f"{BUDGET_END}\n\n## Measurement\n\nQueries.\n")


@pytest.mark.parametrize("ending", ["", "\n", "\n\n\n"])
def test_a_table_added_at_the_end_ends_the_file_with_one_newline(ending: str) -> None:
    """As every generated block does (documents.blocks)."""
    text = slo_document(SLOS).rstrip("\n") + ending
    new = update_budget_table(parse_document(Path("slo-api.md"), text))
    assert new.startswith(text.rstrip("\n") + f"\n\n{BUDGET_START}\n")
    assert new.endswith(f"|\n\n{BUDGET_END}\n")


def test_markers_named_in_the_prose_are_an_error_not_a_place(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """Prose that names both markers is never replaced by a table: check reports the repeated
    marker, --fix and 'slo budget' change nothing."""
    prose = f"Generated between {BUDGET_START} and {BUDGET_END}.\n"
    text = slo_document(SLOS) + "\n## SLO Target\n\n" + prose + f"\n{BUDGET_START}\nold\n"
    with pytest.raises(DocumentError, match="appears 2 times"):
        update_budget_table(parse_document(Path("slo-api.md"), text))
    build_tree(tmp_path, {"opsdocs.toml": "", "docs/internal/operations/slo-api.md": text})
    doc = tmp_path / "docs/internal/operations/slo-api.md"
    line = text.count("\n", 0, text.index(BUDGET_START)) + 1
    found = cli("check", "--select", "SL003", cwd=tmp_path)
    assert (found.exit_code, found.stdout.splitlines()[0]) == (
        1,
        f"docs/internal/operations/slo-api.md:{line}:1: SL003 stale-budget-table: marker"
        f" {BUDGET_START} appears 2 times (keep exactly one {BUDGET_START} line and one"
        f" {BUDGET_END} line)",
    )
    assert cli("check", "--fix", "--select", "SL003", cwd=tmp_path).exit_code == 1
    assert cli("slo", "budget", cwd=tmp_path).exit_code == 0  # skipped: check reports it
    assert doc.read_text() == text


@settings(max_examples=60, deadline=None)
@given(
    before=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00<")),
    after=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00<")),
    inside=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00<")),
)
def test_text_outside_the_markers_is_kept_byte_for_byte(
    before: str, after: str, inside: str
) -> None:
    text = slo_document(SLOS) + before + BUDGET_START + inside + BUDGET_END + after
    new = update_budget_table(parse_document(Path("slo-api.md"), text))
    prefix = slo_document(SLOS) + before + BUDGET_START
    assert new.startswith(prefix)
    assert new.endswith(BUDGET_END + after)


def test_cli_budget_check_and_fix(tmp_path: Path, cli: Callable[..., Result]) -> None:
    docs = "docs/internal/operations"
    build_tree(tmp_path, {"opsdocs.toml": "", f"{docs}/slo-api.md": slo_document(SLOS)})
    stale = cli("slo", "budget", "--check", cwd=tmp_path)
    assert (stale.exit_code, stale.stdout) == (1, f"stale {docs}/slo-api.md\n")
    fixed = cli("slo", "budget", cwd=tmp_path)
    assert (fixed.exit_code, fixed.stdout) == (0, f"updated {docs}/slo-api.md\n")
    assert cli("slo", "budget", "--check", cwd=tmp_path).exit_code == 0


def test_cli_budget_keeps_the_line_endings_of_a_crlf_document(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    path = tmp_path / "docs/internal/operations/slo-api.md"
    build_tree(tmp_path, {"opsdocs.toml": "", "docs/internal/operations/slo-api.md": ""})
    path.write_bytes(slo_document(SLOS).replace("\n", "\r\n").encode())
    assert cli("slo", "budget", cwd=tmp_path).exit_code == 0
    raw = path.read_bytes()
    assert BUDGET_START.encode() in raw
    assert raw.count(b"\n") == raw.count(b"\r\n")


def _slos(objective: str = "99.9", period: str = "30d", errors: str = "") -> str:
    errors = errors or 'sum(rate(x_total{code="500"}[{{window}}]))'
    return (
        "slos:\n  - name: availability\n"
        f"    objective: {objective}\n    period: {period}\n"
        f"    indicator:\n      type: ratio\n      errors: {errors}\n"
        "      total: sum(rate(x_total[{{window}}]))\n"
    )


#: SLO documents with an error: each is told by the schema or by the semantic checks.
INVALID = {
    "objective-100": _slos(objective="100"),
    "objective-0": _slos(objective="0"),
    "period-shorter-than-a-window": _slos(period="1d"),
    "promql-does-not-parse": _slos(errors="'sum(rate(x_total[{{window}}])'"),
    "duplicate-key": _slos() + "owner: team-web\n",
}
PATHS = {
    "index": ("index",),
    "slo-budget": ("slo", "budget"),
    "check-fix": ("check", "--fix", "--select", "SL003"),
}


@pytest.mark.parametrize("path", PATHS.values(), ids=list(PATHS))
@pytest.mark.parametrize("slos", INVALID.values(), ids=list(INVALID))
def test_no_path_writes_a_budget_table_into_an_invalid_slo_document(
    workspace_dir: Path, cli: Callable[..., Result], slos: str, path: tuple[str, ...]
) -> None:
    """``index``, ``slo budget`` and ``check --fix`` ask one function (budget_section) whether a
    document gets a table: one whose SLOs have an error gets none, and SL003 does not call its
    table stale (SL001 or FM005 report the error)."""
    doc = workspace_dir / "docs/internal/operations/slo-api.md"
    text = slo_document(slos) + "\n## SLO Target\n\nSee the SLOs.\n"
    build_tree(workspace_dir, {"docs/internal/operations/slo-api.md": text})
    cli(*path, cwd=workspace_dir)
    assert doc.read_text() == text
    assert "SL003" not in cli("check", "--select", "SL003", cwd=workspace_dir).stdout


@pytest.mark.parametrize("path", PATHS.values(), ids=list(PATHS))
def test_every_path_writes_the_same_table_into_a_valid_slo_document(
    workspace_dir: Path, cli: Callable[..., Result], path: tuple[str, ...]
) -> None:
    doc = workspace_dir / "docs/internal/operations/slo-api.md"
    text = slo_document(_slos()) + "\n## SLO Target\n\nSee the SLOs.\n"
    build_tree(workspace_dir, {"docs/internal/operations/slo-api.md": text})
    cli(*path, cwd=workspace_dir)
    assert doc.read_text() == update_budget_table(parse_document(doc, text)) != text
    assert cli("check", "--select", "SL003", cwd=workspace_dir).exit_code == 0
