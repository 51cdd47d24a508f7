"""init and new: the seed's structure, the registry's naming and sections, refusals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.documents.kinds import (
    KINDS,
    SectionSpec,
    get_kind,
    kind_for_filename,
    template_sections,
)
from opsdocs.documents.parse import read_document
from opsdocs.documents.scaffold import bundled_template
from tests.conftest import Result, build_tree, snapshot

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "operations-README.md"


def test_init_lays_out_the_seed_structure(tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = cli("init", str(tmp_path / "repo"), cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    root = tmp_path / "repo"
    readme = root / "docs/internal/operations/README.md"
    assert readme.is_file()
    for kind in KINDS:
        template = root / "templates/docs" / f"{kind.name}-template.md"
        assert template.read_text() == bundled_template(template.name)
    text = readme.read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## What Goes Here",
        "## Document Types",
        "## Creating New Operations Documents",
        "## Index of Operations Documents",
        "## Related Documentation",
    ]
    assert (
        "**Purpose**: Define how we operate, monitor, and maintain the system in production."
        in text
    )
    for kind in KINDS:
        assert f"### {kind.label}\n" in text
        for section in kind.sections:
            assert f"- **{section.title}** - " in text
    assert "**Naming**: `runbook-{service}.md`" in text
    assert "**File**: `incident-response.md`" in text
    # the seed's Example lines, and every example follows its kind's naming rule
    assert "**Example**: `runbook-api-server.md`, `runbook-database.md`" in text
    assert "**Example**: `slo-api-availability.md`, `slo-search-latency.md`" in text
    for kind in KINDS:
        assert kind.singleton or kind.examples, kind.name
        for example in kind.examples:
            assert kind_for_filename(example, kind.folder) is kind, example
    assert (
        "cp templates/docs/runbook-template.md docs/internal/operations/runbook-{service}.md"
        in text
    )
    assert "opsdocs new runbook" in text
    assert "- (None yet - create your first runbook!)" in text
    assert "- (Create `incident-response.md`)" in text
    assert "- (Create `disaster-recovery.md`)" in text
    assert "[Runbook Template](../../../templates/docs/runbook-template.md)" in text
    assert (
        root / "docs/internal/operations" / "../../../templates/docs/runbook-template.md"
    ).is_file()


@pytest.mark.skipif(not SEED.is_file(), reason="seed README not beside the project")
def test_init_readme_keeps_every_line_of_the_seed_what_goes_here(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    cli("init", cwd=tmp_path)
    text = (tmp_path / "docs/internal/operations/README.md").read_text()
    seed = SEED.read_text()
    part = seed.split("## What Goes Here")[1].split("## Document Types")[0]
    for line in part.strip().splitlines():
        assert line in text


def test_second_init_changes_nothing(tmp_path: Path, cli: Callable[..., Result]) -> None:
    cli("init", cwd=tmp_path)
    (tmp_path / "templates/docs/runbook-template.md").write_text("my own template\n")
    before = snapshot(tmp_path)
    result = cli("init", cwd=tmp_path)
    assert result.exit_code == 0
    assert snapshot(tmp_path) == before
    assert "exists  templates/docs/runbook-template.md (left as it was)" in result.stdout
    assert "Nothing to do" in result.stdout


def test_init_indexes_documents_already_there(tmp_path: Path, cli: Callable[..., Result]) -> None:
    build_tree(
        tmp_path,
        {
            "docs/internal/operations/runbook-db.md": (
                "---\nkind: runbook\ntitle: DB Runbook\nowner: team-data\n"
                "last_reviewed: 2026-01-02\n---\n# DB Runbook\n"
            )
        },
    )
    cli("init", cwd=tmp_path)
    text = (tmp_path / "docs/internal/operations/README.md").read_text()
    assert "- [DB Runbook](runbook-db.md) - team-data, reviewed 2026-01-02" in text


@pytest.mark.parametrize("kind", [k.name for k in KINDS if k.created_by is None])
def test_new_follows_the_registry(
    kind: str, workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    spec = get_kind(kind)
    args = ["new", kind] if spec.singleton else ["new", kind, "payments-api"]
    if kind == "slo":
        args += ["--service", "payments"]
    result = cli(*args, "--owner", "team-pay", "--today", "2026-03-04", cwd=workspace_dir)
    assert result.exit_code == 0, result.stderr
    expected_name = spec.filename.replace("{name}", "payments-api")
    path = workspace_dir / "docs/internal/operations" / expected_name
    assert result.stdout.strip() == f"docs/internal/operations/{expected_name}"
    doc = read_document(path)
    assert doc.problems == []
    assert [s.title for s in doc.sections] == list(spec.section_titles)
    fm = doc.front_matter
    assert fm is not None
    assert fm["kind"] == kind
    assert fm["owner"] == "team-pay"
    # the document records the bundled template and its version, as the template declares them
    declared = re.search(r"^template: (\S+)$", bundled_template(spec.template_file), re.M)
    assert declared is not None and re.fullmatch(rf"opsdocs/{kind}@\d+", declared.group(1))
    assert fm["template"] == declared.group(1)
    model = spec.schema.model_validate(fm)
    assert model.last_reviewed == dt.date(2026, 3, 4)
    assert doc.title == fm["title"]
    readme = (workspace_dir / "docs/internal/operations/README.md").read_text()
    assert f"]({expected_name}) - team-pay, reviewed 2026-03-04" in readme


def test_new_defaults_owner_and_service(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    cli("new", "slo", "api-availability", "--service", "api-server", cwd=workspace_dir)
    doc = read_document(workspace_dir / "docs/internal/operations/slo-api-availability.md")
    assert doc.front_matter is not None
    assert doc.front_matter["owner"] == "team-sre"  # first of owners in opsdocs.toml
    assert doc.front_matter["service"] == "api-server"
    assert doc.front_matter["title"] == "API Availability SLO"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["runbook", "../x"], "error: invalid name '../x' (use lowercase letters"),
        (["runbook", "A B"], "error: invalid name 'A B'"),
        (["runbook", ""], "error: kind 'runbook' needs a service name"),
        (["runbook"], "error: kind 'runbook' needs a service name"),
        (["runbook", "a/b"], "error: invalid name 'a/b'"),
        (["runbook", "Api"], "error: invalid name 'Api'"),
        (["runbook", "api--server"], "error: invalid name 'api--server'"),
        (["incident-response", "x"], "error: kind 'incident-response' is one per folder"),
        (["playbook", "x"], "error: unknown kind 'playbook' (use one of: runbook, slo"),
        (["runbook", "api", "--service", "web"], "error: a runbook's service is its name (api)"),
        (["slo", "x", "--title", "   "], "error: the title is empty"),
        (["slo", "x", "--title", "Two\n# lines"], "error: the title 'Two\\n# lines' is not one"),
        (["slo", "x", "--title", "Tab\there"], "error: the title 'Tab\\there' is not one"),
        (["runbook", "api", "--owner", "Team API"], "error: invalid owner 'Team API' (use"),
        (["runbook", "api", "--owner", ""], "error: invalid owner ''"),
        (["slo", "x", "--service", "Web App"], "error: invalid service 'Web App'"),
    ],
)
def test_new_refuses_bad_input_and_writes_nothing(
    args: list[str], message: str, workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    before = snapshot(workspace_dir)
    result = cli("new", *args, cwd=workspace_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(workspace_dir) == before


def test_new_refuses_existing_file_and_case_twin(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    ops = workspace_dir / "docs/internal/operations"
    (ops / "runbook-Billing.md").write_text("mine\n")
    assert cli("new", "runbook", "web", cwd=workspace_dir).exit_code == 0
    before = snapshot(workspace_dir)
    again = cli("new", "runbook", "web", cwd=workspace_dir)
    assert again.exit_code == 2
    assert again.stderr == (
        "error: docs/internal/operations/runbook-web.md: already exists "
        "(edit the existing document or choose another name)\n"
    )
    twin = cli("new", "runbook", "billing", cwd=workspace_dir)
    assert twin.exit_code == 2
    assert "differs only in case from runbook-Billing.md" in twin.stderr
    assert snapshot(workspace_dir) == before


def test_repository_template_wins(workspace_dir: Path, cli: Callable[..., Result]) -> None:
    own = workspace_dir / "templates/docs/runbook-template.md"
    own.write_text(
        '---\nkind: runbook\ntitle: "{{ title | yamlstr }}"\nowner: {{ owner }}\n'
        "service: {{ service }}\nlast_reviewed: {{ today }}\n---\n\n# {{ title }}\n\nOURS\n"
    )
    result = cli("new", "runbook", "web", "--owner", "team-web", cwd=workspace_dir)
    assert result.exit_code == 0, result.stderr
    text = (workspace_dir / "docs/internal/operations/runbook-web.md").read_text()
    assert "OURS" in text
    doc = read_document(workspace_dir / "docs/internal/operations/runbook-web.md")
    assert doc.front_matter is not None
    assert doc.front_matter["template"].startswith("templates/docs/runbook-template.md@sha256:")


def test_template_sandbox_refuses_unsafe_access(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    own = workspace_dir / "templates/docs/runbook-template.md"
    own.write_text("{{ title.__class__.__mro__[1].__subclasses__() }}\n")
    before = snapshot(workspace_dir)
    result = cli("new", "runbook", "web", cwd=workspace_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: templates/docs/runbook-template.md: template")
    assert snapshot(workspace_dir) == before


def test_template_syntax_error_names_the_line(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    own = workspace_dir / "templates/docs/slo-template.md"
    own.write_text("---\nkind: slo\n---\n\n{% if %}\n")
    result = cli("new", "slo", "x", "--service", "x", cwd=workspace_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: templates/docs/slo-template.md:5:1: template syntax error"
    )


def test_new_with_broken_readme_markers_writes_nothing(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    readme = workspace_dir / "docs/internal/operations/README.md"
    readme.write_text(readme.read_text().replace("<!-- opsdocs:index:end -->", ""))
    before = snapshot(workspace_dir)
    result = cli("new", "runbook", "web", cwd=workspace_dir)
    assert result.exit_code == 2
    assert "marker <!-- opsdocs:index:end --> is missing" in result.stderr
    assert snapshot(workspace_dir) == before
    ok = cli("new", "runbook", "web", "--no-index", cwd=workspace_dir)
    assert ok.exit_code == 0
    assert readme.read_text() == before["docs/internal/operations/README.md"].decode()


def test_sections_are_read_from_the_bundled_template() -> None:
    runbook = get_kind("runbook")
    assert runbook.sections[0] == SectionSpec(
        "Service Overview", "What is this service? What it does, who uses it, what it depends on."
    )
    assert len(runbook.sections) == 7
    text = (
        "---\n# ## not a heading: a YAML comment\nkind: x\n---\n\n# {{ title }}\n\n"
        "## One\n\n_Say one thing._\n\nTODO\n\n```markdown\n## Inside a fence\n```\n\n"
        "## Two & Three\n\nNo guidance here.\n\n### Deeper\n\n_Not a section._\n"
    )
    assert template_sections(text) == (
        SectionSpec("One", "Say one thing."),
        SectionSpec("Two & Three", ""),
    )


def test_fresh_init_passes_check_and_links_existing_siblings(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    build_tree(tmp_path, {"docs/internal/architecture/README.md": "# Architecture\n"})
    cli("init", cwd=tmp_path)
    text = (tmp_path / "docs/internal/operations/README.md").read_text()
    assert (
        "- [Architecture Documentation](../architecture/README.md) - Links to system design" in text
    )
    assert "- Delivery Documentation (`../delivery/README.md`, not written yet" in text
    result = cli("check", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout


def test_new_links_the_documents_that_exist_and_no_others(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    ops = workspace_dir / "docs/internal/operations"
    # nothing to link yet: TODO lines that say how to write the missing documents, no dead links
    assert cli("new", "runbook", "pay", "--owner", "team-sre", cwd=workspace_dir).exit_code == 0
    runbook = (ops / "runbook-pay.md").read_text()
    assert "- TODO: link the service's SLO documents (`opsdocs new slo pay-availability" in runbook
    assert (
        "**Restore**: TODO: link the DR plan (`opsdocs new disaster-recovery` writes it)" in runbook
    )
    found = cli("check", "--select", "LK", cwd=workspace_dir)
    assert found.stdout == "All checks passed (2 files).\n", found.stdout
    # the SLO written next links the runbook; a runbook written after them links both
    args = ("--service", "pay", "--owner", "team-sre")
    assert cli("new", "slo", "pay-availability", *args, cwd=workspace_dir).exit_code == 0
    assert (
        cli("new", "slo", "pay-latency", *args, "--title", "Pay p95", cwd=workspace_dir).exit_code
        == 0
    )
    assert cli("new", "disaster-recovery", cwd=workspace_dir).exit_code == 0
    assert (
        "pay: see [its runbook](runbook-pay.md)." in (ops / "slo-pay-availability.md").read_text()
    )
    (ops / "runbook-pay.md").unlink()
    assert cli("new", "runbook", "pay", "--owner", "team-sre", cwd=workspace_dir).exit_code == 0
    runbook = (ops / "runbook-pay.md").read_text()
    assert (
        "- [Pay Availability SLO](slo-pay-availability.md)\n- [Pay p95](slo-pay-latency.md)\n"
        in runbook
    )
    assert "**Restore**: see [the DR plan](disaster-recovery.md)" in runbook
    found = cli("check", "--select", "LK,XD", cwd=workspace_dir)
    assert found.exit_code == 0, found.stdout


def test_new_slo_takes_the_longest_runbook_service_that_prefixes_the_name(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    ops = workspace_dir / "docs/internal/operations"
    for service in ("api", "api-gateway", "ap"):
        assert cli("new", "runbook", service, cwd=workspace_dir).exit_code == 0
    assert cli("new", "slo", "api-availability", cwd=workspace_dir).exit_code == 0
    assert 'service: "api"\n' in (ops / "slo-api-availability.md").read_text()
    assert cli("new", "slo", "api-gateway-latency", cwd=workspace_dir).exit_code == 0
    assert 'service: "api-gateway"\n' in (ops / "slo-api-gateway-latency.md").read_text()
    # 'apis' is not 'api' followed by a word: no guess
    before = snapshot(workspace_dir)
    result = cli("new", "slo", "apis-latency", cwd=workspace_dir)
    assert (result.exit_code, result.stderr) == (
        2,
        "error: no runbook's service starts the name 'apis-latency' (pass --service, e.g."
        " 'opsdocs new slo apis-latency --service SERVICE')\n",
    )
    assert snapshot(workspace_dir) == before
