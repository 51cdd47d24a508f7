"""yamlio: the one quoting predicate and the one block-YAML writer, read back by every reader."""

from __future__ import annotations

import datetime as dt
import json
import string
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from opsdocs.yamlio import dump_yaml, plain_reads_as_string, quote_string
from tests.conftest import require_tool

MISREAD = ["yes", "No", "ON", "off", "1:30", "010", "0x1f", "1_000", "12.5", ".inf"]
MISREAD += ["2026-11-26", "2026-11-26T14:02:00Z", "~", "null", "true", "", "=", "<<"]
# numbers under YAML 1.2 (ruamel.yaml, Go's yaml.v3) that PyYAML reads as strings
YAML12_NUMBERS = ["1e3", "0o17", "-2E+5", "1E10"]
FINE = ["In Review", "team-api", "P1", "hello world", "api-server", "v1.2.3", "e1", "0o"]


@pytest.mark.parametrize("text", MISREAD + FINE)
def test_plain_reads_as_string_agrees_with_the_safe_loader(text: str) -> None:
    try:
        read = yaml.safe_load(f"key: {text}")["key"]
    except yaml.YAMLError:  # '=' is a value tag PyYAML cannot construct
        read = None
    assert plain_reads_as_string(text) == (read == text and isinstance(read, str))
    assert plain_reads_as_string(text) == (text in FINE)


@pytest.mark.parametrize("text", ["y", "Y", "n", "N", *YAML12_NUMBERS])
def test_strings_other_readers_misread_are_quoted_though_pyyaml_reads_strings(text: str) -> None:
    assert yaml.safe_load(f"key: {text}") == {"key": text}
    assert not plain_reads_as_string(text)
    assert dump_yaml({"key": text}) == f"key: '{text}'\n"


def test_the_writer_and_the_predicate_agree() -> None:
    # one predicate: whatever it calls unsafe, the writer quotes
    for text in MISREAD + YAML12_NUMBERS + ["y", "n"]:
        assert quote_string(text) != text


def test_front_matter_values() -> None:
    data = {
        "title": "API down: it's 'bad'",
        "services": ["api", "web"],
        "acknowledged": None,
        "when": dt.date(2026, 11, 26),
        "count": 3,
        "ratio": 0.25,
        "on": True,
        "notes": "first\n\nthird",
        "empty": [],
        "nested": {"a": {}},
    }
    text = dump_yaml(data)
    assert text == (
        "title: 'API down: it''s ''bad'''\n"
        "services:\n  - api\n  - web\n"
        "acknowledged: null\n"
        "when: 2026-11-26\n"
        "count: 3\n"
        "ratio: 0.25\n"
        '"on": true\n'
        "notes: |-\n  first\n\n  third\n"
        "empty: []\n"
        "nested:\n  a: {}\n"
    )
    assert yaml.safe_load(text) == data


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
_KEYS = st.text(alphabet=string.ascii_letters + "_:./- #'\"", min_size=1, max_size=12)
_VALUES = st.recursive(
    st.one_of(_TEXT, st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=5))
def test_pyyaml_and_ruamel_read_back_what_is_written(data: dict[str, Any]) -> None:
    from ruamel.yaml import YAML

    text = dump_yaml(data)
    assert yaml.safe_load(text) == (data or {})
    assert (YAML(typ="safe", pure=True).load(text) or {}) == data


# Prometheus reads rule files and promtool test files with Go's YAML library. A recording rule
# carries each string as a label value; a unit test expects the series with that label, written
# in PromQL's own quoting. The test passes only if Go read the YAML value back as written.

_LABEL_VALUES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=20,
)


@pytest.mark.tools
@settings(max_examples=25, deadline=None)
@given(st.lists(_LABEL_VALUES, min_size=1, max_size=8, unique=True))
@example(["a\u2028b", "a\x85b", "y", "1e3", "0o17", "a: b", " x", "it's", "\ufeffx", "~"])
def test_promtool_reads_back_what_is_written(values: list[str]) -> None:
    import tempfile

    tool = require_tool("promtool")
    rules = [
        {"record": f"r{n}", "expr": "vector(1)", "labels": {"v": v}} for n, v in enumerate(values)
    ]
    tests = [
        {
            "expr": f"r{n}",
            "eval_time": "1m",
            "exp_samples": [
                {"labels": f"r{n}{{v={json.dumps(v, ensure_ascii=False)}}}", "value": 1}
            ],
        }
        for n, v in enumerate(values)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "rules.yaml").write_text(
            dump_yaml({"groups": [{"name": "g", "rules": rules}]}), encoding="utf-8"
        )
        (folder / "test.yaml").write_text(
            dump_yaml(
                {
                    "rule_files": ["rules.yaml"],
                    "evaluation_interval": "1m",
                    "tests": [{"interval": "1m", "promql_expr_test": tests}],
                }
            ),
            encoding="utf-8",
        )
        result = subprocess.run(
            [tool, "test", "rules", "test.yaml"], cwd=folder, capture_output=True, text=True
        )
    assert result.returncode == 0, result.stdout + result.stderr


def test_impossible_dates_and_huge_integers_stay_strings() -> None:
    from opsdocs.yamlio import load_yaml

    big = "9" * 5000
    data = load_yaml(f"a: 2026-02-30\nb: 2026-01-01 25:99:99\nc: {big}\nd: 2026-02-28\ne: 7\n")
    assert data.value["a"] == "2026-02-30"
    assert data.value["b"] == "2026-01-01 25:99:99"
    assert data.value["c"] == big
    assert str(data.value["d"]) == "2026-02-28" and not isinstance(data.value["d"], str)
    assert data.value["e"] == 7
    assert data.positions[("a",)] == (1, 1)


def test_key_path_of_drops_union_tags_and_keeps_a_missing_last_key() -> None:
    from opsdocs.yamlio import key_path_of

    data = {"slos": [{"indicator": {"type": "ratio", "errors": "x"}}]}
    assert key_path_of(data, ("slos", 0, "indicator", "ratio", "errors")) == (
        "slos",
        0,
        "indicator",
        "errors",
    )
    assert key_path_of(data, ("slos", 0, "objective")) == ("slos", 0, "objective")
    assert key_path_of(data, ("slos", 5, "objective")) == ("slos",)


# Documents the loader builds itself in part (merge keys, tags, aliases, non-string keys) and
# documents it builds wholly here (plain mappings, sequences and strings).
SHAPES = [
    "a: 1\nb: [x, 2.5, true, null, 2026-01-02]\n",
    "base: &b {x: 1, y: [1, 2]}\nuse: *b\n",
    "- &a {x: 1}\n- <<: *a\n  y: 2\n- *a\n",
    "a: !!omap [x: 1, y: 2]\nb: !!set {p, q}\nc: !!binary aGVsbG8=\n",
    "1: one\ntrue: yes\n~: nothing\n2026-01-01: day\n",
    "a: !!str 1\nb: !!int '3'\n",
    "r: &r [1, *r]\n",
]


@pytest.mark.parametrize("text", SHAPES)
def test_values_are_what_the_safe_loader_builds(text: str) -> None:
    from opsdocs.yamlio import _Loader, load_yaml

    value = load_yaml(text).value
    expected = yaml.load(text, Loader=_Loader)  # the safe loader, with lenient scalars
    assert repr(value) == repr(expected)
    if "&b" in text:
        assert value["use"] is value["base"]  # an alias is its anchor's object


def test_positions_of_keys_items_aliases_and_duplicates() -> None:
    from opsdocs.yamlio import load_yaml

    text = "a:\n  b: 1\n  c: [x, y]\nd: &d {e: 1}\nf: *d\na:\n  b: 2\n"
    data = load_yaml(text, line_offset=10)
    assert data.value == {"a": {"b": 2}, "d": {"e": 1}, "f": {"e": 1}}
    # the first 'a' is where the key is; below it, the later value's keys (that value wins)
    assert data.positions[("a",)] == (11, 1)
    assert data.positions[("a", "b")] == (17, 3)
    assert data.positions[("a", "c", 1)] == (13, 10)
    assert data.positions[("d", "e")] == (14, 8)
    # an alias is placed where it stands; what lies below it, where its anchor defined it
    assert data.positions[("f",)] == (15, 1) and ("f", "e") not in data.positions
    assert data.duplicates == [(("a",), 16, 1)]


def test_positions_below_a_merge_key() -> None:
    from opsdocs.yamlio import load_yaml

    data = load_yaml("- &a {x: 1}\n- <<: *a\n  y: 2\n- *a\n")
    assert data.value == [{"x": 1}, {"x": 1, "y": 2}, {"x": 1}]
    assert data.positions[(0, "x")] == (1, 7)
    assert data.positions[(1, "<<")] == (2, 3) and data.positions[(1, "y")] == (3, 3)
    assert (2, "x") not in data.positions


def _rule_file(alerts: int) -> str:
    rules = "".join(
        f"      - alert: Alert{i}\n        expr: up == 0\n        for: 5m\n"
        f"        labels:\n          severity: page\n"
        f"        annotations:\n          summary: down {i}\n"
        f"          description: instance {i} is down\n"
        f"          runbook_url: https://runbooks.example.com/runbook-a.md#alert{i}\n"
        for i in range(alerts)
    )
    return f"groups:\n  - name: big\n    rules:\n{rules}"


def test_a_large_file_without_aliases_is_never_refused_for_its_size() -> None:
    # 6,000 alerts are 114,000 nodes, more than MAX_EXPANDED_NODES, and no alias at all
    from opsdocs.yamlio import load_yaml

    data = load_yaml(_rule_file(6000))
    assert len(data.value["groups"][0]["rules"]) == 6000


def test_aliases_are_refused_for_what_they_add_not_for_the_file_size() -> None:
    from opsdocs.errors import InputError
    from opsdocs.yamlio import MAX_EXPANDED_NODES, load_yaml

    # a large file with a small anchor used by every alert: what the aliases add is small
    anchored = "groups:\n  - name: big\n    common: &common {team: sre, tier: one}\n"
    rules = "".join(
        f"      - alert: Alert{i}\n        expr: up == 0\n        labels: *common\n"
        for i in range(6000)
    )
    assert len(load_yaml(anchored + "    rules:\n" + rules).value["groups"][0]["rules"]) == 6000
    # an anchor of 2,000 items used 60 times adds about 120,000 nodes: refused, and said so
    items = ", ".join(["x"] * 2000)
    bomb = f"a: &a [{items}]\nb: [" + ", ".join(["*a"] * 60) + "]\n"
    with pytest.raises(InputError, match="aliases expand to too many nodes") as caught:
        load_yaml(bomb)
    assert f"aliases may add at most {MAX_EXPANDED_NODES} nodes" in str(caught.value)
