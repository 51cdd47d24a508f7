"""Parsed rule files kept in the content-hash cache, and the runbook folders' files kept there
with their facts only: a warm ``alerts check`` parses nothing that did not change."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.monitoring import catalogue
from tests.conftest import Result, build_tree
from tests.monitoring.helpers import record_rule_parses
from tests.monitoring.test_estate import SITE, build_estate

CONFIG = (
    'owners = ["team-sre"]\n\n[monitoring]\nrule_files = ["rules/*.yaml"]\n'
    f'runbook_urls = {{"{SITE}" = "runbooks/"}}\npromtool = false\n'
)


@pytest.fixture
def estate(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    build_tree(tmp_path, {"opsdocs.toml": CONFIG})
    assert cli("init", cwd=tmp_path).exit_code == 0
    build_estate(tmp_path)
    return tmp_path


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rule files parsed from here on (the others were read back from the cache)."""
    return record_rule_parses(monkeypatch)


def _findings(cli: Callable[..., Result], root: Path, *args: str) -> list[dict[str, object]]:
    result = cli(*args, "--format", "json", cwd=root)
    assert result.exit_code == 1, result.stderr
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings


def test_a_warm_run_parses_only_the_rule_file_that_changed(
    estate: Path, cli: Callable[..., Result], parsed: list[str]
) -> None:
    cold = _findings(cli, estate, "alerts", "check")
    assert list((estate / ".opsdocs" / "cache").glob("monitoring-rules-*.json"))
    parsed.clear()
    # PrometheusRule documents, alert positions and rule-file lines all come back from the cache
    assert _findings(cli, estate, "alerts", "check") == cold
    assert _findings(cli, estate, "check") == _findings(cli, estate, "check", "--no-cache")
    assert parsed == ["rules/operator.yaml", "rules/plain.yaml"]  # --no-cache parsed them
    parsed.clear()
    plain = estate / "rules" / "plain.yaml"
    plain.write_text(
        plain.read_text().replace("severity: critical", "severity: urgent", 1), encoding="utf-8"
    )
    warm = _findings(cli, estate, "alerts", "check")
    assert parsed == ["rules/plain.yaml"]
    added = [f for f in warm if f not in cold]
    assert [(f["code"], f["path"]) for f in added] == [("AL005", "rules/plain.yaml")]
    assert str(added[0]["message"]).startswith("alert 'Service000Down': severity 'urgent'")
    assert [f for f in warm if f not in added] == cold


def test_no_cache_keeps_no_parsed_rule_files(estate: Path, cli: Callable[..., Result]) -> None:
    _findings(cli, estate, "check", "--no-cache")
    assert not list(estate.glob(".opsdocs/cache/monitoring-rules-*"))


def test_a_runbook_read_for_its_anchors_is_checked_in_full_when_checked_itself(
    estate: Path, cli: Callable[..., Result]
) -> None:
    # read by 'alerts check' for its anchors only (a context file: no document rules)...
    build_tree(estate, {"runbooks/team/notes.md": "---\nowner: [unclosed\n---\n# Notes\n"})
    findings = _findings(cli, estate, "alerts", "check")
    assert not any(f["path"] == "runbooks/team/notes.md" and f["code"] != "AL004" for f in findings)
    # ...then checked as a document: its own findings, not the facts-only cache entry
    result = cli("check", "runbooks/team/notes.md", "--format", "json", cwd=estate)
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert result.exit_code == 1
    assert codes - {"AL003", "AL004"}, codes


def test_list_and_stub_read_the_catalogue_through_the_same_cache(
    estate: Path, cli: Callable[..., Result], parsed: list[str]
) -> None:
    listed = cli("alerts", "list", "--format", "json", cwd=estate)
    assert listed.exit_code == 0, listed.stderr
    assert parsed == ["rules/operator.yaml", "rules/plain.yaml"]
    parsed.clear()
    # what 'alerts list' parsed is read back by 'alerts check', 'alerts stub' and 'alerts list'
    _findings(cli, estate, "alerts", "check")
    assert cli("alerts", "stub", "--dry-run", cwd=estate).exit_code == 0
    assert cli("alerts", "list", "--format", "json", cwd=estate).stdout == listed.stdout
    assert parsed == []
    # an edited file is parsed again, by whichever command reads it first
    plain = estate / "rules" / "plain.yaml"
    plain.write_text(plain.read_text().replace("severity: critical", "severity: page", 1))
    assert cli("alerts", "stub", "--dry-run", cwd=estate).exit_code == 0
    assert parsed == ["rules/plain.yaml"]


def test_the_rule_files_are_parsed_while_the_workers_parse_the_runbooks(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold run starts the worker processes on the runbooks first and parses the rule files
    meanwhile; it finds what a warm run (nothing parsed) and a serial run find."""
    import multiprocessing

    from opsdocs.check.engine import CheckOptions, run_check
    from opsdocs.workspace import Workspace

    workers: list[int] = []
    real_parse = catalogue.parse_rule_text
    others = len(multiprocessing.active_children())  # started by other tests, if any

    def parse(text: str, result: catalogue.RuleFile) -> catalogue.RuleFile:
        workers.append(len(multiprocessing.active_children()) - others)
        return real_parse(text, result)

    monkeypatch.setattr(catalogue, "parse_rule_text", parse)
    workspace = Workspace.discover(root=estate)
    options = CheckOptions(select=["AL"], jobs=2, parallel_threshold=2)
    cold = run_check(workspace, None, options)
    assert workers == [2, 2]  # both rule files, each while the two workers ran
    assert cold.parsed > 150
    warm = run_check(workspace, None, options)
    assert (warm.parsed, workers) == (0, [2, 2])
    serial = run_check(workspace, None, CheckOptions(select=["AL"], jobs=1, cache=False))
    assert {f.code for f in cold.findings} == {"AL003", "AL004"}
    assert warm.findings == cold.findings == serial.findings


def test_a_catalogue_that_fails_to_load_stops_the_workers(
    estate: Path, cli: Callable[..., Result]
) -> None:
    """When the catalogue fails to load while the workers parse the runbooks (a Prometheus
    that does not answer), the run ends with that error, as it did when the catalogue was
    loaded first, and leaves no worker behind."""
    import multiprocessing
    import socket

    from opsdocs.check.engine import CheckOptions, run_check
    from opsdocs.errors import InputError
    from opsdocs.workspace import Workspace

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = estate / "opsdocs.toml"
    config.write_text(
        config.read_text() + f'prometheus_url = "http://127.0.0.1:{port}"\ntimeout = 1\n'
    )
    workspace = Workspace.discover(root=estate)
    options = CheckOptions(select=["AL"], jobs=2, parallel_threshold=2)
    others = multiprocessing.active_children()  # started by other tests, if any
    with pytest.raises(InputError) as raised:
        run_check(workspace, None, options)
    assert multiprocessing.active_children() == others
    result = cli("alerts", "check", cwd=estate)
    assert (result.exit_code, result.stderr) == (2, f"error: {raised.value.format()}\n")
