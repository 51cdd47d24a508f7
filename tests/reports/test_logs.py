"""The DuckDB logs source over generated logs in every format; expected counts from plain Python."""

from __future__ import annotations

import datetime as dt
import gzip
import os
from pathlib import Path
from typing import Any

import pytest

from opsdocs.errors import InputError
from opsdocs.reports.report import build_report, needed_windows
from opsdocs.reports.sources.logs import MAX_SERIES_STEPS, measure_logs
from opsdocs.slo.spec import SloSpec
from tests.reports.logdata import (
    AT,
    expected,
    generate,
    write_combined,
    write_csv,
    write_jsonl,
    write_parquet,
)

REQUESTS = generate(3000)

MAPPINGS: dict[str, dict[str, Any]] = {
    "csv": {
        "timestamp": "time",
        "latency": "duration_ms",
        "latency_unit": "ms",
        "exclude": {"path": ["/healthz"]},
    },
    "jsonl": {
        "timestamp": "time",
        "status": "http.status",
        "latency": "duration_ms",
        "latency_unit": "ms",
        "exclude": {"http.path": ["/healthz"]},
    },
    "combined": {"exclude": {"path": ["/healthz"]}},
    "parquet": {
        "timestamp": "time",
        "latency": "duration_ms",
        "latency_unit": "ms",
        "exclude": {"path": ["/healthz"]},
    },
}
MALFORMED = {
    "csv": [
        "2026-11-20T11:00:00Z,200",
        "not a time,200,5,/api/a,GET",
        "2026-11-20T11:00:00Z,abc,5,/api/a,GET",
    ],
    "jsonl": [
        "{broken json",
        '{"time": "2026-11-20T11:00:00Z"}',
        '["a list"]',
        '{"time": "yesterday", "http": {"status": 200, "path": "/api/a"}}',
    ],
    "combined": ["garbage", '10.0.0.1 - - [bad time] "GET / HTTP/1.1" 200 1 "-" "x"'],
    "parquet": [],
}


def slo(fmt: str, files: str | list[str], indicator: str = "ratio", **extra: Any) -> SloSpec:
    ind: dict[str, Any] = {"type": "ratio", "errors": "e[{{window}}]", "total": "t[{{window}}]"}
    if indicator == "latency":
        ind = {"type": "latency", "metric": "d_bucket", "threshold": 0.2}
    logs = {"files": files, **MAPPINGS[fmt], **extra}
    return SloSpec.model_validate(
        {"name": "avail", "objective": 99.5, "indicator": ind, "logs": logs}
    )


def write(fmt: str, path: Path, requests: list[Any], malformed: list[str]) -> None:
    if fmt == "csv":
        write_csv(path, requests, malformed=malformed)
    elif fmt == "jsonl":
        write_jsonl(path, requests, malformed=malformed)
    elif fmt == "combined":
        write_combined(path, requests, malformed=malformed)
    else:
        write_parquet(path, requests)


EXT = {"csv": ".csv", "jsonl": ".jsonl", "combined": ".log", "parquet": ".parquet"}


@pytest.mark.parametrize(
    ("fmt", "gz"),
    [(f, False) for f in ("csv", "jsonl", "combined", "parquet")]
    + [(f, True) for f in ("csv", "jsonl", "combined")],  # Parquet compresses inside the file
)
def test_counts_per_window_match_python(tmp_path: Path, fmt: str, gz: bool) -> None:
    half = len(REQUESTS) // 2
    suffix = EXT[fmt] + (".gz" if gz else "")
    write(fmt, tmp_path / f"a{suffix}", REQUESTS[:half], MALFORMED[fmt])
    write(fmt, tmp_path / f"b{suffix}", REQUESTS[half:], [])
    spec = slo(fmt, f"*{suffix}")
    windows = needed_windows(spec)
    m = measure_logs(spec, root=tmp_path, at=AT, windows=windows)
    assert m.files == 2
    assert m.malformed == len(MALFORMED[fmt])
    for window in windows:
        good, total = expected(REQUESTS, window)
        assert (m.windows[window].good, m.windows[window].total) == (good, total), window


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "combined", "parquet"])
def test_latency_counts(tmp_path: Path, fmt: str) -> None:
    write(fmt, tmp_path / f"a{EXT[fmt]}", REQUESTS, [])
    spec = slo(fmt, f"a{EXT[fmt]}", indicator="latency")
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[3600, 86400])
    for window in (3600, 86400, 30 * 86400):
        want = expected(REQUESTS, window, good=lambda r: r.latency_ms <= 200)
        assert (m.windows[window].good, m.windows[window].total) == want


def test_include_prefix_and_explicit_good_rule(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", REQUESTS)
    spec = slo(
        "jsonl",
        "a.jsonl",
        include={"http.path": ["/api/*"], "method": ["POST"]},
        exclude={},
        good={"status_below": 500, "latency_at_most": 0.45},
    )
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[86400])
    want = expected(
        REQUESTS,
        86400,
        counted=lambda r: r.path.startswith("/api/") and r.method == "POST",
        good=lambda r: r.status < 500 and r.latency_ms <= 450,
    )
    assert (m.windows[86400].good, m.windows[86400].total) == want


def test_epoch_timestamps(tmp_path: Path) -> None:
    lines = [
        f'{{"ts": {r.ts.timestamp() * 1000:.0f}, "status": {r.status}, "path": "{r.path}"}}'
        for r in REQUESTS
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n")
    spec = SloSpec.model_validate(
        {
            "name": "a",
            "objective": 99,
            "indicator": {"type": "ratio", "errors": "e[{{window}}]", "total": "t[{{window}}]"},
            "logs": {
                "files": "a.jsonl",
                "timestamp": "ts",
                "timestamp_format": "epoch_ms",
                "exclude": {"path": ["/healthz"]},
            },
        }
    )
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[21600])
    assert (m.windows[21600].good, m.windows[21600].total) == expected(REQUESTS, 21600)


def test_empty_files_and_blank_lines_are_not_malformed(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", REQUESTS[:100], malformed=["", "   "])
    (tmp_path / "b.jsonl").write_text("")
    with gzip.open(tmp_path / "c.jsonl.gz", "wt") as fh:
        fh.write("")
    spec = slo("jsonl", "*.jsonl*")
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[86400])
    assert m.malformed == 0
    assert m.empty_files == 1  # the gzip file is not zero bytes: read and found empty
    assert m.windows[30 * 86400].total == expected(REQUESTS[:100], 30 * 86400)[1]


def test_only_empty_files_is_no_data(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("")
    spec = slo("csv", "a.csv")
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[3600])
    report = build_report("api", spec, m)
    assert report.status == "no-data"
    assert report.sli is None and report.budget_remaining is None
    assert all(w.burn_rate is None for w in report.windows)


def test_no_matching_requests_is_no_data_never_division_by_zero(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", REQUESTS)
    spec = slo("parquet", "a.parquet", include={"path": ["/nothing-matches"]}, exclude={})
    m = measure_logs(spec, root=tmp_path, at=AT, windows=needed_windows(spec))
    assert all(c.total == 0 for c in m.windows.values())
    report = build_report("api", spec, m)
    assert report.status == "no-data"
    assert report.exhaustion is None


def test_all_lines_malformed(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("junk\nmore junk\n")
    spec = slo("combined", "a.log")
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[3600])
    assert m.malformed == 2
    assert "2 malformed line(s) skipped" in m.notes
    assert build_report("api", spec, m).status == "no-data"


def test_no_file_matches(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"logs.files: no file matches 'nope/\*.csv'"):
        measure_logs(slo("csv", "nope/*.csv"), root=tmp_path, at=AT, windows=[3600])


def test_missing_field_names_the_fields_found(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", REQUESTS[:10])
    spec = slo("parquet", "a.parquet", timestamp="when")
    with pytest.raises(InputError, match=r"logs.timestamp: the log files have no field 'when'"):
        measure_logs(spec, root=tmp_path, at=AT, windows=[3600])


def test_unknown_extension_needs_format(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    spec = SloSpec.model_validate(
        {
            "name": "a",
            "objective": 99,
            "indicator": {"type": "ratio", "errors": "e[{{window}}]", "total": "t[{{window}}]"},
            "logs": {"files": "a.txt"},
        }
    )
    with pytest.raises(InputError, match="cannot tell the file format"):
        measure_logs(spec, root=tmp_path, at=AT, windows=[3600])


def test_slo_without_logs_mapping() -> None:
    spec = SloSpec.model_validate(
        {
            "name": "a",
            "objective": 99,
            "indicator": {"type": "ratio", "errors": "e[{{window}}]", "total": "t[{{window}}]"},
        }
    )
    with pytest.raises(InputError, match="has no 'logs' mapping"):
        measure_logs(spec, root=Path("."), at=AT, windows=[3600])


def test_progress_callback_only_for_large_data(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", REQUESTS)
    seen: list[float] = []
    spec = slo("parquet", "a.parquet")
    measure_logs(spec, root=tmp_path, at=AT, windows=[3600], progress=seen.append)
    assert seen == []
    measure_logs(spec, root=tmp_path, at=AT, windows=[3600], progress=seen.append, progress_above=0)
    assert seen and seen[-1] == 100.0


def test_steps_add_up_to_the_period(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", REQUESTS)
    spec = slo("parquet", "a.parquet")
    m = measure_logs(spec, root=tmp_path, at=AT, windows=needed_windows(spec))
    good, total = expected(REQUESTS, 30 * 86400)
    assert m.step_seconds == 300
    assert len(m.steps) == 30 * 86400 // 300
    assert sum(s.total for s in m.steps) == total
    assert sum(s.bad for s in m.steps) == total - good
    assert m.steps[-1].end == AT


@pytest.mark.parametrize("kind", ["naive", "text", "epoch"])
def test_parquet_time_column_types(tmp_path: Path, kind: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if kind == "naive":
        times = pa.array([r.ts.replace(tzinfo=None) for r in REQUESTS], type=pa.timestamp("ms"))
    elif kind == "text":
        times = pa.array([r.ts.isoformat() for r in REQUESTS])
    else:
        times = pa.array([r.ts.timestamp() for r in REQUESTS])
    table = pa.table(
        {
            "time": times,
            "status": pa.array([str(r.status) for r in REQUESTS]),  # text: cast in SQL
            "duration_ms": pa.array([r.latency_ms for r in REQUESTS], type=pa.int32()),
            "path": [r.path for r in REQUESTS],
        }
    )
    pq.write_table(table, tmp_path / "a.parquet")
    spec = slo(
        "parquet",
        "a.parquet",
        indicator="latency",
        good={"status_below": 500, "latency_at_most": 0.2},
    )
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[3600, 86400])
    for window in (3600, 86400, 30 * 86400):
        want = expected(REQUESTS, window, good=lambda r: r.status < 500 and r.latency_ms <= 200)
        assert (m.windows[window].good, m.windows[window].total) == want


def test_parquet_nulls_are_malformed(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = REQUESTS[:500]
    table = pa.table(
        {
            "time": pa.array(
                [None if i % 50 == 0 else r.ts for i, r in enumerate(rows)],
                type=pa.timestamp("us", tz="UTC"),
            ),
            "status": pa.array([None if i % 70 == 1 else r.status for i, r in enumerate(rows)]),
            "path": [r.path for r in rows],
        }
    )
    pq.write_table(table, tmp_path / "a.parquet")
    # a second file whose statistics say "no nulls" must not hide the first file's nulls
    write_parquet(tmp_path / "b.parquet", REQUESTS[500:600])
    spec = slo("parquet", "*.parquet")
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[86400])
    in_period = [
        r
        for i, r in enumerate(rows)
        if i % 50 != 0
        and i % 70 == 1
        and r.path != "/healthz"
        and AT - dt.timedelta(days=30) < r.ts <= AT
    ]
    assert m.malformed == len(range(0, 500, 50)) + len(in_period)
    clean = [r for i, r in enumerate(rows) if i % 50 != 0 and i % 70 != 1] + REQUESTS[500:600]
    assert m.windows[30 * 86400].total == expected(clean, 30 * 86400)[1]


def test_combined_odd_request_lines_still_count(tmp_path: Path) -> None:
    lines = [
        # a request line that is not "METHOD PATH PROTOCOL" (nginx logs "-" for bad requests)
        '10.0.0.1 - - [20/Nov/2026:11:30:00 +0000] "-" 400 0 "-" "-"',
        # the common log format: no referer and user agent
        '10.0.0.1 - - [20/Nov/2026:11:30:01 +0000] "GET /api HTTP/1.0" 503 10',
        '10.0.0.1 - - [20/Nov/2026:11:30:02 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube"',
    ]
    (tmp_path / "access.log").write_text("\n".join(lines) + "\n")
    spec = slo("combined", "access.log")
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[3600])
    assert m.malformed == 0
    assert (m.windows[3600].good, m.windows[3600].total) == (1, 2)


def test_tab_separated(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", REQUESTS)
    text = (tmp_path / "a.csv").read_text().replace(",", "\t")
    (tmp_path / "a.tsv").write_text(text)
    spec = slo("csv", "a.tsv")
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[86400])
    assert (m.windows[86400].good, m.windows[86400].total) == expected(REQUESTS, 86400)


@pytest.mark.parametrize("time_format", ["auto", "epoch_s"])
def test_times_that_are_not_finite_are_malformed(tmp_path: Path, time_format: str) -> None:
    bad = ['"NaN"', '"inf"', '"-Infinity"', '"1e300"', "1e300", "-1e300"]
    lines = [f'{{"time": {t}, "http": {{"status": 200, "path": "/api/a"}}}}' for t in bad]
    write_jsonl(tmp_path / "a.jsonl", REQUESTS[:200], malformed=lines)
    spec = slo("jsonl", "a.jsonl", timestamp_format=time_format)
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[86400])
    # with epoch_s the generated ISO times are malformed too; nothing aborts the scan
    assert m.malformed == len(bad) + (0 if time_format == "auto" else 200)
    if time_format == "auto":
        assert m.windows[86400].total == expected(REQUESTS[:200], 86400)[1]


def test_csv_row_with_wrong_field_count_is_malformed_and_located(tmp_path: Path) -> None:
    # The first data row has three fields: DuckDB's sniffer then takes "time,status" for one field.
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "a.csv").write_text(
        "time,status\n2026-11-20T11:00:00Z,200,9\n2026-11-20T11:00:01Z,500\n"
        "2026-11-20T11:00:02Z,200\n"
    )
    spec = slo("csv", "logs/a.csv", latency=None, exclude={})
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[3600])
    assert m.malformed == 1
    assert "first malformed row at logs/a.csv:2" in m.notes
    assert (m.windows[3600].good, m.windows[3600].total) == (1, 2)


def test_a_file_and_a_symlink_to_it_are_read_once(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", REQUESTS[:300], malformed=[])
    (tmp_path / "b.jsonl").symlink_to(tmp_path / "a.jsonl")
    spec = slo("jsonl", ["*.jsonl", "a.jsonl"])
    m = measure_logs(spec, root=tmp_path, at=AT, windows=[86400])
    assert m.files == 1
    assert m.windows[86400].total == expected(REQUESTS[:300], 86400)[1]


def test_fifos_matched_by_a_glob_are_not_read(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", REQUESTS[:50], malformed=[])
    os.mkfifo(tmp_path / "b.jsonl")  # opening it to read would block forever
    m = measure_logs(slo("jsonl", "*.jsonl"), root=tmp_path, at=AT, windows=[86400])
    assert m.files == 1


@pytest.mark.parametrize("how", ["dotdot", "symlink"])
def test_relative_paths_do_not_climb_out_of_the_workspace(tmp_path: Path, how: str) -> None:
    root = tmp_path / "ws"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    write_jsonl(outside / "a.jsonl", REQUESTS[:10], malformed=[])
    pattern = "../outside/*.jsonl"
    if how == "symlink":
        (root / "logs").symlink_to(outside)
        pattern = "logs/*.jsonl"
    with pytest.raises(InputError) as caught:
        measure_logs(slo("jsonl", pattern), root=root, at=AT, windows=[3600])
    assert str(caught.value) == (
        f"logs.files: {pattern!r} reaches outside the workspace"
        " (name a file outside the workspace by its absolute path)"
    )
    # named by its absolute path, the same file is read
    m = measure_logs(slo("jsonl", str(outside / "a.jsonl")), root=root, at=AT, windows=[3600])
    assert m.files == 1


def test_messages_never_show_content_that_is_not_a_header(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n")
    spec = slo("csv", str(secret), format="csv", latency=None, exclude={})
    with pytest.raises(InputError) as caught:
        measure_logs(spec, root=tmp_path / "ws", at=AT, windows=[3600])
    assert "root" not in str(caught.value)
    assert str(caught.value) == (
        "logs.timestamp: the log files have no field 'time'"
        " (the first line does not look like a header of field names)"
    )
    (tmp_path / "h.csv").write_text("when,code\n2026-11-20T11:00:00Z,200\n")
    with pytest.raises(InputError, match=r"\(fields found: code, when\)"):
        measure_logs(slo("csv", "h.csv", exclude={}), root=tmp_path, at=AT, windows=[3600])


@pytest.mark.parametrize("period", ["1000d", "99999d"])
def test_a_long_period_costs_what_its_data_costs(tmp_path: Path, period: str) -> None:
    write_jsonl(tmp_path / "a.jsonl", REQUESTS, malformed=[])
    spec = slo("jsonl", "a.jsonl")
    spec = spec.model_copy(update={"period": period})
    m = measure_logs(spec, root=tmp_path, at=AT, windows=needed_windows(spec))
    assert len(m.steps) <= MAX_SERIES_STEPS
    assert sum(s.total for s in m.steps) == m.windows[spec.period_seconds].total
    assert m.windows[spec.period_seconds].total == expected(REQUESTS, 40 * 86400)[1]
    assert m.steps[-1].end == AT


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "csv"])
def test_newest_request_in_the_period_is_noted(tmp_path: Path, fmt: str) -> None:
    write(fmt, tmp_path / f"a{EXT[fmt]}", REQUESTS, [])
    m = measure_logs(slo(fmt, f"a{EXT[fmt]}"), root=tmp_path, at=AT, windows=[3600])
    counted = [r.ts for r in REQUESTS if r.ts <= AT and r.path != "/healthz"]
    assert m.newest == max(counted)
    assert m.searched == 30 * 86400
