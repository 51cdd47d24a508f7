"""The AL rules against the real tools: promtool's verdict on rule files of both shapes, and a
running Prometheus serving its loaded rules (/api/v1/rules) and its series."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Result, build_tree, require_tool

pytestmark = pytest.mark.tools

SITE = "https://runbooks.example.com/runbooks/"

GOOD_AND_BAD = f"""\
groups:
  - name: api
    rules:
      - alert: ApiDown
        expr: up{{job="api"}} == 0
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: API is down
          runbook_url: {SITE}api-down
      - alert: ApiTypo
        expr: rate(http_request_total[5m]) > 1
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: Requests seen
          runbook_url: {SITE}api-typo
"""

BROKEN_EXPR = f"""\
groups:
  - name: broken
    rules:
      - alert: Broken
        expr: sum(rate(http_requests_total[5m]) > 1
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: x
          runbook_url: {SITE}broken
"""

OPERATOR = f"""\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: kube
spec:
  groups:
    - name: kube
      rules:
        - alert: KubeBroken
          expr: up ==
          for: 5m
          labels:
            severity: warning
          annotations:
            summary: x
            runbook_url: {SITE}kube-broken
"""


def _workspace(root: Path, extra: str = "") -> Path:
    build_tree(
        root,
        {
            "opsdocs.toml": (
                'owners = ["team-sre"]\n\n[monitoring]\nrule_files = ["rules/*.yaml"]\n'
                f'runbook_urls = {{"{SITE}" = "runbooks/"}}\n{extra}'
            ),
            "runbooks/api-down.md": "# API down\n",
            "runbooks/api-typo.md": "# typo\n",
            "runbooks/broken.md": "# broken\n",
            "runbooks/kube-broken.md": "# kube\n",
        },
    )
    return root


def test_promtool_complaints_land_at_the_rule(tmp_path: Path, cli: Callable[..., Result]) -> None:
    require_tool("promtool")
    _workspace(tmp_path)
    build_tree(
        tmp_path,
        {
            "rules/good.yaml": GOOD_AND_BAD,
            "rules/broken.yaml": BROKEN_EXPR,
            "rules/op.yaml": OPERATOR,
        },
    )
    cli("init", cwd=tmp_path)
    result = cli("alerts", "check", "--format", "json", cwd=tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["path"], f["line"]) for f in findings] == [
        ("AL010", "rules/broken.yaml", 5),
        ("AL010", "rules/op.yaml", 10),
    ]
    assert "promtool: could not parse expression" in findings[0]["message"]
    assert findings[1]["message"].startswith("alert 'KubeBroken': promtool: could not parse")


def test_promtool_starts_before_the_rule_files_are_parsed(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """promtool is given the files as they are before they are parsed; what it says of a file
    the catalogue reads in another shape (a PrometheusRule, several documents) or could not
    read is ignored, and those files' documents are checked by a second run."""
    require_tool("promtool")
    from opsdocs.monitoring import analysis, estate
    from opsdocs.workspace import Workspace

    _workspace(tmp_path)
    multi = GOOD_AND_BAD + "---\n" + BROKEN_EXPR.replace("Broken", "Broken2")
    build_tree(
        tmp_path,
        {
            "rules/broken.yaml": BROKEN_EXPR,
            "rules/multi.yaml": multi,
            "rules/not-yaml.yaml": "groups: [\n",
            "rules/op.yaml": OPERATOR,
        },
    )
    cli("init", cwd=tmp_path)
    events: list[str] = []
    popen, load = analysis.subprocess.Popen, estate.load_catalogue

    def start(args: list[str], **kwargs: object) -> subprocess.Popen[str]:
        events.append("promtool " + " ".join(Path(a).name for a in args[3:]))
        return popen(args, **kwargs)  # type: ignore[call-overload,no-any-return]

    def catalogue(*args: object, **kwargs: object) -> object:
        events.append("parse")
        return load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis.subprocess, "Popen", start)
    monkeypatch.setattr(estate, "load_catalogue", catalogue)
    workspace = Workspace.discover(root=tmp_path)
    found = estate.study(workspace, prometheus=False).findings
    assert events == [
        "promtool broken.yaml multi.yaml not-yaml.yaml op.yaml",
        "parse",
        "promtool 1-0.yaml 1-1.yaml 2-0.yaml",
    ]
    assert sorted(
        (Path(f.path).name, f.line, f.code) for f in found if f.code in ("AL001", "AL010")
    ) == [
        ("broken.yaml", 5, "AL010"),
        ("multi.yaml", 25, "AL010"),
        ("not-yaml.yaml", 2, "AL001"),
        ("op.yaml", 10, "AL010"),
    ]


def test_a_prometheus_rule_with_a_date_like_value_is_checked(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """YAML reads an unquoted 2026-01-01 as a date; Prometheus reads it as the string it is.
    The PrometheusRule handed to promtool keeps it a string instead of ending as a bug."""
    require_tool("promtool")
    _workspace(tmp_path)
    dated = OPERATOR.replace(
        "severity: warning", "severity: warning\n            since: 2026-01-01"
    )
    build_tree(tmp_path, {"rules/op.yaml": dated.replace("up ==", "up == 0")})
    cli("init", cwd=tmp_path)
    result = cli("alerts", "check", "--select", "AL010", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_warm_run_puts_promtool_complaints_at_the_same_lines(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    require_tool("promtool")
    _workspace(tmp_path)
    build_tree(tmp_path, {"rules/broken.yaml": BROKEN_EXPR, "rules/op.yaml": OPERATOR})
    cli("init", cwd=tmp_path)
    cold = cli("alerts", "check", "--format", "json", cwd=tmp_path).stdout
    assert list(tmp_path.glob(".opsdocs/cache/monitoring-rules-*.json"))
    # the PrometheusRule's groups and rule lines come from the cache: promtool still sees them
    assert cli("alerts", "check", "--format", "json", cwd=tmp_path).stdout == cold
    findings = json.loads(cold)["findings"]
    assert [(f["path"], f["line"]) for f in findings if f["code"] == "AL010"] == [
        ("rules/broken.yaml", 5),
        ("rules/op.yaml", 10),
    ]


def test_promtool_is_stopped_when_the_run_fails_after_starting_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tool("promtool")
    import tempfile

    from opsdocs.check.engine import CheckOptions, run_check
    from opsdocs.errors import UsageError
    from opsdocs.workspace import Workspace

    _workspace(tmp_path)
    build_tree(tmp_path, {"rules/op.yaml": OPERATOR})  # written out for promtool: a temp file
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    workspace = Workspace.discover(root=tmp_path)
    with pytest.raises(UsageError, match="no such file") as failure:
        run_check(workspace, [tmp_path / "missing.md"], CheckOptions(select=["AL"]))
    # the failed run's frames are still alive (failure): what it started was stopped anyway
    assert failure.traceback
    assert list(scratch.iterdir()) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Prometheus on loopback over a tiny TSDB (series of up and http_requests_total) with
    GOOD_AND_BAD loaded as its rule file."""
    server = require_tool("prometheus")
    promtool = require_tool("promtool")
    home = tmp_path_factory.mktemp("monitoring-prometheus")
    now = int(time.time())
    samples = ["# TYPE up gauge"]
    samples += [f'up{{job="api"}} 1 {now - 3600 + 60 * i}' for i in range(50)]
    samples += ["# TYPE http_requests counter"]
    samples += [f'http_requests_total{{job="api"}} {i} {now - 3600 + 60 * i}' for i in range(50)]
    samples.append("# EOF")
    (home / "data.om").write_text("\n".join(samples) + "\n")
    subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "-q",
            str(home / "data.om"),
            str(home / "data"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    rules = home / "rules.yaml"
    rules.write_text(GOOD_AND_BAD)
    (home / "prometheus.yml").write_text(
        f"global:\n  evaluation_interval: 1m\nrule_files:\n  - {rules}\n"
    )
    port = _free_port()
    process = subprocess.Popen(
        [
            server,
            f"--config.file={home / 'prometheus.yml'}",
            f"--storage.tsdb.path={home / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=100y",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("prometheus did not start")
            time.sleep(0.2)
        yield url, rules
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_loaded_rules_and_series_from_a_running_prometheus(
    prometheus: tuple[str, Path], tmp_path: Path, cli: Callable[..., Result]
) -> None:
    url, _ = prometheus
    _workspace(tmp_path, f'prometheus_url = "{url}"\npromtool = false\n')
    # the same rules in the repository: findings land at their lines
    build_tree(tmp_path, {"rules/api.yaml": GOOD_AND_BAD})
    for unused in ("broken", "kube-broken"):
        (tmp_path / "runbooks" / f"{unused}.md").unlink()
    cli("init", cwd=tmp_path)
    listed = cli("alerts", "list", "--format", "json", cwd=tmp_path)
    assert listed.exit_code == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert [(a["alert"], a["source"], a["file"], a["line"]) for a in data] == [
        ("ApiDown", "prometheus", "rules/api.yaml", 4),
        ("ApiTypo", "prometheus", "rules/api.yaml", 12),
    ]
    assert "read from" in listed.stderr
    checked = cli("alerts", "check", "--format", "json", cwd=tmp_path)
    findings = json.loads(checked.stdout)["findings"]
    assert [(f["code"], f["path"], f["line"], f["message"]) for f in findings] == [
        (
            "AL011",
            "rules/api.yaml",
            13,
            "alert 'ApiTypo': metric 'http_request_total' has no series in Prometheus",
        )
    ]


def test_an_unreachable_prometheus_is_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    port = _free_port()
    _workspace(tmp_path, f'prometheus_url = "http://127.0.0.1:{port}"\npromtool = false\n')
    cli("init", cwd=tmp_path)
    result = cli("alerts", "list", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot reach Prometheus at http://127.0.0.1:{port}")
    assert len(result.stderr.splitlines()) == 1


def test_promtool_runs_on_one_core_with_gogc_400_unless_the_user_says_otherwise(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """promtool is started on one core with Go's collector running a quarter as often (less
    CPU time on the cores it shares with the check); GOMAXPROCS and GOGC the user set are
    kept."""
    require_tool("promtool")
    from opsdocs.monitoring import analysis

    _workspace(tmp_path)
    build_tree(tmp_path, {"rules/broken.yaml": BROKEN_EXPR})
    cli("init", cwd=tmp_path)
    seen: list[tuple[str | None, str | None]] = []
    popen = analysis.subprocess.Popen

    def start(args: list[str], **kwargs: object) -> subprocess.Popen[str]:
        env = kwargs.get("env")
        env = env if isinstance(env, dict) else dict(os.environ)
        seen.append((env.get("GOGC"), env.get("GOMAXPROCS")))
        return popen(args, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(analysis.subprocess, "Popen", start)
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMAXPROCS", raising=False)
    codes = []
    for name, value in (("", ""), ("GOGC", "50"), ("GOMAXPROCS", "2")):
        if name:
            monkeypatch.setenv(name, value)
        result = cli("alerts", "check", "--format", "json", cwd=tmp_path)
        codes += [f["code"] for f in json.loads(result.stdout)["findings"] if f["code"] == "AL010"]
    assert seen == [("400", "1"), ("50", "1"), ("50", "2")]
    assert codes == ["AL010"] * 3  # promtool's verdict either way
