"""`opsdocs check` and `opsdocs rule` on the command line: messages, formats, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from opsdocs.check.registry import all_rules, get_rule
from tests.conftest import Result, build_tree, snapshot

RUNBOOK = """---
kind: runbook
title: API runbook
owner: team-api
service: api
last_reviewed: 2026-05-01
---

# API runbook

## Service Overview

Serves the public API.

## SLOs / SLIs

None yet.

## Dashboards & Alerts

Grafana board api.

## Common Failures & Diagnostics

Pods crash when the database is down.

## Step-by-step Procedures

1. Restart the deployment.

## Escalation & Ownership

Page the owning team.

## DR / Backup / Restore

Restore from the nightly snapshot.
"""

Cli = Callable[..., Result]


def notes(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A plain folder (never init-ed) with ``files``; the workspace root is ``tmp_path``."""
    (tmp_path / "opsdocs.toml").write_text("")
    return build_tree(tmp_path / "notes", files)


def test_clean_folder_exits_0(tmp_path: Path, cli: Cli) -> None:
    folder = notes(tmp_path, {"runbook-api.md": RUNBOOK})
    result = cli("check", str(folder), "--today", "2026-06-01", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == "All checks passed (1 file).\n"


def test_finding_line_format_and_exit_1(tmp_path: Path, cli: Cli) -> None:
    text = RUNBOOK.replace("Page the owning team.", "Page TODO.")
    line = text.split("\n").index("Page TODO.") + 1
    col = "Page TODO.".index("TODO") + 1
    folder = notes(tmp_path, {"runbook-api.md": text})
    result = cli("check", str(folder), "--today", "2026-06-01", cwd=tmp_path)
    assert result.exit_code == 1
    rule = get_rule("CT001")
    assert result.stdout.splitlines() == [
        f"notes/runbook-api.md:{line}:{col}: CT001 {rule.name}: placeholder 'TODO' left in "
        "(replace it with the real content)",
        "Found 1 error in 1 file.",
    ]


def test_warnings_pass_unless_strict(tmp_path: Path, cli: Cli) -> None:
    text = RUNBOOK.replace(
        "last_reviewed: 2026-05-01\n", "last_reviewed: 2026-05-01\nlast_review: x\n"
    )
    folder = notes(tmp_path, {"runbook-api.md": text})
    relaxed = cli("check", str(folder), "--today", "2026-06-01", cwd=tmp_path)
    assert relaxed.exit_code == 0
    assert "FM006 unknown-front-matter-key" in relaxed.stdout
    assert relaxed.stdout.splitlines()[-1] == "Found 0 errors, 1 warning in 1 file."
    strict = cli("check", str(folder), "--today", "2026-06-01", "--strict", cwd=tmp_path)
    assert strict.exit_code == 1


def test_strict_from_configuration(tmp_path: Path, cli: Cli) -> None:
    text = RUNBOOK.replace(
        "last_reviewed: 2026-05-01\n", "last_reviewed: 2026-05-01\nlast_review: x\n"
    )
    folder = notes(tmp_path, {"runbook-api.md": text})
    (tmp_path / "opsdocs.toml").write_text("[check]\nstrict = true\n")
    assert cli("check", str(folder), "--today", "2026-06-01", cwd=tmp_path).exit_code == 1


def test_select_and_ignore_by_code_prefix_and_name(tmp_path: Path, cli: Cli) -> None:
    text = RUNBOOK.replace("Page the owning team.", "Page TODO. [x](missing.md)")
    folder = notes(tmp_path, {"runbook-api.md": text})
    args = ("check", str(folder), "--today", "2026-06-01")

    def codes(*extra: str) -> set[str]:
        out = cli(*args, *extra, cwd=tmp_path).stdout
        return {line.split(": ")[1].split()[0] for line in out.splitlines()[:-1]}

    assert codes() == {"CT001", "LK001"}
    assert codes("--select", "LK") == {"LK001"}
    assert codes("--select", "placeholder-text") == {"CT001"}
    assert codes("--ignore", "CT001") == {"LK001"}
    assert codes("--select", "CT,LK", "--ignore", "broken-link") == {"CT001"}
    (tmp_path / "opsdocs.toml").write_text('[check]\nignore = ["LK"]\n')
    assert codes() == {"CT001"}


def test_unknown_selector_is_a_usage_error(tmp_path: Path, cli: Cli) -> None:
    folder = notes(tmp_path, {"runbook-api.md": RUNBOOK})
    result = cli("check", str(folder), "--select", "ZZ9", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: select: 'ZZ9' matches no rule (use a code (ST001), a prefix (ST) or a name; "
        "see 'opsdocs rule --all')\n"
    )


def test_bad_configuration_exits_2_naming_key_and_file(tmp_path: Path, cli: Cli) -> None:
    folder = notes(tmp_path, {"runbook-api.md": RUNBOOK})
    (tmp_path / "opsdocs.toml").write_text('[check]\nstrict = "very"\n')
    result = cli("check", str(folder), cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: opsdocs.toml:2:1: check.strict: Input should be a valid boolean, unable to "
        "interpret input (see docs/check.md)\n"
    )


def test_missing_path_is_a_usage_error(tmp_path: Path, cli: Cli) -> None:
    notes(tmp_path, {})
    result = cli("check", "nowhere", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "error: nowhere: no such file or folder (check the path)\n"


def test_no_operations_folder_is_a_usage_error(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "opsdocs.toml").write_text("")
    result = cli("check", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no operations folder" in result.stderr


def test_init_workspace_checks_operations_folder(workspace_dir: Path, cli: Cli) -> None:
    assert cli("new", "runbook", "api", "--today", "2026-05-01", cwd=workspace_dir).exit_code == 0
    result = cli("check", "--today", "2026-06-01", "--select", "ST,IX,NM", cwd=workspace_dir)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "All checks passed (2 files).\n"


def test_json_format(tmp_path: Path, cli: Cli) -> None:
    folder = notes(tmp_path, {"runbook-api.md": RUNBOOK.replace("None yet.", "TBD")})
    result = cli("check", str(folder), "--format", "json", "--today", "2026-06-01", cwd=tmp_path)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    line = RUNBOOK.replace("None yet.", "TBD").split("\n").index("TBD") + 1
    assert data["findings"] == [
        {
            "path": "notes/runbook-api.md",
            "line": line,
            "col": 1,
            "code": "CT001",
            "name": "placeholder-text",
            "severity": "error",
            "message": "placeholder 'TBD' left in",
            "hint": "replace it with the real content",
            "fixable": False,
            "uri": "notes/runbook-api.md",
        }
    ]
    assert data["summary"]["errors"] == 1
    assert result.stderr == "Found 1 error in 1 file.\n"


def test_github_format_escapes_properties(tmp_path: Path, cli: Cli) -> None:
    folder = notes(tmp_path, {"runbook-a,b.md": RUNBOOK.replace("None yet.", "TBD")})
    result = cli("check", str(folder), "--format", "github", "--today", "2026-06-01", cwd=tmp_path)
    line = RUNBOOK.replace("None yet.", "TBD").split("\n").index("TBD") + 1
    assert (
        f"::error file=notes/runbook-a%2Cb.md,line={line},col=1,"
        "title=CT001 placeholder-text::placeholder 'TBD' left in (replace it with the real content)"
    ) in result.stdout.splitlines()


def test_output_file(tmp_path: Path, cli: Cli) -> None:
    folder = notes(tmp_path, {"runbook-api.md": RUNBOOK})
    out = tmp_path / "report.sarif"
    result = cli("check", str(folder), "--format", "sarif", "-o", str(out), cwd=tmp_path)
    assert result.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_check_changes_no_file(tmp_path: Path, cli: Cli) -> None:
    folder = notes(tmp_path, {"runbook-api.md": RUNBOOK.replace("## SLOs / SLIs", "## Other")})
    before = snapshot(tmp_path)
    assert cli("check", str(folder), "--no-cache", cwd=tmp_path).exit_code == 1
    assert snapshot(tmp_path) == before


def test_rule_by_code_and_name(cli: Cli) -> None:
    by_code = cli("rule", "st001")
    by_name = cli("rule", "missing-required-section")
    assert by_code.exit_code == by_name.exit_code == 0
    assert by_code.stdout == by_name.stdout
    lines = by_code.stdout.splitlines()
    assert lines[0] == "# ST001 missing-required-section"
    for heading in ("## What it does", "## Why it matters", "## Example", "## Use instead"):
        assert heading in lines


def test_rule_all_json(cli: Cli) -> None:
    result = cli("rule", "--all", "--format", "json")
    data = json.loads(result.stdout)
    assert [r["code"] for r in data] == sorted(r.code for r in all_rules())
    assert all(r["severity"] in ("error", "warning") for r in data)


def test_rule_all_text_lists_every_code(cli: Cli) -> None:
    result = cli("rule", "--all")
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [r.code for r in all_rules()]
    # the columns line up however long a rule's name is
    severity_at = {
        line.index(" error ") if " error " in line else line.index(" warning ") for line in lines
    }
    summary_at = {line.index(r.text.summary) for line, r in zip(lines, all_rules(), strict=True)}
    assert len(severity_at) == 1 and len(summary_at) == 1


def test_rule_unknown(cli: Cli) -> None:
    result = cli("rule", "XX001")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: unknown rule 'XX001' (run 'opsdocs rule --all' to list the rules)\n"
    )


def test_rule_needs_exactly_one_argument(cli: Cli) -> None:
    assert cli("rule").exit_code == 2
    assert cli("rule", "ST001", "--all").exit_code == 2


def test_commands_have_help(cli: Cli) -> None:
    for command in ("check", "rule"):
        result = cli(command, "--help")
        assert result.exit_code == 0
        assert "Usage: opsdocs " + command in result.stdout


def test_schema_violation_names_key_path_at_its_line(tmp_path: Path, cli: Cli) -> None:
    text = RUNBOOK.replace("owner: team-api", "owner: Team API").replace(
        "service: api\n", "service: api\ntier: 9\n"
    )
    folder = notes(tmp_path, {"runbook-api.md": text})
    result = cli("check", str(folder), "--select", "FM005", cwd=tmp_path)
    lines = text.split("\n")
    owner = lines.index("owner: Team API") + 1
    tier = lines.index("tier: 9") + 1
    out = result.stdout.splitlines()
    assert out[0].startswith(
        f"notes/runbook-api.md:{owner}:1: FM005 front-matter-schema-violation: "
        "owner: String should match pattern "
    )
    assert out[0].endswith("(got 'Team API') (see 'opsdocs schema runbook')")
    assert out[1] == (
        f"notes/runbook-api.md:{tier}:1: FM005 front-matter-schema-violation: "
        "tier: Input should be less than or equal to 4 (got 9) (see 'opsdocs schema runbook')"
    )


SLO_DOC = """---
kind: slo
title: API availability
owner: team-api
service: api
last_reviewed: 2026-05-01
---

# API availability

## Service

api.

## SLI

Good over valid.

## SLO Target

99.9%.

## Measurement

Prometheus.

## Alerting

Burn rate.
"""


def test_one_file_is_checked_against_the_whole_operations_folder(
    workspace_dir: Path, cli: Cli
) -> None:
    ops = workspace_dir / "docs" / "internal" / "operations"
    (ops / "slo-api.md").write_text(SLO_DOC)
    args = ("--select", "XD001", "--today", "2026-06-01")
    alone = cli("check", str(ops / "slo-api.md"), *args, cwd=workspace_dir)
    assert alone.exit_code == 1
    assert "XD001 slo-without-runbook: service 'api' has an SLO but no runbook" in alone.stdout
    (ops / "runbook-api.md").write_text(RUNBOOK)
    again = cli("check", str(ops / "slo-api.md"), *args, cwd=workspace_dir)
    assert again.stdout == "All checks passed (1 file).\n"
    # the same through a symlinked folder
    (workspace_dir / "link").symlink_to(ops)
    linked = cli("check", "link/slo-api.md", *args, cwd=workspace_dir)
    assert linked.stdout == "All checks passed (1 file).\n"


def test_owners_are_checked_only_against_a_configured_list(tmp_path: Path, cli: Cli) -> None:
    folder = notes(tmp_path, {"runbook-api.md": RUNBOOK})
    args = ("check", str(folder), "--select", "FM009", "--today", "2026-06-01")
    assert cli(*args, cwd=tmp_path).stdout == "All checks passed (1 file).\n"
    (tmp_path / "opsdocs.toml").write_text('owners = ["team-payments", "team-sre"]\n')
    result = cli(*args, cwd=tmp_path)  # a warm cache must not hide it
    assert result.exit_code == 0  # a warning
    assert result.stdout.startswith(
        "notes/runbook-api.md:4:1: FM009 unknown-owner: owner 'team-api' is not one of the "
        "configured owners (use one of: team-payments, team-sre"
    )
    assert cli(*args, "--strict", cwd=tmp_path).exit_code == 1
