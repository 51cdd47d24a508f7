"""`opsdocs adopt`: the plan for a hand-written runbook, applied in one step; links follow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result, build_tree, snapshot

Cli = Callable[..., Result]

HAND_WRITTEN = """# API runbook

Serves the public API. See [how to fix](#mitigation).

## Symptoms

5xx spikes.

Mitigation
----------

```bash
kubectl rollout restart deploy/api
```

## Contacts

#api-oncall
"""

NOTES = "# Notes\n\nSee [the runbook](API%20Runbook.md#mitigation) and [it](./API%20Runbook.md).\n"


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "opsdocs.toml").write_text("")
    build_tree(
        tmp_path,
        {
            ".github/CODEOWNERS": "* @acme/team-platform\nnotes/ @acme/team-api  # the API team\n",
            "notes/API Runbook.md": HAND_WRITTEN,
            "notes/index.md": NOTES,
        },
    )
    return tmp_path


PLAN = [
    "notes/API Runbook.md (runbook)",
    "  rename to notes/runbook-api.md (the runbook naming rule)",
    "  add front matter: kind: runbook, title: API runbook, owner: team-api, service: api, "
    "last_reviewed: 2026-06-01 (owner from .github/CODEOWNERS:2)",
    "  line 5: rename heading 'Symptoms' to 'Common Failures & Diagnostics'",
    "  line 9: rename heading 'Mitigation' to 'Step-by-step Procedures'",
    "  line 16: rename heading 'Contacts' to 'Escalation & Ownership'",
    "  add section '## Service Overview'",
    "  add section '## SLOs / SLIs'",
    "  add section '## Dashboards & Alerts'",
    "  add section '## DR / Backup / Restore'",
    "notes/index.md: kind unknown, left alone (name it with --kind)",
    "notes/runbook-api.md:11: update link '#mitigation' to '#step-by-step-procedures'",
    "notes/index.md:3: update link 'API%20Runbook.md#mitigation' to "
    "'runbook-api.md#step-by-step-procedures'",
    "notes/index.md:3: update link './API%20Runbook.md' to 'runbook-api.md'",
]


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path: Path, cli: Cli) -> None:
    root = _workspace(tmp_path)
    before = snapshot(root)
    result = cli("adopt", "notes", "--today", "2026-06-01", cwd=root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == PLAN
    assert result.stderr == "Dry run: nothing changed (apply the plan with --write).\n"
    assert snapshot(root) == before


def test_write_applies_the_plan_and_the_result_checks_clean(tmp_path: Path, cli: Cli) -> None:
    root = _workspace(tmp_path)
    result = cli("adopt", "notes", "--write", "--today", "2026-06-01", cwd=root)
    assert result.exit_code == 0, result.stderr
    assert not (root / "notes/API Runbook.md").exists()
    text = (root / "notes/runbook-api.md").read_text()
    assert text.startswith(
        "---\nkind: runbook\ntitle: 'API runbook'\nowner: team-api\nservice: api\n"
        "last_reviewed: '2026-06-01'\n---\n\n# API runbook\n\n"
        "Serves the public API. See [how to fix](#step-by-step-procedures).\n"
    )
    assert "## Common Failures & Diagnostics\n\n5xx spikes." in text
    assert "Step-by-step Procedures\n----------\n\n```bash" in text
    assert "## Escalation & Ownership\n\n#api-oncall" in text
    assert (root / "notes/index.md").read_text() == (
        "# Notes\n\nSee [the runbook](runbook-api.md#step-by-step-procedures) and "
        "[it](runbook-api.md).\n"
    )
    check = cli("check", "notes", "--today", "2026-06-01", "--ignore", "CT003", cwd=root)
    assert check.exit_code == 0, check.stdout
    again = cli("adopt", "notes", cwd=root)
    assert again.stderr == "Nothing to adopt: the files already follow their kind.\n"


def test_synonyms_are_configurable(tmp_path: Path, cli: Cli) -> None:
    root = _workspace(tmp_path)
    (root / "opsdocs.toml").write_text(
        '[adopt.synonyms]\n"Dashboards & Alerts" = ["Where to look"]\n'
    )
    (root / "notes/API Runbook.md").write_text(HAND_WRITTEN + "\n## Where to look\n\nGrafana.\n")
    result = cli("adopt", "notes/API Runbook.md", cwd=root)
    assert "  line 20: rename heading 'Where to look' to 'Dashboards & Alerts'" in result.stdout
    assert "add section '## Dashboards & Alerts'" not in result.stdout


def test_without_codeowners_the_owner_is_left_to_the_user(tmp_path: Path, cli: Cli) -> None:
    root = _workspace(tmp_path)
    (root / ".github/CODEOWNERS").unlink()
    result = cli("adopt", "notes/API Runbook.md", "--today", "2026-06-01", cwd=root)
    assert (
        "  add front matter: kind: runbook, title: API runbook, service: api, "
        "last_reviewed: 2026-06-01"
    ) in result.stdout.splitlines()
    assert (
        "  note: no owner in CODEOWNERS for it: add 'owner:' to the front matter"
        in result.stdout.splitlines()
    )


def test_a_named_file_of_unknown_kind_is_an_error(tmp_path: Path, cli: Cli) -> None:
    root = _workspace(tmp_path)
    result = cli("adopt", "notes/index.md", cwd=root)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "notes/index.md: cannot tell which kind of document this is (pass --kind" in (
        result.stderr
    )
    forced = cli("adopt", "notes/index.md", "--kind", "runbook", cwd=root)
    assert "  rename to notes/runbook-index.md (the runbook naming rule)" in forced.stdout


def test_dry_run_and_write_together_is_a_usage_error(tmp_path: Path, cli: Cli) -> None:
    root = _workspace(tmp_path)
    result = cli("adopt", "notes", "--dry-run", "--write", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --dry-run and --write contradict each other (give one of them)\n"
    )


def test_an_existing_target_is_not_overwritten(tmp_path: Path, cli: Cli) -> None:
    root = _workspace(tmp_path)
    (root / "notes/runbook-api.md").write_text("# mine\n")
    result = cli("adopt", "notes/API Runbook.md", "--write", cwd=root)
    assert result.exit_code == 0
    assert "  note: notes/runbook-api.md exists: not renamed" in result.stdout.splitlines()
    assert (root / "notes/runbook-api.md").read_text() == "# mine\n"
    assert (root / "notes/API Runbook.md").read_text().startswith("---\nkind: runbook\n")
