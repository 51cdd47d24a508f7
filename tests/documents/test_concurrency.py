"""Parallel 'opsdocs new' (real processes) lose nothing: the README index is locked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import opsdocs
from opsdocs.documents.index import INDEX_END, INDEX_START

WRITERS = 40


@pytest.mark.slow
def test_parallel_new_keeps_every_document_in_the_index(workspace_dir: Path) -> None:
    src = str(Path(opsdocs.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "opsdocs", "new", "runbook", f"service-{n:02d}"],
            cwd=workspace_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(WRITERS)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    readme = (workspace_dir / "docs/internal/operations/README.md").read_text()
    block = readme.split(INDEX_START)[1].split(INDEX_END)[0]
    for n in range(WRITERS):
        assert f"(runbook-service-{n:02d}.md)" in block, n
    assert block.count("](runbook-service-") == WRITERS
