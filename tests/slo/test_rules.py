"""The document layer and ``opsdocs slo rules``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import Result, build_tree, require_tool, snapshot
from tests.slo.helpers import promtool, slo_document

DOCS = "docs/internal/operations"

SLOS = """slos:
  - name: availability
    objective: 99.9
    indicator:
      type: ratio
      errors: sum(rate(http_requests_total{job="api",code=~"5.."}[{{window}}]))
      total: sum(rate(http_requests_total{job="api"}[{{window}}]))
"""

RUNBOOK = """---
kind: runbook
title: API runbook
owner: team-api
service: api
last_reviewed: 2026-11-01
---

# API runbook

## Availability

What to do when requests fail.
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-api"]\n\n[slo]\n'
            'docs_base_url = "https://docs.example.com/ops/"\n',
            f"{DOCS}/slo-api.md": slo_document(SLOS),
            f"{DOCS}/runbook-api.md": RUNBOOK,
        },
    )


def test_rules_writes_one_file_per_document(ws: Path, cli: Callable[..., Result]) -> None:
    result = cli("slo", "rules", cwd=ws)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "wrote rules/slo/slo-api.yaml\n",
        "",
    )
    data = yaml.safe_load((ws / "rules/slo/slo-api.yaml").read_text())
    alerts = data["groups"][2]["rules"]
    # the runbook section named after the SLO gives the anchor
    assert {a["annotations"]["runbook_url"] for a in alerts} == {
        "https://docs.example.com/ops/runbook-api.md#availability"
    }
    again = cli("slo", "rules", cwd=ws)
    assert again.stdout == "same  rules/slo/slo-api.yaml\n"


def test_check_reports_stale_files(ws: Path, cli: Callable[..., Result]) -> None:
    missing = cli("slo", "rules", "--check", cwd=ws)
    assert (missing.exit_code, missing.stdout) == (1, "stale rules/slo/slo-api.yaml\n")
    assert missing.stderr == "1 rule file(s) out of date; run 'opsdocs slo rules' to update.\n"
    assert not (ws / "rules").exists()
    assert cli("slo", "rules", cwd=ws).exit_code == 0
    fresh = cli("slo", "rules", "--check", cwd=ws)
    assert (fresh.exit_code, fresh.stdout) == (0, "1 rule file(s) up to date.\n")
    doc = ws / DOCS / "slo-api.md"
    doc.write_text(doc.read_text().replace("99.9", "99.5"))
    assert cli("slo", "rules", "--check", cwd=ws).exit_code == 1


def test_spec_errors_exit_2_with_position_and_write_nothing(
    ws: Path, cli: Callable[..., Result]
) -> None:
    doc = ws / DOCS / "slo-api.md"
    doc.write_text(slo_document(SLOS.replace("99.9", "100.5")))
    before = snapshot(ws)
    result = cli("slo", "rules", cwd=ws)
    line = next(i for i, t in enumerate(doc.read_text().splitlines(), 1) if "objective" in t)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {DOCS}/slo-api.md:{line}:5: slos[0].objective: must be a percentage above 0"
        " and below 100 (got 100.5)\n"
    )
    assert snapshot(ws) == before


def test_warnings_do_not_stop_the_rules(ws: Path, cli: Callable[..., Result]) -> None:
    (ws / DOCS / "slo-api.md").write_text(slo_document(SLOS.replace("99.9", "90")))
    result = cli("slo", "rules", cwd=ws)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"warning: {DOCS}/slo-api.md:")
    assert "can never fire" in result.stderr


@pytest.mark.tools
def test_operator_format_passes_promtool_on_its_spec(ws: Path, cli: Callable[..., Result]) -> None:
    tool = require_tool("promtool")
    result = cli("slo", "rules", "--format", "prometheus-operator", "--out", "k8s", cwd=ws)
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load((ws / "k8s/slo-api.yaml").read_text())
    assert (data["kind"], data["metadata"]["name"]) == ("PrometheusRule", "slo-api")
    (ws / "spec.yaml").write_text(yaml.safe_dump(data["spec"]))
    checked = promtool(tool, "check", "rules", ws / "spec.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_tests_need_plain_rule_files(ws: Path, cli: Callable[..., Result]) -> None:
    result = cli("slo", "rules", "--tests", "--format", "prometheus-operator", cwd=ws)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --tests needs plain Prometheus rule files"
        " (drop --tests or use --format prometheus)\n"
    )


def test_tests_flag_writes_test_files_per_slo(ws: Path, cli: Callable[..., Result]) -> None:
    result = cli("slo", "rules", "--tests", "--compat", "sloth", cwd=ws)
    assert result.exit_code == 0
    # one file per evaluation interval: 5m for the page pairs, 30m and 1h for the ticket pairs
    names = ["test", "eval-30m.test", "eval-1h.test"]
    assert result.stdout.splitlines() == [
        "wrote rules/slo/slo-api.yaml",
        *(f"wrote rules/slo-tests/slo-api.availability.{n}.yaml" for n in names),
    ]
    for name, every in zip(names, ("5m", "30m", "1h"), strict=True):
        path = ws / f"rules/slo-tests/slo-api.availability.{name}.yaml"
        assert f"# Run: promtool test rules {path.name}\n" in path.read_text()
        test = yaml.safe_load(path.read_text())
        assert test["rule_files"] == ["../slo/slo-api.yaml"]
        assert test["evaluation_interval"] == every
    rules = yaml.safe_load((ws / "rules/slo/slo-api.yaml").read_text())
    assert rules["groups"][0]["name"] == "sloth-slo-sli-recordings-api-availability"


def test_documents_without_slos_are_fine(tmp_path: Path, cli: Callable[..., Result]) -> None:
    build_tree(tmp_path, {"opsdocs.toml": "", f"{DOCS}/slo-web.md": slo_document("")})
    result = cli("slo", "rules", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (
        0,
        "No SLOs found: add 'slos:' to the front matter of an slo document.\n",
    )


def test_bad_slo_config_names_key_and_file(tmp_path: Path, cli: Callable[..., Result]) -> None:
    build_tree(tmp_path, {"opsdocs.toml": '[slo]\nscrape_interval = "often"\n'})
    result = cli("slo", "rules", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: opsdocs.toml:2:1: slo.scrape_interval: must be a duration such as '5m', '1h' or"
        " '3d' (got 'often') (see docs/slo-spec.md#configuration)\n"
    )


def test_second_run_comes_from_the_cache_and_changes_invalidate_it(
    ws: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    (ws / DOCS / "slo-api.md").write_text(slo_document(SLOS.replace("99.9", "90")))
    first = cli("slo", "rules", cwd=ws)
    assert first.exit_code == 0 and "can never fire" in first.stderr
    rules = (ws / "rules/slo/slo-api.yaml").read_text()
    assert list((ws / ".opsdocs/cache").glob("slo-rules-*.json"))

    import opsdocs.slo.rules as rules_module

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled although nothing changed")

    monkeypatch.setattr(rules_module, "load_slo_document", boom)
    again = cli("slo", "rules", "--check", cwd=ws)
    # same findings (the warning is replayed) and the files are current
    assert (again.exit_code, again.stderr.splitlines()[0]) == (0, first.stderr.splitlines()[0])
    monkeypatch.undo()

    # a change in the service's runbook changes runbook_url, so the cache must not be used
    runbook = ws / DOCS / "runbook-api.md"
    runbook.write_text(runbook.read_text().replace("## Availability", "## Uptime"))
    assert cli("slo", "rules", "--check", cwd=ws).exit_code == 1
    assert cli("slo", "rules", cwd=ws).exit_code == 0
    new = (ws / "rules/slo/slo-api.yaml").read_text()
    assert new != rules
    assert "runbook_url: https://docs.example.com/ops/runbook-api.md\n" in new


def test_no_cache_leaves_no_cache(ws: Path, cli: Callable[..., Result]) -> None:
    assert cli("slo", "rules", "--no-cache", cwd=ws).exit_code == 0
    assert not (ws / ".opsdocs").exists()


def test_sloth_mode_notes_a_no_data_policy_it_cannot_keep(
    ws: Path, cli: Callable[..., Result]
) -> None:
    (ws / DOCS / "slo-api.md").write_text(
        slo_document(
            SLOS.replace("    objective: 99.9\n", "    objective: 99.9\n    no_data: good\n")
        )
    )
    result = cli("slo", "rules", "--compat", "sloth", cwd=ws)
    assert result.exit_code == 0
    assert result.stderr == (
        f"note: {DOCS}/slo-api.md: availability: no_data 'good' has no Sloth equivalent; Sloth"
        " mode leaves windows without traffic out\n"
    )


def test_files_of_a_removed_document_are_reported_not_deleted(
    ws: Path, cli: Callable[..., Result]
) -> None:
    assert cli("slo", "rules", cwd=ws).exit_code == 0
    (ws / "rules/slo/notes.yaml").write_text("# my own file\n")
    (ws / DOCS / "slo-api.md").rename(ws / DOCS / "slo-web.md")
    (ws / DOCS / "slo-web.md").write_text(
        (ws / DOCS / "slo-web.md").read_text().replace("service: api", "service: web")
    )
    check = cli("slo", "rules", "--check", cwd=ws)
    assert check.exit_code == 1
    assert check.stdout.splitlines() == [
        "stale rules/slo/slo-web.yaml",
        "orphan rules/slo/slo-api.yaml (no document generates it)",
    ]
    result = cli("slo", "rules", cwd=ws)
    assert result.stderr == (
        "warning: rules/slo/slo-api.yaml: generated by opsdocs but no document generates it any"
        " more (delete it)\n"
    )
    assert (ws / "rules/slo/slo-api.yaml").exists()
    assert (ws / "rules/slo/notes.yaml").read_text() == "# my own file\n"


@pytest.mark.parametrize(
    ("style", "link"),
    [("md", "runbook-api.md"), ("html", "runbook-api.html"), ("dir", "runbook-api/")],
)
def test_runbook_link_styles(ws: Path, cli: Callable[..., Result], style: str, link: str) -> None:
    config = ws / "opsdocs.toml"
    config.write_text(config.read_text() + f'docs_link_style = "{style}"\n')
    assert cli("slo", "rules", cwd=ws).exit_code == 0
    data = yaml.safe_load((ws / "rules/slo/slo-api.yaml").read_text())
    urls = {a["annotations"]["runbook_url"] for a in data["groups"][2]["rules"]}
    assert urls == {f"https://docs.example.com/ops/{link}#availability"}


# --- hardening: queries and selectors that must not reach the rules ----------------------------


def test_a_query_too_deep_for_the_parser_is_one_line_at_its_key(
    ws: Path, cli: Callable[..., Result]
) -> None:
    deep = "sum(rate(x[{{window}}]))" + " + x" * 5000
    (ws / DOCS / "slo-api.md").write_text(
        slo_document(
            SLOS.replace('sum(rate(http_requests_total{job="api",code=~"5.."}[{{window}}]))', deep)
        )
    )
    for args in (("slo", "rules"), ("check",)):
        result = cli(*args, cwd=ws)
        assert result.exit_code in (1, 2), result.stderr
        out = result.stderr + result.stdout
        assert f"{DOCS}/slo-api.md:12:7: " in out
        assert (
            "slos[0].indicator.errors: query is 20016 characters long, more than 8192"
            " (simplify it, or record a part as its own rule)\n" in out
        )
    assert not (ws / "rules").exists()


def test_a_selector_that_escapes_its_braces_is_refused(
    ws: Path, cli: Callable[..., Result]
) -> None:
    latency = """slos:
  - name: latency
    objective: 99
    indicator:
      type: latency
      metric: http_request_duration_seconds_bucket
      selector: 'job="api"} or vector(1) or x{a="b"'
      threshold: 0.3
"""
    (ws / DOCS / "slo-api.md").write_text(slo_document(latency))
    result = cli("slo", "rules", cwd=ws)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {DOCS}/slo-api.md:13:7: slos[0].indicator.selector: not a list of label"
        " matchers: not a label matcher at '} or vector(1) or x{'"
        ' (write label matchers only, separated by commas: job="api", code=~"5..")\n'
    )
    assert not (ws / "rules").exists()


@pytest.mark.tools
def test_a_description_is_text_not_a_template(ws: Path, cli: Callable[..., Result]) -> None:
    tool = require_tool("promtool")
    slos = SLOS + "    description: '{{ 7*7 }} and {{ query \"up\" }}'\n"
    (ws / DOCS / "slo-api.md").write_text(slo_document(slos))
    assert cli("slo", "rules", "--tests", cwd=ws).exit_code == 0
    rules = ws / "rules/slo/slo-api.yaml"
    alerts = yaml.safe_load(rules.read_text())["groups"][2]["rules"]
    assert alerts[0]["annotations"]["description"] == (
        '{{ `{{` }} 7*7 {{ `}}` }} and {{ `{{` }} query "up" {{ `}}` }}'
    )
    assert promtool(tool, "check", "rules", rules).returncode == 0
    # the generated tests expect the annotation to expand to the text as written
    tests = sorted((ws / "rules").rglob("*.test.yaml"))
    assert tests
    text = tests[0].read_text()
    assert "description: '{{ 7*7 }} and {{ query \"up\" }}'" in text
    result = promtool(tool, "test", "rules", *tests)
    assert result.returncode == 0, result.stdout[-2000:]


def test_errors_and_total_with_different_labels_are_refused(
    ws: Path, cli: Callable[..., Result]
) -> None:
    grouped = SLOS.replace("errors: sum(rate(", "errors: sum by (path) (rate(")
    (ws / DOCS / "slo-api.md").write_text(slo_document(grouped))
    result = cli("slo", "rules", cwd=ws)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {DOCS}/slo-api.md:12:7: slos[0].indicator.errors: errors and total keep"
        " different labels (errors keeps path that total does not): dividing them matches no"
        " series, so the SLI is empty and the alert never fires (aggregate both by the same"
        " labels, e.g. sum(...) in both)\n"
    )
    check = cli("check", cwd=ws)
    assert check.exit_code == 1
    assert "SL001" in check.stdout and "errors keeps path that total does not" in check.stdout


# --- tests in their own folder, duplicate ids, documents of another kind ------------------------


def test_tests_go_to_their_own_folder_and_check_knows_both(
    ws: Path, cli: Callable[..., Result]
) -> None:
    assert cli("slo", "rules", "--tests", cwd=ws).exit_code == 0
    assert sorted(p.name for p in (ws / "rules/slo").iterdir()) == ["slo-api.yaml"]
    tests = sorted(p.name for p in (ws / "rules/slo-tests").iterdir())
    assert tests and all(name.endswith(".test.yaml") for name in tests)
    # a plain run (without --tests) neither calls the tests orphans nor asks to delete them
    plain = cli("slo", "rules", "--check", cwd=ws)
    assert (plain.exit_code, plain.stdout) == (0, "1 rule file(s) up to date.\n")
    again = cli("slo", "rules", cwd=ws)
    assert (again.exit_code, again.stderr) == (0, "")
    assert cli("slo", "rules", "--tests", "--check", cwd=ws).exit_code == 0
    # the tests of a removed document are orphans
    (ws / DOCS / "slo-api.md").unlink()
    gone = cli("slo", "rules", "--check", cwd=ws)
    assert gone.exit_code == 1
    assert f"orphan rules/slo-tests/{tests[0]} (no document generates it)" in gone.stdout


def test_tests_folder_is_configurable(ws: Path, cli: Callable[..., Result]) -> None:
    config = ws / "opsdocs.toml"
    config.write_text(config.read_text() + 'tests_dir = "tests/promtool"\n')
    assert cli("slo", "rules", "--tests", cwd=ws).exit_code == 0
    [first, *_] = sorted((ws / "tests/promtool").iterdir())
    assert yaml.safe_load(first.read_text())["rule_files"] == ["../../rules/slo/slo-api.yaml"]


@pytest.mark.tools
def test_generated_tests_run_from_their_folder(ws: Path, cli: Callable[..., Result]) -> None:
    tool = require_tool("promtool")
    assert cli("slo", "rules", "--tests", cwd=ws).exit_code == 0
    [first, *_] = sorted((ws / "rules/slo-tests").iterdir())
    data = yaml.safe_load(first.read_text())
    data["tests"] = data["tests"][:1]
    first.write_text(yaml.safe_dump(data))
    result = promtool(tool, "test", "rules", first)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_duplicate_slo_ids_are_refused(ws: Path, cli: Callable[..., Result]) -> None:
    (ws / DOCS / "slo-api-legacy.md").write_text(slo_document(SLOS))
    before = snapshot(ws)
    result = cli("slo", "rules", cwd=ws)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {DOCS}/{name}:8:5: SLO id 'api-availability' is also defined in"
        f" {DOCS}/{other}: their rules would record the same series (service and name must be"
        " unique across the workspace; rename one)"
        for name, other in (
            ("slo-api-legacy.md", "slo-api.md"),
            ("slo-api.md", "slo-api-legacy.md"),
        )
    ]
    assert snapshot(ws) == before
    # one document given: the duplicate elsewhere in the workspace still counts
    one = cli("slo", "rules", f"{DOCS}/slo-api.md", cwd=ws)
    assert one.exit_code == 2 and "also defined in" in one.stderr
    check = cli("check", cwd=ws)
    assert check.exit_code == 1
    assert (
        f"{DOCS}/slo-api.md:8:5: SL004 duplicate-slo-id: SLO id 'api-availability'" in check.stdout
    )


def test_a_document_of_another_kind_is_not_an_slo_document(
    ws: Path, cli: Callable[..., Result]
) -> None:
    result = cli("slo", "rules", f"{DOCS}/runbook-api.md", cwd=ws)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: {DOCS}/runbook-api.md:1:1: not an slo document (its kind is 'runbook')"
        " (give slo documents, or no paths for all of them)\n"
    )


@pytest.mark.tools
def test_tests_run_promtool_over_the_rules_before_writing(
    ws: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tool("promtool")
    from opsdocs.slo import prometheus

    # rules promtool rejects (a template that does not parse), as a compiler bug would write
    real = prometheus.escape_template
    monkeypatch.setattr(prometheus, "escape_template", lambda text: "{{ broken")
    slos = SLOS + "    description: anything\n"
    (ws / DOCS / "slo-api.md").write_text(slo_document(slos))
    before = snapshot(ws)
    result = cli("slo", "rules", "--tests", "--no-cache", cwd=ws)
    assert result.exit_code == 2
    # promtool names the first annotation it fails on (description or runbook_url)
    assert re.search(
        r"\nerror: rules/slo/slo-api\.yaml: promtool check rules rejects it: group"
        r' "opsdocs-slo-alerts-api-availability", rule 1, "ApiAvailabilityBurnRate": annotation'
        r' "(description|runbook_url)": template: __alert_ApiAvailabilityBurnRate:1: function'
        r' "broken" not defined\n',
        result.stderr,
    ), result.stderr
    assert snapshot(ws) == before
    monkeypatch.setattr(prometheus, "escape_template", real)
    assert cli("slo", "rules", "--tests", "--no-cache", cwd=ws).exit_code == 0


def test_a_current_file_outside_the_workspace_is_still_refused(
    ws: Path, cli: Callable[..., Result]
) -> None:
    # files already as planned are not written again, but every planned path is still
    # checked to lie in the workspace: an output folder that climbs out is refused
    out = ws.parent / f"{ws.name}-out"  # the workspace is tmp_path itself
    assert cli("slo", "rules", "--no-cache", "--out", str(out), cwd=ws).exit_code == 0
    (ws / "opsdocs.toml").write_text(
        'owners = ["team-api"]\n\n[slo]\ndocs_base_url = "https://docs.example.com/ops/"\n'
        f'output_dir = "../{out.name}"\n'
    )
    result = cli("slo", "rules", "--no-cache", cwd=ws)
    assert result.exit_code == 2, result.stdout
    assert "refusing to write outside the workspace" in result.stderr


def test_labels_are_the_paths_relative_to_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsdocs.slo.rules import _Paths
    from opsdocs.workspace import Workspace

    root = tmp_path / "ws"
    build_tree(root, {"a/b/x.md": "x", "out.md": "y"})
    build_tree(tmp_path, {"outside/y.md": "y"})
    (root / "a/link.md").symlink_to(root / "a/b/x.md")
    (root / "lb").symlink_to(root / "a/b")
    (root / "o").symlink_to(tmp_path / "outside")
    monkeypatch.chdir(root / "a")
    workspace = Workspace.discover(root=root)
    paths = _Paths(workspace.root)
    for path in (
        root / "a/b/x.md",
        root / "a/link.md",  # a link: its target
        root / "lb/x.md",  # through a linked folder
        root / "lb/../out.md",  # '..' after a link: the link's parent
        root / "o/y.md",  # outside: as given
        Path("b/x.md"),  # relative to the current folder
        Path("../out.md"),
        Path("."),
        root / "missing.md",
        root,
    ):
        assert paths.label(path) == workspace.relative(path), path
        assert paths.resolve(path) == path.resolve(), path


@pytest.mark.parametrize(
    "change",
    [lambda raw: raw.replace(b"\n", b"\r\n"), lambda raw: b"\xef\xbb\xbf" + raw],
    ids=["crlf", "byte-order-mark"],
)
def test_check_and_the_write_agree_on_every_byte(
    ws: Path, cli: Callable[..., Result], change: Callable[[bytes], bytes]
) -> None:
    """A rule file that newline translation (or a BOM) made look current is stale: a plain run
    writes it again as generated, and then --check passes."""
    assert cli("slo", "rules", cwd=ws).exit_code == 0
    path = ws / "rules/slo/slo-api.yaml"
    generated = path.read_bytes()
    path.write_bytes(change(generated))
    stale = cli("slo", "rules", "--check", cwd=ws)
    assert (stale.exit_code, stale.stdout) == (1, "stale rules/slo/slo-api.yaml\n")
    rewritten = cli("slo", "rules", cwd=ws)
    assert (rewritten.exit_code, rewritten.stdout) == (0, "wrote rules/slo/slo-api.yaml\n")
    assert path.read_bytes() == generated
    assert cli("slo", "rules", "--check", cwd=ws).exit_code == 0
