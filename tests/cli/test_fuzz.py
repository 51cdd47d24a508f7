"""Fuzzing: no front-matter value and no PromQL string makes `check`, `list`, `index` or
`slo rules` fail with an internal error (exit 3) or die of a signal. Hostile input is a finding
(exit 1) or one error line (exit 2).

The property runs the command line in-process, for speed; a few subprocess runs catch what only
a separate process shows (a signal such as SIGSEGV from a parser's recursion).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsdocs.cli import run

OPS = "docs/internal/operations"
COMMANDS = (["check", "--no-cache"], ["list"], ["index"], ["slo", "rules", "--check"])

RUNBOOK = """---
kind: runbook
title: API Runbook
owner: team-api
service: api
last_reviewed: 2026-05-01
{extra}---

# API Runbook

## Service Overview

Serves the API.
"""

SLO = """---
kind: slo
title: API SLO
owner: team-api
service: api
last_reviewed: 2026-05-01
slos:
  - name: availability
    objective: {objective}
    indicator:
      type: ratio
      errors: {errors}
      total: {total}
---

# API SLO
"""

# Values that are YAML but no valid date, time, number or duration, and YAML oddities.
HOSTILE = [
    "2026-02-30",
    "2026-01-01 25:99:99",
    "2026-13-45T99:99:99Z",
    "9" * 4400,
    "-" + "9" * 5000,
    "99999999999w",
    "99999999999d",
    "1e999",
    "-.inf",
    ".nan",
    "~",
    "[]",
    "{}",
    "[a, [b, [c, [d]]]]",
    "{a: {b: {c: 1}}}",
    "!!python/object/apply:os.system ['true']",
    "&a [*a, *a]",
    "yes",
    "0o17",
    "0x",
    "'unterminated",
    '"\\ud800"',
    "9999-12-31",
    "0001-01-01",
    "|\n  block\n  text",
]

_PROMQL_ALPHABET = "()[]{}+-*/^%=~!<>\"',. _:abcxyzAZ09\\\n\t"
WINDOW = "rate(x_total[{{window}}])"


def _yaml_scalar() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=40).map(json.dumps),  # any string, as a JSON (= YAML) string
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30).map(
            lambda s: s.replace("\n", " ")
        ),
        st.integers().map(str),
        st.floats().map(repr),
    )


def _promql() -> st.SearchStrategy[str]:
    deep = st.integers(0, 3000).map(lambda n: "(" * n + WINDOW + ")" * n)
    chain = st.integers(0, 3000).map(lambda n: WINDOW + " + x" * n)
    noise = st.text(alphabet=_PROMQL_ALPHABET, max_size=120)
    with_window = noise.map(lambda s: f"sum({WINDOW}) {s}")
    return st.one_of(deep, chain, noise, with_window)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised workspace, copied for each example."""
    root = tmp_path_factory.mktemp("fuzz-base")
    (root / "opsdocs.toml").write_text('owners = ["team-api"]\n')
    assert run(["--root", str(root), "init"]) == 0
    return root


@pytest.fixture
def workspaces(base: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as scratch:
        yield Path(scratch)


def _write(base: Path, scratch: Path, runbook_extra: str, slo: str) -> Path:
    root = scratch / f"ws{len(os.listdir(scratch))}"
    shutil.copytree(base, root)
    (root / OPS / "runbook-api.md").write_text(RUNBOOK.format(extra=runbook_extra))
    (root / OPS / "slo-api.md").write_text(slo)
    return root


def _assert_no_bug(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in COMMANDS:
        capsys.readouterr()
        code = run(["--root", str(root), *command])
        err = capsys.readouterr().err
        assert code in (0, 1, 2), f"opsdocs {' '.join(command)} exited {code}: {err}"
        assert "internal error" not in err, err


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    key=st.sampled_from(
        ["title", "owner", "service", "last_reviewed", "review_every", "tier", "kind", "x"]
    ),
    value=_yaml_scalar(),
)
def test_front_matter_values_never_crash(
    base: Path, workspaces: Path, capsys: pytest.CaptureFixture[str], key: str, value: str
) -> None:
    extra = f"{key}: {value}\n"
    slo = SLO.format(objective="99.9", errors=json.dumps(WINDOW), total=json.dumps(WINDOW))
    root = _write(base, workspaces, extra, slo)
    # the key is written last, so a duplicate of a key above is a finding too
    _assert_no_bug(root, capsys)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(errors=_promql(), total=_promql(), objective=_yaml_scalar())
def test_promql_and_objectives_never_crash(
    base: Path,
    workspaces: Path,
    capsys: pytest.CaptureFixture[str],
    errors: str,
    total: str,
    objective: str,
) -> None:
    slo = SLO.format(
        objective=objective if "\n" not in objective else "99.9",
        errors=json.dumps(errors),
        total=json.dumps(total),
    )
    root = _write(base, workspaces, "", slo)
    _assert_no_bug(root, capsys)


DEEP = [
    ("(" * 20000 + WINDOW + ")" * 20000, WINDOW),
    (WINDOW + " + x" * 5000, WINDOW),
    ("-" * 50000 + WINDOW, WINDOW),
    ("sum(" * 3000 + WINDOW + ")" * 3000, WINDOW),
]


@pytest.mark.parametrize(("errors", "total"), DEEP, ids=["parens", "chain", "unary", "sums"])
def test_deep_queries_in_a_separate_process(
    base: Path, tmp_path: Path, errors: str, total: str
) -> None:
    """A recursion deep enough to crash the interpreter shows as a signal only out of process."""
    slo = SLO.format(objective="99.9", errors=json.dumps(errors), total=json.dumps(total))
    root = _write(base, tmp_path, "last_reviewed: 2026-02-30\n", slo)
    for command in (["check", "--no-cache"], ["slo", "rules", "--check"]):
        done = subprocess.run(
            [sys.executable, "-m", "opsdocs", "--root", str(root), *command],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode in (0, 1, 2), (command, done.returncode, done.stderr[-500:])
        assert "internal error" not in done.stderr
