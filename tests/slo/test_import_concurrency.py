"""Parallel ``slo import`` runs into one document keep every SLO (the index lock)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import opsdocs
from opsdocs.documents.parse import read_document
from tests.conftest import build_tree

IMPORTS = 11
DOCS = "docs/internal/operations"


def _spec(n: int) -> str:
    return (
        'version: "prometheus/v1"\n'
        "service: api\n"
        "slos:\n"
        f"  - name: slo-{n}\n"
        f"    objective: {90 + n / 10}\n"
        "    sli:\n"
        "      events:\n"
        f'        error_query: sum(rate(errors_{n}_total{{job="api"}}[{{{{.window}}}}]))\n'
        '        total_query: sum(rate(requests_total{job="api"}[{{.window}}]))\n'
    )


def test_parallel_imports_into_one_document_keep_every_slo(tmp_path: Path) -> None:
    build_tree(
        tmp_path,
        {"opsdocs.toml": 'owners = ["team-api"]\n'}
        | {f"spec-{n}.yaml": _spec(n) for n in range(IMPORTS)},
    )
    src = str(Path(opsdocs.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    init = subprocess.run(
        [sys.executable, "-m", "opsdocs", "init"], cwd=tmp_path, env=env, capture_output=True
    )
    assert init.returncode == 0, init.stderr
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "opsdocs", "slo", "import", f"spec-{n}.yaml"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(IMPORTS)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
        outputs.append(out.decode())
    # one run created the document, every other updated it
    assert sum(o.startswith("created ") for o in outputs) == 1, outputs
    doc = read_document(tmp_path / DOCS / "slo-api.md")
    assert doc.front_matter is not None
    names = sorted(s["name"] for s in doc.front_matter["slos"])
    assert names == sorted(f"slo-{n}" for n in range(IMPORTS))
    readme = (tmp_path / DOCS / "README.md").read_text()
    assert readme.count("(slo-api.md)") == 1
    leftovers = [p.name for p in (tmp_path / DOCS).iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
