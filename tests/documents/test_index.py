"""The README index: golden output, bytes outside the markers, --check."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsdocs.documents.blocks import replace_block
from opsdocs.documents.index import INDEX_END, INDEX_START
from opsdocs.errors import DocumentError
from tests.conftest import Result, build_tree, snapshot

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("OPSDOCS_REGEN_GOLDEN") == "1"


def _doc(kind: str, title: str, owner: str, reviewed: str, extra: str = "") -> str:
    return (
        f"---\nkind: {kind}\ntitle: {title}\nowner: {owner}\n"
        f"last_reviewed: {reviewed}\n{extra}---\n\n# {title}\n"
    )


def _populate(root: Path) -> None:
    ops = "docs/internal/operations"
    build_tree(
        root,
        {
            f"{ops}/runbook-search.md": _doc(
                "runbook", "Search Runbook", "team-search", "2026-10-01"
            ),
            f"{ops}/runbook-api-server.md": _doc(
                "runbook", "API Server Runbook", "team-api", "2026-09-30"
            ),
            f"{ops}/slo-api-availability.md": _doc(
                "slo", "API Availability", "team-api", "2026-11-01"
            ),
            f"{ops}/disaster-recovery.md": _doc(
                "disaster-recovery", "DR Plan", "team-sre", "2026-08-15"
            ),
            f"{ops}/on-call-sre.md": "# No front matter [here]\n",
            f"{ops}/notes.md": "not an operations document\n",
        },
    )


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual)
    assert actual == path.read_text()


def test_index_golden(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    _populate(workspace_dir)
    result = cli("index", cwd=workspace_dir)
    assert result.exit_code == 0
    assert result.stdout == "updated index in docs/internal/operations/README.md\n"
    text = (workspace_dir / "docs/internal/operations/README.md").read_text()
    block = text[text.index(INDEX_START) : text.index(INDEX_END) + len(INDEX_END)]
    _golden("index.md", block + "\n")


def test_index_is_idempotent(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    _populate(workspace_dir)
    cli("index", cwd=workspace_dir)
    before = snapshot(workspace_dir)
    result = cli("index", cwd=workspace_dir)
    assert result.stdout == "docs/internal/operations/README.md: index is up to date\n"
    assert snapshot(workspace_dir) == before


def test_index_check_exit_codes(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 0
    _populate(workspace_dir)
    before = snapshot(workspace_dir)
    stale = cli("index", "--check", cwd=workspace_dir)
    assert stale.exit_code == 1
    assert (
        "+- [Search Runbook](runbook-search.md) - team-search, reviewed 2026-10-01" in stale.stdout
    )
    assert "-- (None yet - create your first runbook!)" in stale.stdout
    assert stale.stderr.endswith("index is stale (run 'opsdocs index')\n")
    assert snapshot(workspace_dir) == before
    cli("index", cwd=workspace_dir)
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 0


def test_missing_or_duplicated_markers_are_clear_errors(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    readme = workspace_dir / "docs/internal/operations/README.md"
    original = readme.read_text()
    readme.write_text(original.replace(INDEX_START, ""))
    result = cli("index", cwd=workspace_dir)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: docs/internal/operations/README.md: marker <!-- opsdocs:index:start --> is "
        "missing (keep exactly one <!-- opsdocs:index:start --> line and one "
        "<!-- opsdocs:index:end --> line)\n"
    )
    readme.write_text(original + f"\n{INDEX_END}\n")
    result = cli("index", "--check", cwd=workspace_dir)
    assert result.exit_code == 2
    line = original.count("\n", 0, original.index(INDEX_END)) + 1
    assert f"README.md:{line}:1: marker <!-- opsdocs:index:end --> appears 2 times" in result.stderr


def test_missing_readme(tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = cli("index", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: docs/internal/operations/README.md: no README with an index "
        "(run 'opsdocs init' first)\n"
    )


def test_end_marker_before_start() -> None:
    text = f"a\n{INDEX_END}\nb\n{INDEX_START}\n"
    try:
        replace_block(text, "x", path=Path("R.md"), start=INDEX_START, end=INDEX_END)
    except DocumentError as exc:
        assert str(exc) == (
            "R.md:2:1: marker <!-- opsdocs:index:end --> comes before "
            "<!-- opsdocs:index:start --> (put the start marker first)"
        )
    else:  # pragma: no cover
        raise AssertionError("expected DocumentError")


_outside = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200).filter(
    lambda s: INDEX_START not in s and INDEX_END not in s
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=_outside, inside=_outside, after=_outside)
def test_text_outside_markers_is_kept_byte_for_byte(
    before: str, inside: str, after: str, tmp_path_factory: object
) -> None:
    text = f"{before}{INDEX_START}{inside}{INDEX_END}{after}"
    # a one-line block: the line-ending rule has nothing to change
    new = replace_block(text, " BLOCK ", path=Path("R.md"), start=INDEX_START, end=INDEX_END)
    assert new == f"{before}{INDEX_START} BLOCK {INDEX_END}{after}"
    assert new.encode("utf-8").startswith(before.encode("utf-8"))
    assert new.encode("utf-8").endswith(after.encode("utf-8"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=_outside, after=_outside, crlf=st.booleans())
def test_index_command_keeps_outside_bytes(
    before: str, after: str, crlf: bool, workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    readme = workspace_dir / "docs/internal/operations/README.md"
    if crlf:
        before, after = before.replace("\n", "\r\n"), after.replace("\n", "\r\n")
    readme.write_bytes(f"{before}{INDEX_START}old{INDEX_END}{after}".encode())
    assert cli("index", cwd=workspace_dir).exit_code == 0
    data = readme.read_bytes()
    assert data.startswith(f"{before}{INDEX_START}".encode())
    assert data.endswith(f"{INDEX_END}{after}".encode())


def test_index_of_a_crlf_readme_is_written_with_crlf(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    readme = workspace_dir / "docs/internal/operations/README.md"
    readme.write_bytes(readme.read_bytes().replace(b"\n", b"\r\n"))
    assert cli("new", "runbook", "api", "--owner", "team-api", cwd=workspace_dir).exit_code == 0
    data = readme.read_bytes()
    assert b"runbook-api.md" in data
    assert data.count(b"\n") == data.count(b"\r\n")  # no bare LF anywhere, index included
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 0


def test_a_title_holding_an_index_marker_never_writes_the_marker(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    title = f"A {INDEX_END} B {INDEX_START}"
    result = cli("new", "runbook", "api", "--title", title, cwd=workspace_dir)
    assert result.exit_code == 0, result.stderr
    readme = (workspace_dir / "docs/internal/operations/README.md").read_text()
    assert readme.count(INDEX_END) == 1 and readme.count(INDEX_START) == 1
    assert "- [A &lt;!-- opsdocs:index:end --> B &lt;!-- opsdocs:index:start -->]" in readme
    # every later command that rewrites the index still works
    assert cli("new", "runbook", "web", cwd=workspace_dir).exit_code == 0
    assert cli("index", "--check", cwd=workspace_dir).exit_code == 0
    check = cli("check", "--select", "IX", cwd=workspace_dir)
    assert check.exit_code == 0, check.stdout + check.stderr


def test_a_front_matter_title_with_a_line_break_is_one_index_line(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    ops = "docs/internal/operations"
    build_tree(
        workspace_dir,
        {
            f"{ops}/runbook-api.md": (
                '---\nkind: runbook\ntitle: "API\\n- [forged](x.md)\\n"\nowner: team-api\n'
                "last_reviewed: 2026-10-01\n---\n\n# API\n"
            )
        },
    )
    assert cli("index", cwd=workspace_dir).exit_code == 0
    readme = (workspace_dir / f"{ops}/README.md").read_text()
    assert "- [API - \\[forged\\](x.md)](runbook-api.md) - team-api" in readme
    assert "\n- [forged]" not in readme
    check = cli("check", "--select", "IX", cwd=workspace_dir)
    assert check.exit_code == 0, check.stdout + check.stderr


#: One ratio SLO, for the tests of the budget table the index keeps.
_SLOS = (
    "slos:\n  - name: availability\n    objective: 99.9\n    indicator:\n      type: ratio\n"
    '      errors: sum(rate(x_total{code="500"}[{{window}}]))\n'
    "      total: sum(rate(x_total[{{window}}]))\n"
)


def test_plan_index_writes_nothing_and_names_the_features_stale_blocks(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    """The README's index and an SLO's budget table, planned by the library; the change set
    writes both and a new plan finds nothing stale."""
    from opsdocs.documents.index import plan_index
    from opsdocs.slo.budget import BUDGET_START
    from opsdocs.workspace import Workspace
    from tests.slo.helpers import slo_document

    path = workspace_dir / "docs/internal/operations/slo-api.md"
    build_tree(workspace_dir, {"docs/internal/operations/slo-api.md": slo_document(_SLOS)})
    before = snapshot(workspace_dir)
    workspace = Workspace.discover(root=workspace_dir)
    plan = plan_index(workspace)
    assert snapshot(workspace_dir) == before
    assert plan.stale and plan.index.stale
    assert [(b.path, b.what) for b in plan.blocks] == [(path, "error-budget table")]
    assert BUDGET_START in plan.blocks[0].new
    assert sorted(plan.changes(workspace).commit()) == sorted([workspace.readme, path])
    assert not plan_index(workspace).stale


@pytest.mark.usefixtures("no_max_file_size")
def test_index_leaves_the_budget_table_of_a_document_over_max_file_size(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    """A document over ``max_file_size`` is not read (check reports it): index does not read it
    to write its budget table either."""
    from tests.slo.helpers import slo_document

    path = workspace_dir / "docs/internal/operations/slo-api.md"
    build_tree(workspace_dir, {"docs/internal/operations/slo-api.md": slo_document(_SLOS)})
    path.write_text(path.read_text() + "\nPadding.\n" * 400)
    (workspace_dir / "opsdocs.toml").write_text('max_file_size = "2KiB"\n')
    before = path.read_bytes()
    result = cli("index", cwd=workspace_dir)
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes() == before
    check = cli("check", cwd=workspace_dir)
    assert "file is too large to be a document" in check.stdout
