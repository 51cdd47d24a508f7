"""Parallel writers on one incident lose nothing: the lock and atomic writes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import opsdocs
from opsdocs.documents.parse import read_document
from opsdocs.incidents.records import parse_timeline
from tests.conftest import Result

WRITERS = 20


def test_parallel_log_calls_keep_every_entry_once(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    opened = cli(
        "incident", "open", "-s", "P2", "--service", "search", "Search is slow",
        "--at", "2025-06-01T10:00:00Z", cwd=workspace_dir,
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    ident = "2025-06-01-search-is-slow"
    src = str(Path(opsdocs.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "opsdocs",
                "incident",
                "log",
                ident,
                f"entry number {n}",
                "--at",
                f"2025-06-01T10:{n + 1:02d}:00Z",
            ],
            cwd=workspace_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(WRITERS)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    path = workspace_dir / "docs/internal/operations/incidents" / f"{ident}.md"
    doc = read_document(path)
    texts = [entry.text for entry in parse_timeline(doc)]
    for n in range(WRITERS):
        assert texts.count(f"entry number {n}") == 1, n
    assert len(texts) == WRITERS + 1  # plus the opening entry
    times = [entry.at for entry in parse_timeline(doc)]
    assert times == sorted(times)  # inserted in time order whatever the arrival order
    assert doc.problems == []
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_parallel_opens_of_one_title_get_distinct_ids(workspace_dir: Path) -> None:
    src = str(Path(opsdocs.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "opsdocs",
                "incident",
                "open",
                "-s",
                "P3",
                "Disk full",
                "--at",
                "2025-06-01T10:00:00Z",
            ],
            cwd=workspace_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(5)
    ]
    printed = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        printed.append(out.decode().splitlines()[0].rsplit("/", 1)[1])
    expected = ["2025-06-01-disk-full.md"] + [f"2025-06-01-disk-full-{n}.md" for n in range(2, 6)]
    assert sorted(printed) == sorted(expected)
    folder = workspace_dir / "docs/internal/operations/incidents"
    assert sorted(p.name for p in folder.glob("*.md")) == sorted(expected)
    readme = (workspace_dir / "docs/internal/operations/README.md").read_text()
    assert all(f"(incidents/{name})" in readme for name in expected)  # the index saw every one
