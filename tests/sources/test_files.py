"""The DuckDB file source: finding files (each once, inside the workspace), messages, Ctrl-C."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from opsdocs.errors import InputError
from opsdocs.sources.files import (
    connect,
    csv_header,
    describe_fields,
    detect_format,
    expand_files,
    run_query,
    safe_message,
)
from tests.conftest import build_tree


def test_each_file_once_whatever_names_it(tmp_path: Path) -> None:
    build_tree(tmp_path, {"logs/a.csv": "x\n1\n", "logs/b.csv": "x\n2\n", "logs/empty.csv": ""})
    (tmp_path / "logs" / "link.csv").symlink_to(tmp_path / "logs" / "a.csv")
    os.link(tmp_path / "logs" / "b.csv", tmp_path / "logs" / "hard.csv")
    found = expand_files(tmp_path, ["logs/*.csv", "logs/a.csv"], where="x")
    assert [Path(f).name for f in found.files] == ["a.csv", "b.csv"]
    assert (found.empty, found.size) == (1, 8)


def test_a_pattern_that_matches_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        expand_files(tmp_path, ["nope/*.jsonl"], where="slos[0].logs")
    assert str(caught.value) == (
        "slos[0].logs.files: no file matches 'nope/*.jsonl'"
        " (check the path; it is relative to the workspace root)"
    )


def test_formats_from_extensions(tmp_path: Path) -> None:
    assert detect_format(["a.csv.gz", "b.tsv"], where="x") == "csv"
    assert detect_format(["a.ndjson", "b.json"], where="x") == "jsonl"
    assert detect_format(["a.txt"], where="x", given="parquet") == "parquet"
    with pytest.raises(InputError, match="cannot tell the file format"):
        detect_format(["a.csv", "b.parquet"], where="x")


def test_csv_header_reads_the_first_line_only(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "a.csv.gz", "wt") as fh:
        fh.write('time,"status code",x\n1,2,3,4\n')
    assert csv_header(str(tmp_path / "a.csv.gz")) == ["time", "status code", "x"]
    (tmp_path / "b.tsv").write_text("a\tb\n")
    assert csv_header(str(tmp_path / "b.tsv"), "\t") == ["a", "b"]


def test_field_lists_only_when_they_look_like_a_header() -> None:
    assert describe_fields(["status", "time", "http.path"]) == (
        "fields found: http.path, status, time"
    )
    for first_line in (["root:*:19000:0:99999:7:::"], ["ey.J0eXAi", "Bearer abc/def"]):
        assert describe_fields(first_line) == (
            "the first line does not look like a header of field names"
        )


def test_duckdb_messages_lose_their_quoted_parts() -> None:
    error = RuntimeError("Conversion Error: Could not convert string 'root:*:1' to INT32\nLINE 1")
    assert safe_message(error) == "Conversion Error: Could not convert string '…' to INT32"


def test_ctrl_c_interrupts_a_long_query_at_once() -> None:
    con = connect()
    main = threading.main_thread().ident
    assert main is not None
    # Hours of work: without an interrupt, the safety timer ends it after a minute.
    safety = threading.Timer(60, con.interrupt)
    safety.start()
    sender = threading.Timer(0.5, signal.pthread_kill, args=(main, signal.SIGINT))
    sender.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_query(con, "SELECT count(*) FROM range(10000000000000) t(i) WHERE i % 7 = 3")
    finally:
        safety.cancel()
        sender.cancel()
    # the connection is usable afterwards
    assert run_query(con, "SELECT 42") == [(42,)]
    con.close()


def test_an_interrupt_duckdb_takes_itself_ends_as_ctrl_c() -> None:
    """DuckDB can catch the SIGINT with its own handler while a query runs; the query then
    fails with DuckDB's InterruptException, which must still end as Ctrl-C (exit 130)."""
    con = connect()
    # what DuckDB's handler does: interrupt the running query, Python's handler never runs
    stopper = threading.Timer(0.5, con.interrupt)
    stopper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_query(con, "SELECT count(*) FROM range(10000000000000) t(i) WHERE i % 7 = 3")
    finally:
        stopper.cancel()
    con.close()


def test_ctrl_c_during_a_log_scan_exits_130(tmp_path: Path) -> None:
    """The whole command: Ctrl-C while DuckDB scans gives exit 130, not an internal error."""
    # The child resets SIGINT first: a suite started in the background (``make test &``) hands
    # its children SIGINT ignored, which a shell's Ctrl-C never meets.
    script = (
        "import sys, threading, signal, os\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from opsdocs.sources import files\n"
        "real = files.run_query\n"
        "def slow(con, sql, params=(), *, progress=None):\n"
        "    threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGINT)).start()\n"
        "    return real(con, 'SELECT count(*) FROM range(10000000000000) t(i)"
        " WHERE i % 7 = 3', (), progress=progress)\n"
        "files.run_query = slow\n"
        "import opsdocs.reports.sources.logs as logs\n"
        "logs.run_query = slow\n"
        "from opsdocs.cli import run\n"
        "sys.exit(run(['slo', 'report', '--at', '2026-11-20T12:00:00Z']))\n"
    )
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'docs_dir = "docs"\n',
            "docs/slo-api.md": (
                "---\nkind: slo\ntitle: API\nowner: team\nservice: api\n"
                'last_reviewed: "2026-11-01"\nreview_every: 90d\nslos:\n'
                "  - name: availability\n    objective: 99\n"
                "    indicator: {type: ratio, errors: 'e[{{window}}]', total: 't[{{window}}]'}\n"
                "    logs: {files: a.jsonl, timestamp: time}\n---\n\n# API\n"
            ),
            "a.jsonl": '{"time": "2026-11-20T11:00:00Z", "status": 200}\n',
        },
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "error: interrupted"


def test_relations_read_csv_lines_and_parquet(tmp_path: Path) -> None:
    from opsdocs.sources.files import csv_rejects, csv_relation, lines_relation, parquet_relation

    build_tree(tmp_path, {"d/a.csv": "k,v\n1,x\n2,y,extra\n3,z\n", "d/b.tsv": "k\tv\n4\tw\n"})
    with gzip.open(tmp_path / "d/c.jsonl.gz", "wt") as fh:
        fh.write('{"a": 1}\n\n{"a": 2}\n')
    con = connect()
    rows = run_query(
        con, f"SELECT k, v FROM {csv_relation()} ORDER BY k", [[str(tmp_path / "d/a.csv")]]
    )
    assert rows == [("1", "x"), ("3", "z")]
    assert csv_rejects(con, tmp_path) == (1, "d/a.csv:3")
    tsv = run_query(
        con, "SELECT k, v FROM " + csv_relation(delimiter="\t"), [[str(tmp_path / "d/b.tsv")]]
    )
    assert tsv == [("4", "w")]
    lines = run_query(
        con, f"SELECT line FROM {lines_relation()}", [[str(tmp_path / "d/c.jsonl.gz")]]
    )
    assert [r[0] for r in lines if r[0]] == ['{"a": 1}', '{"a": 2}']
    con.execute(f"COPY (SELECT 1 AS n) TO '{tmp_path / 'd/e.parquet'}' (FORMAT parquet)")
    assert run_query(
        con, f"SELECT n FROM {parquet_relation()}", [[str(tmp_path / "d/e.parquet")]]
    ) == [(1,)]
    con.close()
