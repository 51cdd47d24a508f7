"""Importing into documents (importer.py) and the import/export commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from opsdocs.documents.parse import parse_document
from opsdocs.slo.importer import update_document_slos
from opsdocs.slo.spec import SloSection, SloSpec
from tests.conftest import Result, build_tree, snapshot
from tests.slo.helpers import RATIO, slo, slo_document
from tests.slo.strategies import unique_slos
from tests.slo.test_interchange import SLOTH

DOCS = "docs/internal/operations"

FRONT = """---
kind: slo  # keep this comment
title: "API SLOs"
owner: team-api
service: api
last_reviewed: 2026-11-01
slos:
  - name: keep
    objective: 99
    indicator: {type: raw, error_ratio: 'x[{{window}}]'}
  - name: availability
    objective: 95
    indicator: {type: raw, error_ratio: 'y[{{window}}]'}
---
"""


def slos_of(text: str) -> list[SloSpec]:
    doc = parse_document(Path("slo-api.md"), text)
    assert doc.front_matter is not None
    return SloSection.model_validate(doc.front_matter).slos


def test_same_name_is_replaced_others_kept_new_appended() -> None:
    text = FRONT + "\n# API SLOs\n\nProse.\n"
    new = update_document_slos(
        parse_document(Path("slo-api.md"), text),
        [slo(name="availability"), slo(name="latency", objective=99)],
    )
    assert [s.name for s in slos_of(new)] == ["keep", "availability", "latency"]
    assert slos_of(new)[1] == slo(name="availability")
    assert "kind: slo  # keep this comment\n" in new
    assert new.endswith("---\n\n# API SLOs\n\nProse.\n")


def test_reimport_keeps_comments_inside_and_around_the_slo_it_updates() -> None:
    text = (
        "---\n"
        "kind: slo\n"
        "title: API SLOs  # hand-written\n"
        "owner: team-api\n"
        "service: api\n"
        "last_reviewed: 2026-11-01\n"
        "slos:\n"
        "  # the one customers feel\n"
        "  - name: availability  # agreed with support\n"
        "    objective: 99.9  # was 99.5 until 2026-10\n"
        "    indicator:\n"
        "      type: ratio\n"
        f"      errors: '{RATIO['errors']}'  # 5xx only\n"
        f"      total: '{RATIO['total']}'\n"
        "---\n"
        "# API SLOs\n"
    )
    wanted = slo(name="availability", objective=99.95)
    new = update_document_slos(parse_document(Path("slo-api.md"), text), [wanted])
    assert slos_of(new) == [wanted]
    changed = {
        "    objective: 99.9  # was 99.5 until 2026-10": "    objective: 99.95 # was 99.5 until 2026-10"
    }
    # the comment keeps its column while there is room
    assert new.split("\n") == [changed.get(line, line) for line in text.split("\n")]


body_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"))


@settings(max_examples=80, deadline=None)
@given(body=body_text, slos=unique_slos())
def test_text_outside_the_front_matter_is_kept_byte_for_byte(
    body: str, slos: list[SloSpec]
) -> None:
    text = FRONT + body
    new = update_document_slos(parse_document(Path("slo-api.md"), text), slos)
    assert new.endswith("\n---\n" + body)
    imported = {s.name: s for s in slos}
    merged = slos_of(new)
    for spec in merged:
        if spec.name in imported:
            assert spec == imported[spec.name]
    # importing the same specs again changes nothing
    assert update_document_slos(parse_document(Path("slo-api.md"), new), slos) == new


def test_cli_import_creates_then_updates(tmp_path: Path, cli: Callable[..., Result]) -> None:
    build_tree(tmp_path, {"opsdocs.toml": 'owners = ["team-x"]\n', "sloth.yaml": SLOTH})
    assert cli("init", cwd=tmp_path).exit_code == 0
    result = cli("slo", "import", "sloth.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        [f"created {DOCS}/slo-myservice.md: requests-availability"],
    )
    doc = tmp_path / DOCS / "slo-myservice.md"
    doc.write_text(doc.read_text() + "\nNotes written by hand.\n")
    again = cli("slo", "import", "sloth.yaml", cwd=tmp_path)
    assert again.stdout == f"same    {DOCS}/slo-myservice.md: requests-availability\n"
    assert doc.read_text().endswith("\nNotes written by hand.\n")
    rules = cli("slo", "rules", cwd=tmp_path)
    assert rules.exit_code == 0, rules.stderr
    # the error-budget table follows the imported SLOs
    assert cli("slo", "budget", "--check", cwd=tmp_path).exit_code == 0
    found = cli("check", "--select", "SL", cwd=tmp_path)
    assert found.exit_code == 0, found.stdout


def test_cli_import_dry_run_writes_nothing(tmp_path: Path, cli: Callable[..., Result]) -> None:
    build_tree(tmp_path, {"opsdocs.toml": 'owners = ["team-x"]\n', "sloth.yaml": SLOTH})
    before = snapshot(tmp_path)
    result = cli("slo", "import", "--dry-run", "sloth.yaml", cwd=tmp_path)
    assert result.stdout == (
        f"would create {DOCS}/slo-myservice.md: requests-availability\n"
        "  requests-availability: new SLO\n"
    )
    assert snapshot(tmp_path) == before


def test_cli_import_error_is_one_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    build_tree(tmp_path, {"opsdocs.toml": "", "bad.yaml": "groups: []\n"})
    result = cli("slo", "import", "bad.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: bad.yaml:1:1: neither a Sloth spec nor OpenSLO (expected 'version:"
        " prometheus/v1', 'apiVersion: sloth.slok.dev/v1', 'apiVersion: openslo/v1' or"
        " 'apiVersion: openslo/v1alpha')\n"
    )


def test_cli_export_then_import_elsewhere_is_the_same(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    build_tree(
        one,
        {
            "opsdocs.toml": "",
            f"{DOCS}/slo-api.md": slo_document(
                "slos:\n  - name: availability\n    objective: 99.5\n    period: 28d\n"
                "    no_data: bad\n    indicator:\n"
                + "".join(f"      {k}: '{v}'\n" for k, v in RATIO.items())
            ),
        },
    )
    build_tree(two, {"opsdocs.toml": 'owners = ["team-api"]\n'})
    exported = cli("slo", "export", "--out", str(two / "openslo.yaml"), cwd=one)
    assert exported.exit_code == 0, exported.stderr
    objects = list(yaml.safe_load_all((two / "openslo.yaml").read_text()))
    assert {o["kind"] for o in objects} == {
        "Service",
        "SLI",
        "SLO",
        "AlertCondition",
        "AlertPolicy",
        "AlertNotificationTarget",
    }
    imported = cli("slo", "import", "openslo.yaml", cwd=two)
    assert imported.exit_code == 0
    assert imported.stderr == ""  # nothing of an opsdocs export is left behind
    first = slos_of((one / DOCS / "slo-api.md").read_text())
    second = slos_of((two / DOCS / "slo-api.md").read_text())
    assert first == second
    again = cli("slo", "export", cwd=two)
    assert again.stdout == (two / "openslo.yaml").read_text()


def test_cli_import_says_what_it_does_not_take_over(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    spec = (
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: api-availability\nspec:\n"
        "  service: api\n  budgetingMethod: Occurrences\n"
        "  timeWindow: [{duration: 30d, isRolling: true}]\n"
        "  objectives: [{target: 0.999}]\n"
        "  indicator:\n    metadata: {name: api-errors}\n    spec:\n      ratioMetric:\n"
        "        counter: true\n"
        "        bad: {metricSource: {type: Prometheus, spec: {query: 'errors_total'}}}\n"
        "        total: {metricSource: {type: Prometheus, spec: {query: 'requests_total'}}}\n"
        "  alertPolicies:\n    - kind: AlertPolicy\n      metadata: {name: api-paging}\n"
        "      spec:\n        conditions:\n          - kind: AlertCondition\n"
        "            metadata: {name: burn}\n            spec:\n              severity: page\n"
        "              condition: {kind: burnrate, op: gt, threshold: 10, lookbackWindow: 1h}\n"
        "        notificationTargets: [{targetRef: api-pager}]\n"
        "---\napiVersion: openslo/v1\nkind: AlertNotificationTarget\nmetadata: {name: api-pager}\n"
        "spec: {target: pagerduty}\n"
    )
    build_tree(tmp_path, {"opsdocs.toml": 'owners = ["team-api"]\n', "openslo.yaml": spec})
    assert cli("init", cwd=tmp_path).exit_code == 0
    result = cli("slo", "import", "openslo.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    line = next(n for n, text in enumerate(spec.split("\n"), 1) if "condition: {" in text)
    assert result.stderr == (
        f"note: openslo.yaml:{line}:15: AlertCondition 'burn' (burn rate gt 10 over 1h) is not "
        "imported as written; opsdocs alerts on 14.4 over 1h, 6 over 6h, 3 over 1d, 1 over 3d "
        "for a 30d period (docs/slo-spec.md)\n"
    )


SLOTH_BARE = """\
version: "prometheus/v1"
service: "api"
slos:
  - name: "availability"
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="api"}[{{.window}}]))
"""

HAND_WRITTEN = slo_document(
    "slos:\n"
    "  - name: availability\n"
    "    description: Written by hand.\n"
    "    objective: 99.9\n"
    "    period: 28d\n"
    "    no_data: bad\n"
    "    indicator:\n"
    "      type: raw\n"
    "      error_ratio: '1 - avg_over_time(up[{{window}}])'\n"
    "    logs:\n"
    "      files: logs/api-*.jsonl\n"
    "      status: code\n"
)


def test_cli_import_keeps_the_keys_the_source_does_not_define(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    build_tree(
        tmp_path,
        {"opsdocs.toml": "", f"{DOCS}/slo-api.md": HAND_WRITTEN, "sloth.yaml": SLOTH_BARE},
    )
    result = cli("slo", "import", "sloth.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, f"updated {DOCS}/slo-api.md: availability\n")
    [merged] = slos_of((tmp_path / DOCS / "slo-api.md").read_text())
    # what Sloth defines is taken over: the objective and the indicator (as a whole)...
    assert merged.objective == 99.5
    assert merged.indicator.type == "ratio"
    # ...and what it does not define stays: description, period, no-data policy, logs
    assert merged.description == "Written by hand."
    assert (merged.period, merged.no_data) == ("28d", "bad")
    assert merged.logs is not None and merged.logs.status == "code"


def test_cli_import_dry_run_prints_the_field_level_diff(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    build_tree(
        tmp_path,
        {"opsdocs.toml": "", f"{DOCS}/slo-api.md": HAND_WRITTEN, "sloth.yaml": SLOTH_BARE},
    )
    before = snapshot(tmp_path)
    result = cli("slo", "import", "--dry-run", "sloth.yaml", cwd=tmp_path)
    assert snapshot(tmp_path) == before
    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        [
            f"would update {DOCS}/slo-api.md: availability",
            '  availability.indicator.error_ratio: "1 - avg_over_time(up[{{window}}])" -> (unset)',
            '  availability.indicator.errors: (unset) -> "sum(rate(http_requests_total{job=\\"api\\",'
            'code=~\\"5..\\"}[{{window}}]))"',
            '  availability.indicator.total: (unset) -> "sum(rate(http_requests_total{job=\\"api\\"}'
            '[{{window}}]))"',
            '  availability.indicator.type: "raw" -> "ratio"',
            "  availability.objective: 99.9 -> 99.5",
        ],
    )


def test_cli_import_writes_all_or_nothing(tmp_path: Path, cli: Callable[..., Result]) -> None:
    other = SLOTH_BARE.replace('service: "api"', 'service: "web"')
    broken = other.replace("objective: 99.5", "objective: yes")
    build_tree(
        tmp_path,
        {"opsdocs.toml": "", "one.yaml": SLOTH, "two.yaml": broken},
    )
    assert cli("init", cwd=tmp_path).exit_code == 0
    before = snapshot(tmp_path)
    result = cli("slo", "import", "one.yaml", "two.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: two.yaml:5:5: 'objective' must be a number, not a boolean (YAML reads yes, no,"
        " on, off, true and false so)\n"
    )
    assert snapshot(tmp_path) == before
    # the same two, both valid: both documents and the index, in one step
    (tmp_path / "two.yaml").write_text(other)
    result = cli("slo", "import", "one.yaml", "two.yaml", cwd=tmp_path)
    assert result.stdout.splitlines() == [
        f"created {DOCS}/slo-myservice.md: requests-availability",
        f"created {DOCS}/slo-web.md: availability",
    ]
    readme = (tmp_path / DOCS / "README.md").read_text()
    assert "(slo-myservice.md)" in readme and "(slo-web.md)" in readme


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "sum(rate(x_total[{{.foo}}]))",
            "indicator.errors: query has no {{window}} placeholder",
        ),
        ("sum(rate(x_total[5m]))", "indicator.errors: query has no {{window}} placeholder"),
        ("sum(rate(x_total[{{.window}}])) +", "indicator.errors: PromQL does not parse"),
        (
            "sum(rate(x_total[{{.window}}])) / {{.foo}}",
            "indicator.errors: PromQL does not parse",
        ),
    ],
)
def test_cli_import_refuses_what_check_refuses(
    tmp_path: Path, cli: Callable[..., Result], query: str, message: str
) -> None:
    spec = SLOTH_BARE.replace(
        'error_query: sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))',
        f"error_query: '{query}'",
    )
    build_tree(tmp_path, {"opsdocs.toml": "", "sloth.yaml": spec})
    before = snapshot(tmp_path)
    result = cli("slo", "import", "sloth.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: sloth.yaml:8:9: cannot import SLO 'availability': {message}"
    ), result.stderr
    assert result.stderr.count("\n") == 1
    assert snapshot(tmp_path) == before


def test_cli_import_of_a_file_without_slos_says_so(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    service = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: api}\nspec: {}\n"
    build_tree(tmp_path, {"opsdocs.toml": "", "service.yaml": service})
    before = snapshot(tmp_path)
    result = cli("slo", "import", "service.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "note: service.yaml: no SLO in this file, and no SLO refers to anything in it\n"
        "No SLOs found in the files given.\n",
    )
    assert snapshot(tmp_path) == before
    # beside a file with SLOs: the empty one is named, the other imported
    empty = SLOTH_BARE.split("slos:")[0] + "slos: []\n"
    build_tree(tmp_path, {"sloth.yaml": SLOTH_BARE, "empty.yaml": empty})
    result = cli("slo", "import", "sloth.yaml", "empty.yaml", "service.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        0,
        "note: empty.yaml: no SLO in this file, and no SLO refers to anything in it\n"
        "note: service.yaml: no SLO in this file, and no SLO refers to anything in it\n",
    )


OPENSLO_BASE = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
  annotations:
    opsdocs.dev/alerting: '{"name": "ApiDown"}'
    opsdocs.dev/labels: '{"team": "api"}'
spec:
  service: api
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 30d
      isRolling: true
  objectives:
    - targetPercent: 99.9
  indicator:
    metadata:
      name: api-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{job="api",code=~"5.."}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{job="api"}
  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: api-paging
      spec:
        conditions:
          - kind: AlertCondition
            metadata:
              name: api-fast-burn
            spec:
              severity: page
              condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h}
        notificationTargets:
          - targetRef: api-pager
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: api-pager
spec:
  target: pagerduty
"""

SLOTH_K8S_BASE = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: api
spec:
  service: api
  labels:
    team: api
  slos:
    - name: availability
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(http_requests_total{job="api"}[{{.window}}]))
      alerting:
        name: ApiDown
        pageAlert:
          labels: {severity: page}
"""

MALFORMED = [
    # Sloth prometheus/v1
    (SLOTH_BARE, "    sli:\n      events:", "    sli: abc\n    x_events:"),
    (SLOTH_BARE, "slos:\n  - name", "slos: 5\nx:\n  - name"),
    (SLOTH_BARE, "slos:\n  - name", "slos:\n  - abc\n  - name"),
    (SLOTH_BARE, 'service: "api"', 'service: "api"\nlabels: 5'),
    (SLOTH_BARE, 'service: "api"', "service: [api]"),
    (SLOTH_BARE, "objective: 99.5", "objective: abc"),
    (SLOTH_BARE, "objective: 99.5", "objective: yes"),
    (SLOTH_BARE, "objective: 99.5", "objective: 250"),
    (SLOTH_BARE, '- name: "availability"', "- name: 5"),
    (SLOTH_BARE, "      events:", "      events: abc\n      x:"),
    (SLOTH_BARE, "        error_query: sum", "        error_query: 5\n        x: sum"),
    (SLOTH_BARE, "    sli:\n      events:", "    alerting: abc\n    sli:\n      events:"),
    (
        SLOTH_BARE,
        "    sli:\n      events:",
        "    alerting: {page_alert: abc}\n    sli:\n      events:",
    ),
    (SLOTH_BARE, "    sli:\n      events:", "    labels: {a: [1]}\n    sli:\n      events:"),
    (SLOTH_BARE, "    sli:\n      events:", "    sli: {}\n    x:\n      events:"),
    # Sloth's Kubernetes manifest
    (SLOTH_K8S_BASE, "spec:\n  service: api", "spec: abc\nx:\n  service: api"),
    (SLOTH_K8S_BASE, "        pageAlert:", "        pageAlert: {disable: maybe}\n        x:"),
    # OpenSLO v1
    (OPENSLO_BASE, "    - targetPercent: 99.9", "    - targetPercent: abc"),
    (OPENSLO_BASE, "  timeWindow:\n", "  timeWindow: abc\n  x:\n"),
    (OPENSLO_BASE, '{"name": "ApiDown"}', '{"name": '),
    (OPENSLO_BASE, '{"team": "api"}', "[1, 2]"),
    (OPENSLO_BASE, '{"name": "ApiDown"}', '{"page": 5}'),
    (OPENSLO_BASE, "  objectives:\n", "  objectives: abc\n  x:\n"),
    (
        OPENSLO_BASE,
        "metadata:\n  name: api-availability",
        "metadata: abc\nx:\n  name: api-availability",
    ),
    (OPENSLO_BASE, "      ratioMetric:\n", "      ratioMetric: abc\n      x:\n"),
    (OPENSLO_BASE, "        counter: true", "        counter: maybe"),
    (OPENSLO_BASE, "  alertPolicies:\n", "  alertPolicies: 5\n  x:\n"),
    (OPENSLO_BASE, "    - duration: 30d", "    - duration: abc"),
    (OPENSLO_BASE, "threshold: 14.4", "threshold: abc"),
    (OPENSLO_BASE, "lookbackWindow: 1h", "lookbackWindow: 1 hour"),
    (OPENSLO_BASE, "name: api-paging", "name: Api Paging"),
    (
        OPENSLO_BASE,
        '              query: http_requests_total{job="api"}',
        "              query: [1]",
    ),
]


@pytest.mark.parametrize(("base", "old", "new"), MALFORMED)
def test_malformed_specs_are_one_line_at_the_key(
    tmp_path: Path, cli: Callable[..., Result], base: str, old: str, new: str
) -> None:
    assert old in base
    text = base.replace(old, new, 1)
    build_tree(tmp_path, {"opsdocs.toml": "", "spec.yaml": text})
    before = snapshot(tmp_path)
    result = cli("slo", "import", "spec.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (2, ""), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    # at the line the malformed value is on
    first = next(row for row in new.split("\n") if row not in old.split("\n")).strip()
    line = next(n for n, row in enumerate(text.split("\n"), 1) if first in row)
    assert result.stderr.startswith(f"error: spec.yaml:{line}:"), result.stderr
    assert snapshot(tmp_path) == before


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in ``data`` (mappings and lists), the root excluded."""
    out = []
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return []
    for key, value in items:
        out.append((*prefix, key))
        out.extend(_paths(value, (*prefix, key)))
    return out


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["{{.window}}", "{{window}}", "{{.foo}}", "abc", "30d", "1M", "{", "[1]", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from([SLOTH, SLOTH_BARE, SLOTH_K8S_BASE, OPENSLO_BASE]),
    data=st.data(),
)
def test_fuzzed_specs_never_crash(base: str, data: st.DataObject) -> None:
    """Any value at any key of a valid spec is imported or refused with an OpsdocsError (exit
    2), never an internal error (exit 3)."""
    from opsdocs.errors import OpsdocsError
    from opsdocs.slo.importer import read_specs

    docs = list(yaml.safe_load_all(base))
    index = data.draw(st.integers(0, len(docs) - 1))
    paths = _paths(docs[index])
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        node = docs[index]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = data.draw(values)
        paths = _paths(docs[index])
        if not paths:
            break
    text = yaml.safe_dump_all(docs, sort_keys=False)
    try:
        services = read_specs([("spec.yaml", text)])
        doc = parse_document(Path("slo-api.md"), HAND_WRITTEN)
        for service in services:
            update_document_slos(doc, service.imported)
    except OpsdocsError:
        pass


def test_cli_import_of_a_sloth_manifest_keeps_where_it_came_from(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    manifest = SLOTH_K8S_BASE.replace(
        "metadata:\n  name: api\n",
        "metadata:\n  name: api-slos\n  namespace: monitoring\n  labels:\n    team: api\n",
    )
    build_tree(tmp_path, {"opsdocs.toml": "", "sloth.yaml": manifest})
    assert cli("init", cwd=tmp_path).exit_code == 0
    result = cli("slo", "import", "sloth.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    doc = parse_document(Path("slo-api.md"), (tmp_path / DOCS / "slo-api.md").read_text())
    assert doc.front_matter is not None
    assert doc.front_matter["sloth"] == {
        "spec": "sloth.slok.dev/v1",
        "name": "api-slos",
        "namespace": "monitoring",
        "labels": {"team": "api"},
    }
    assert SloSection.model_validate(doc.front_matter).sloth is not None
    bad = manifest.replace("name: api-slos", "name: API SLOs")
    (tmp_path / "bad.yaml").write_text(bad)
    refused = cli("slo", "import", "bad.yaml", cwd=tmp_path)
    assert refused.exit_code == 2
    assert refused.stderr == (
        "error: bad.yaml:4:3: metadata.name 'API SLOs' cannot name the rules in Kubernetes"
        " (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)\n"
    )


def test_cli_import_reads_only_regular_files(tmp_path: Path, cli: Callable[..., Result]) -> None:
    import os

    build_tree(tmp_path, {"opsdocs.toml": ""})
    os.mkfifo(tmp_path / "spec.yaml")  # would hang a plain read
    result = cli("slo", "import", "spec.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        2,
        "error: spec.yaml: not a regular file (pass a YAML file)\n",
    )


@pytest.mark.usefixtures("no_max_file_size")
def test_cli_import_obeys_max_file_size(tmp_path: Path, cli: Callable[..., Result]) -> None:
    big = SLOTH + "# padding\n" * ((11 << 20) // 10)  # 11 MiB: over the default 10 MiB
    build_tree(tmp_path, {"opsdocs.toml": 'max_file_size = "12MiB"\n', "big.yaml": big})
    raised = cli("slo", "import", "big.yaml", cwd=tmp_path)
    assert raised.exit_code == 0, raised.stderr
    assert raised.stdout == f"created {DOCS}/slo-myservice.md: requests-availability\n"
    (tmp_path / "opsdocs.toml").write_text('max_file_size = "1KiB"\n')
    (tmp_path / "small.yaml").write_text(SLOTH + "# padding\n" * 200)
    refused = cli("slo", "import", "small.yaml", cwd=tmp_path)
    assert (refused.exit_code, refused.stderr) == (
        2,
        "error: small.yaml: file is too large to be a spec (2 KB) (specs must be under 1 KB;"
        " max_file_size in the configuration sets the limit)\n",
    )


def test_rules_of_a_sloth_manifest_keep_its_spec_name_namespace_and_labels(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    manifest = SLOTH_K8S_BASE.replace(
        "metadata:\n  name: api\n",
        "metadata:\n  name: api-slos\n  namespace: monitoring\n  labels:\n    team: api\n",
    )
    build_tree(tmp_path, {"opsdocs.toml": "", "sloth.yaml": manifest})
    assert cli("slo", "import", "sloth.yaml", cwd=tmp_path).exit_code == 0
    sloth = cli("slo", "rules", "--compat", "sloth", "--out", "sloth-rules", cwd=tmp_path)
    assert sloth.exit_code == 0, sloth.stderr
    groups = yaml.safe_load((tmp_path / "sloth-rules/slo-api.yaml").read_text())["groups"]
    info = [r for g in groups for r in g["rules"] if r.get("record") == "sloth_slo_info"]
    assert [r["labels"]["sloth_spec"] for r in info] == ["sloth.slok.dev/v1"]
    operator = cli("slo", "rules", "--format", "prometheus-operator", "--out", "k8s", cwd=tmp_path)
    assert operator.exit_code == 0, operator.stderr
    rule = yaml.safe_load((tmp_path / "k8s/slo-api.yaml").read_text())
    assert rule["metadata"] == {
        "name": "api-slos",
        "namespace": "monitoring",
        "labels": {"team": "api", "app.kubernetes.io/managed-by": "opsdocs"},
    }
