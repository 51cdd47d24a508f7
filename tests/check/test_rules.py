"""One fixture per rule, each expected finding marked on its line; one test runs them all.

A fixture is a folder ``fixtures/<CODE>/``. Expected findings are marked inline with
``<!-- expect: CODE -->`` (or ``# expect: CODE`` in YAML front matter), or listed in an
``EXPECT`` file as ``path:line CODE`` for files where no marker can go (binary files, line 1 of
front matter). A fixture with an ``opsdocs.toml`` is a workspace: the operations folder is
checked as ``opsdocs check`` with no path would; any other fixture is checked as a plain folder.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from opsdocs.check.docs import expected_rule_docs, stale_rule_docs, write_rule_docs
from opsdocs.check.engine import CheckOptions, run_check
from opsdocs.check.registry import all_rules
from opsdocs.workspace import Workspace
from tests.conftest import require_tool

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = Path(__file__).parents[2] / "docs" / "rules"
TODAY = dt.date(2026, 6, 1)
_MARK = re.compile(r"expect:\s*([A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*)")

Expected = set[tuple[str, str, int]]

#: Rules whose fixture needs a running server, proven by the test named instead.
COVERED_ELSEWHERE = {"AL011": "tests/monitoring/test_tools.py (a real Prometheus)"}
#: Rules whose fixture needs an external tool.
TOOLS = {"AL010": "promtool"}


def expectations(folder: Path) -> Expected:
    """(path relative to ``folder``, code, line) for every marker in the fixture."""
    expected: Expected = set()
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        text = path.read_bytes().decode("utf-8", "replace")
        if path.name == "EXPECT":
            for entry in text.splitlines():
                where, code = entry.split()
                name, line = where.rsplit(":", 1)
                expected.add((name, code, int(line)))
            continue
        for number, line in enumerate(text.split("\n"), start=1):
            for match in _MARK.finditer(line):
                for code in re.split(r"\s*,\s*", match.group(1)):
                    expected.add((rel, code, number))
    return expected


def check_fixture(code: str, tmp_path: Path) -> tuple[Expected, Expected]:
    source = FIXTURES / code
    target = tmp_path / code
    shutil.copytree(source, target, symlinks=True)
    if (target / "opsdocs.toml").exists():
        workspace = Workspace.discover(root=target)
        result = run_check(workspace, None, CheckOptions(select=[code], today=TODAY))
        base = target
    else:
        workspace = Workspace.discover(root=tmp_path)
        result = run_check(workspace, [target], CheckOptions(select=[code], today=TODAY))
        base = target
    found = {
        (Path(f.abspath).relative_to(base).as_posix(), f.code, f.line) for f in result.findings
    }
    expected = {e for e in expectations(target) if e[1] == code}
    return expected, found


@pytest.mark.parametrize(
    "code",
    [
        # a rule whose check runs a tool is marked, so that 'make quick' leaves it out
        pytest.param(rule.code, marks=pytest.mark.tools if rule.code in TOOLS else ())
        for rule in all_rules()
        if rule.code not in COVERED_ELSEWHERE
    ],
)
def test_rule_fixture(code: str, tmp_path: Path) -> None:
    if code in TOOLS:
        require_tool(TOOLS[code])
    expected, found = check_fixture(code, tmp_path)
    assert expected, f"fixture {code} marks no expected finding"
    assert found == expected


def test_every_rule_has_a_fixture_and_a_doc_page() -> None:
    for rule in all_rules():
        if rule.code not in COVERED_ELSEWHERE:
            assert (FIXTURES / rule.code).is_dir(), f"no fixture for {rule.code}"
        assert (DOCS / f"{rule.code}.md").is_file(), f"no doc page for {rule.code}"


def test_rule_doc_pages_are_fresh() -> None:
    """Regenerate with `python -m opsdocs.check.docs docs/rules`."""
    stale = stale_rule_docs(DOCS)
    assert not stale, f"missing, extra or stale rule pages (run make docs): {stale}"


def test_a_crlf_copy_of_a_rule_page_is_stale_and_written_again(tmp_path: Path) -> None:
    assert {p.name for p in write_rule_docs(tmp_path)} == set(expected_rule_docs())
    assert stale_rule_docs(tmp_path) == []
    assert write_rule_docs(tmp_path) == []
    page = tmp_path / "ST001.md"
    generated = page.read_bytes()
    page.write_bytes(generated.replace(b"\n", b"\r\n"))
    # the same text once newlines are translated, but not the bytes the generator writes
    assert page.read_text(encoding="utf-8") == generated.decode("utf-8")
    assert stale_rule_docs(tmp_path) == ["ST001.md"]
    assert write_rule_docs(tmp_path) == [page]
    assert page.read_bytes() == generated
    (tmp_path / "XX999.md").write_text("a rule that is gone\n", encoding="utf-8")
    assert stale_rule_docs(tmp_path) == ["XX999.md"]


def test_fixture_markers_name_real_rules() -> None:
    codes = {rule.code for rule in all_rules()}
    for folder in FIXTURES.iterdir():
        for _, code, _ in expectations(folder):
            assert code in codes, f"{folder.name}: marker for unknown rule {code}"
