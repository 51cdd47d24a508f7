"""Measure an SLO from request logs with DuckDB, in place: CSV, JSON Lines, Parquet, combined.

One SQL query per SLO scans the files where they lie (globs, gzip) and returns, per step of the
period counted back from the evaluation time, the number of counted and of good requests; every
window the report needs is a sum of whole steps, so the files are read once and only a few
thousand rows ever reach Python. Lines that cannot be read (bad JSON, a line that is not in
combined format, a CSV row with the wrong number of columns, a time or status that does not
parse) are counted as malformed and reported, never fatal.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsdocs.errors import InputError
from opsdocs.reports.measurement import Counts, Measurement, Step
from opsdocs.slo.logsource import GoodRule, LogsSource
from opsdocs.slo.spec import LatencyIndicator, SloSpec
from opsdocs.sources.files import (
    connect,
    csv_rejects,
    csv_relation,
    describe_fields,
    detect_format,
    expand_files,
    file_columns,
    lines_relation,
    parquet_relation,
    quote_ident,
    run_query,
    safe_message,
)

__all__ = ["COMBINED_FIELDS", "LARGE_BYTES", "LogQuery", "build_query", "measure_logs"]

#: The period as a series for charts has at most this many steps.
MAX_SERIES_STEPS = 10_000
#: Above this many bytes of log files the CLI shows a progress bar (on a terminal).
LARGE_BYTES = 256 * 1024 * 1024

#: Fields of the combined log format, plus a trailing request time as nginx often appends.
COMBINED_FIELDS = (
    "remote_addr",
    "ident",
    "remote_user",
    "time_local",
    "method",
    "path",
    "protocol",
    "status",
    "body_bytes_sent",
    "http_referer",
    "http_user_agent",
    "request_time",
)
_COMBINED_RE = (
    r'^(\S+) (\S+) (\S+) \[([^\]]+)\] "(?:(\S+) (\S+)(?: (\S+))?|[^"]*)" ([0-9]{3}) (\S+)'
    r'(?: "([^"]*)" "([^"]*)")?(?: +([0-9.]+))?.*$'
)
_COMBINED_TIME = "%d/%b/%Y:%H:%M:%S %z"
_UNIT = {"s": 1.0, "ms": 1e3, "us": 1e6}
_INTEGERS = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
}  # fmt: skip


def _column(name: str) -> str:
    """A (possibly nested, dotted) field of a typed source as an SQL expression."""
    return ".".join(quote_ident(part) for part in name.split("."))


def _json_path(name: str) -> str:
    return "$." + ".".join('"' + part.replace('"', '\\"') + '"' for part in name.split("."))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class LogQuery:
    """The SQL of one SLO's scan and what it needs (exposed for the benchmark and tests)."""

    sql: str
    params: list[Any]
    step_us: int
    rejects: bool  # CSV: count rows the reader rejected


def _good_rule(slo: SloSpec, spec: LogsSource) -> GoodRule:
    if spec.good is not None:
        return spec.good
    if isinstance(slo.indicator, LatencyIndicator):
        return GoodRule(latency_at_most=slo.indicator.threshold)
    return GoodRule(status_below=500)


class _Fields:
    """SQL expressions for a field of the rows, whatever the format."""

    def __init__(self, fmt: str, types: dict[str, str]) -> None:
        self.fmt = fmt
        self.types = types  # typed sources (parquet): top-level column -> DuckDB type
        self.json_paths: list[str] = []  # JSON Lines: every field, extracted in one parse

    def raw(self, name: str) -> str:
        if self.fmt == "jsonl":
            path = _json_path(name)
            if path not in self.json_paths:
                self.json_paths.append(path)
            return f"j[{self.json_paths.index(path) + 1}]"
        if self.fmt == "combined":
            return f"nullif(m.{quote_ident(name)}, '')"
        return _column(name)

    def type_of(self, name: str) -> str:
        if self.fmt == "parquet":
            return self.types.get(name.split(".")[0], "VARCHAR").upper()
        return "VARCHAR"

    def text(self, name: str) -> str:
        raw = self.raw(name)
        return raw if self.type_of(name) == "VARCHAR" else f"CAST({raw} AS VARCHAR)"

    def number(self, name: str, sql_type: str) -> str:
        raw = self.raw(name)
        kind = self.type_of(name)
        if kind == sql_type or (kind in _INTEGERS and sql_type in ("INTEGER", "DOUBLE")):
            return raw
        if sql_type == "DOUBLE" and (kind in ("FLOAT", "DOUBLE") or kind.startswith("DECIMAL")):
            return raw
        return f"TRY_CAST({raw} AS {sql_type})"


def _timestamp_us(fields: _Fields, name: str, fmt: str) -> str:
    """Microseconds since the epoch (BIGINT), NULL when the time does not parse."""
    raw = fields.raw(name)
    kind = fields.type_of(name)
    epoch = {"epoch_s": 1e6, "epoch_ms": 1e3, "epoch_us": 1.0}
    if kind.startswith("TIMESTAMP"):
        return f"epoch_us({raw})"
    if fmt in epoch:
        return f"TRY_CAST(round(TRY_CAST({raw} AS DOUBLE) * {epoch[fmt]!r}) AS BIGINT)"
    if fmt == "iso":
        return f"epoch_us(TRY_CAST({raw} AS TIMESTAMPTZ))"
    if fmt != "auto":
        return f"epoch_us(try_strptime(CAST({raw} AS VARCHAR), {_literal(fmt)}))"
    if kind in {"DOUBLE", "FLOAT", "BIGINT", "INTEGER", "UBIGINT", "HUGEINT"} or kind.startswith(
        "DECIMAL"
    ):
        return f"TRY_CAST(round({raw} * 1e6) AS BIGINT)"  # numbers are epoch seconds
    return (
        f"coalesce(epoch_us(TRY_CAST({raw} AS TIMESTAMPTZ)),"
        f" TRY_CAST(round(TRY_CAST({raw} AS DOUBLE) * 1e6) AS BIGINT))"
    )


def _matches(fields: _Fields, name: str, values: Sequence[str | int]) -> str:
    text = fields.text(name)
    prefixes = [v[:-1] for v in values if isinstance(v, str) and v.endswith("*")]
    exact = [str(v) for v in values if not (isinstance(v, str) and v.endswith("*"))]
    terms = [f"{text} IN ({', '.join(_literal(v) for v in exact)})"] if exact else []
    terms += [f"starts_with({text}, {_literal(prefix)})" for prefix in prefixes]
    return "(" + " OR ".join(terms) + ")"


@dataclass(frozen=True)
class _Scan:
    """What one SLO's scan needs, whatever the format: field names, the good condition, times."""

    fields: _Fields
    ts_name: str
    ts_format: str
    status_name: str
    latency_name: str | None
    required: tuple[str, ...]  # of "status", "latency": a row without them is malformed
    good_template: str  # with {status} and {latency} placeholders
    at_us: int
    period: int
    step_us: int

    @property
    def start_us(self) -> int:
        return self.at_us - self.period * 1_000_000


def _field_names(fmt: str, spec: LogsSource, where: str) -> tuple[str, str, str, str | None]:
    """The time field and its format, the status field and the latency field (if any)."""
    ts_name = spec.timestamp or ("time_local" if fmt == "combined" else "timestamp")
    ts_format = spec.timestamp_format
    if fmt == "combined" and spec.timestamp is None and ts_format == "auto":
        ts_format = _COMBINED_TIME
    status_name = spec.status or "status"
    latency_name = spec.latency or ("request_time" if fmt == "combined" else None)
    if fmt == "combined":
        for name in (ts_name, status_name, latency_name, *spec.include, *spec.exclude):
            if name is not None and name not in COMBINED_FIELDS:
                raise InputError(
                    f"{where}: the combined log format has no field {name!r}",
                    hint="use one of " + ", ".join(COMBINED_FIELDS),
                )
    return ts_name, ts_format, status_name, latency_name


def _good_condition(
    rule: GoodRule, spec: LogsSource, latency_name: str | None, where: str
) -> tuple[tuple[str, ...], str]:
    """The fields a good/bad decision needs, and the condition as a template."""
    required: list[str] = []
    terms: list[str] = []
    if rule.status_below is not None:
        required.append("status")
        terms.append(f"{{status}} < {int(rule.status_below)}")
    if rule.latency_at_most is not None:
        if latency_name is None:
            raise InputError(
                f"{where}.latency: a latency SLI needs the field that holds the request duration",
                hint="set logs.latency (and logs.latency_unit)",
            )
        required.append("latency")
        bound = round(rule.latency_at_most * _UNIT[spec.latency_unit], 9)
        terms.append(f"{{latency}} <= {bound!r}")
    return tuple(required), " AND ".join(terms) or "true"


def build_query(
    slo: SloSpec,
    spec: LogsSource,
    files: list[str],
    *,
    at: dt.datetime,
    windows: Sequence[int],
    types: dict[str, str] | None = None,
    no_nulls: frozenset[str] = frozenset(),
    where: str = "logs",
) -> LogQuery:
    """The scan of one SLO: rows (step, counted, good, newest), step -1 holding the malformed
    lines."""
    fmt = detect_format(files, where=where, given=spec.format)
    ts_name, ts_format, status_name, latency_name = _field_names(fmt, spec, where)
    required, good_template = _good_condition(_good_rule(slo, spec), spec, latency_name, where)
    scan = _Scan(
        fields=_Fields(fmt, types or {}),
        ts_name=ts_name,
        ts_format=ts_format,
        status_name=status_name,
        latency_name=latency_name,
        required=required,
        good_template=good_template,
        at_us=_epoch_us(at),
        period=slo.period_seconds,
        step_us=math.gcd(slo.period_seconds, *windows) * 1_000_000,
    )
    ts_kind = scan.fields.type_of(ts_name)
    if fmt == "parquet" and ts_kind.startswith("TIMESTAMP"):
        sql = _typed_parquet_query(scan, spec, at, ts_kind, no_nulls)
        return LogQuery(sql, [files], scan.step_us, False)
    # The columns first: for JSON Lines they decide which paths the one parse extracts.
    columns, counted = _columns(scan, spec)
    source, valid, rejects = _row_source(fmt, files, scan.fields)
    sql = _scan_query(scan, columns, counted, source, valid)
    return LogQuery(sql, [files], scan.step_us, rejects)


def _typed_parquet_query(
    scan: _Scan, spec: LogsSource, at: dt.datetime, ts_kind: str, no_nulls: frozenset[str]
) -> str:
    """Typed columns: one flat query whose filters DuckDB pushes into the Parquet scan."""
    fields = scan.fields
    ts = fields.raw(scan.ts_name)
    status = fields.number(scan.status_name, "INTEGER")
    latency = fields.number(scan.latency_name, "DOUBLE") if scan.latency_name else "NULL"
    exprs = {"status": status, "latency": latency}
    # Columns whose Parquet statistics say "no nulls" cannot make a row malformed.
    named = {"status": scan.status_name, "latency": scan.latency_name}
    broken = (
        " OR ".join(f"{exprs[n]} IS NULL" for n in scan.required if named[n] not in no_nulls)
        or "false"
    )
    ts_null = "false" if scan.ts_name in no_nulls else f"{ts} IS NULL"
    counted = ["true"]
    for name, values in spec.include.items():
        counted.append(f"coalesce({_matches(fields, name, values)}, false)")
    for name, values in spec.exclude.items():
        counted.append(f"NOT coalesce({_matches(fields, name, values)}, false)")
    start_lit, at_lit = _timestamp_literal(at, scan.period, ts_kind)
    step_expr = f"({scan.at_us} - epoch_us({ts})) // {scan.step_us}"
    if ts_null != "false" or broken != "false":
        step_expr = f"CASE WHEN {ts_null} OR ({broken}) THEN -1 ELSE {step_expr} END"
    return f"""
SELECT
  {step_expr} AS step,
  count(*) AS counted,
  count(*) FILTER (WHERE {scan.good_template.format(**exprs)}) AS good,
  max(epoch_us({ts})) AS newest_us
FROM {parquet_relation()}
WHERE {ts_null} OR ({ts} > {start_lit} AND {ts} <= {at_lit} AND {" AND ".join(counted)})
GROUP BY ALL
""".strip()


def _columns(scan: _Scan, spec: LogsSource) -> tuple[list[str], list[str]]:
    """The per-row columns (``expr AS name``) and the conditions that make a row counted."""
    fields = scan.fields
    columns = [f"{_timestamp_us(fields, scan.ts_name, scan.ts_format)} AS ts_us"]
    if "status" in scan.required:
        columns.append(f"{fields.number(scan.status_name, 'INTEGER')} AS status")
    if "latency" in scan.required and scan.latency_name is not None:
        columns.append(f"{fields.number(scan.latency_name, 'DOUBLE')} AS latency")
    counted = ["true"]
    for index, (name, values) in enumerate(spec.include.items()):
        columns.append(f"{_matches(fields, name, values)} AS inc_{index}")
        counted.append(f"coalesce(inc_{index}, false)")
    for index, (name, values) in enumerate(spec.exclude.items()):
        columns.append(f"{_matches(fields, name, values)} AS exc_{index}")
        counted.append(f"NOT coalesce(exc_{index}, false)")
    return columns, counted


def _row_source(fmt: str, files: list[str], fields: _Fields) -> tuple[str, str, bool]:
    """The relation rows come from, the condition for a well-formed line, and whether the
    reader keeps rejected rows (CSV)."""
    if fmt == "parquet":
        return parquet_relation(), "true", False
    if fmt == "csv":
        return csv_relation(delimiter=_csv_delimiter(files)), "true", True
    if fmt == "jsonl":
        paths = ", ".join(_literal(p) for p in fields.json_paths)
        # try(): a line that is not JSON gives NULL instead of stopping the query
        source = (
            f"(SELECT line, try(json_extract_string(line, [{paths}])) AS j FROM {lines_relation()})"
        )
        return source, "j IS NOT NULL", False
    names = ", ".join(_literal(n) for n in COMBINED_FIELDS)
    source = (
        f"(SELECT line, regexp_extract(line, {_literal(_COMBINED_RE)}, [{names}]) AS m"
        f" FROM {lines_relation()})"
    )
    return source, "m.time_local <> ''", False


def _scan_query(
    scan: _Scan, columns: list[str], counted: list[str], source: str, valid: str
) -> str:
    """Rows of text formats: fields read per row, grouped by step of the period."""
    inner = ", ".join(columns)
    if valid != "true":
        # Read the fields of a line only when the line is well formed.
        inner = ", ".join(
            f"CASE WHEN {valid} THEN {c.rsplit(' AS ', 1)[0]} END AS {c.rsplit(' AS ', 1)[1]}"
            for c in columns
        )
        blank = "line IS NOT NULL AND trim(line) <> ''"
        source = f"(SELECT * FROM {source} WHERE {blank})"
    broken = " OR ".join(f"{name} IS NULL" for name in scan.required) or "false"
    good = scan.good_template.format(status="status", latency="latency")
    in_period = f"ts_us > {scan.start_us} AND ts_us <= {scan.at_us}"
    return f"""
SELECT
  CASE WHEN ts_us IS NULL OR ({broken}) THEN -1
       ELSE ({scan.at_us} - ts_us) // {scan.step_us} END AS step,
  count(*) AS counted,
  count(*) FILTER (WHERE {good}) AS good,
  max(ts_us) AS newest_us
FROM (SELECT {inner} FROM {source})
WHERE ts_us IS NULL OR ({in_period} AND {" AND ".join(counted)})
GROUP BY ALL
""".strip()


def _timestamp_literal(at: dt.datetime, period: int, kind: str) -> tuple[str, str]:
    """SQL literals for the period's start and end, typed like the column."""
    end = at.astimezone(dt.UTC) if at.tzinfo else at.replace(tzinfo=dt.UTC)
    start = end - dt.timedelta(seconds=period)
    if "TIME ZONE" in kind or kind.endswith("TZ"):
        return (f"TIMESTAMPTZ '{start.isoformat()}'", f"TIMESTAMPTZ '{end.isoformat()}'")
    naive = [t.replace(tzinfo=None).isoformat(sep=" ") for t in (start, end)]
    return (f"TIMESTAMP '{naive[0]}'", f"TIMESTAMP '{naive[1]}'")


def _from_epoch_us(value: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=value)


def _epoch_us(at: dt.datetime) -> int:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    delta = at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _parquet_no_nulls(con: Any, files: list[str]) -> frozenset[str]:
    """Top-level columns that every row group of every file declares free of nulls."""
    rows = con.execute(
        "SELECT path_in_schema, bool_and(coalesce(stats_null_count = 0, false))"
        " FROM parquet_metadata(?) GROUP BY path_in_schema",
        [files],
    ).fetchall()
    seen = {str(name) for name, _ in rows}
    per_file = con.execute(
        "SELECT count(DISTINCT file_name) FROM parquet_metadata(?)", [files]
    ).fetchone()
    if not per_file or int(per_file[0]) != len(files):
        return frozenset()  # a file without row groups says nothing about its columns
    return frozenset(str(name) for name, clean in rows if clean and name in seen)


def _csv_delimiter(files: Sequence[str]) -> str:
    return "\t" if all(f.removesuffix(".gz").endswith(".tsv") for f in files) else ","


def _check_columns(columns: set[str], spec: LogsSource, slo: SloSpec, where: str) -> None:
    wanted = {spec.timestamp or "timestamp": "timestamp"}
    rule = _good_rule(slo, spec)
    if rule.status_below is not None:
        wanted[spec.status or "status"] = "status"
    if rule.latency_at_most is not None and spec.latency:
        wanted[spec.latency] = "latency"
    for name in (*spec.include, *spec.exclude):
        wanted.setdefault(name, "include" if name in spec.include else "exclude")
    for name, key in wanted.items():
        if name.split(".")[0] not in columns:
            raise InputError(
                f"{where}.{key}: the log files have no field {name!r}",
                hint=describe_fields(columns),
            )


def measure_logs(
    slo: SloSpec,
    *,
    root: Path,
    at: dt.datetime,
    windows: Sequence[int],
    where: str = "logs",
    progress: Callable[[float], None] | None = None,
    progress_above: int = LARGE_BYTES,
) -> Measurement:
    """Good and counted requests per window ending at ``at``, from the SLO's ``logs`` mapping.

    ``windows`` are in seconds; the period is always measured too. ``progress`` (0–100) is
    called from a helper thread while DuckDB scans files larger than ``progress_above`` bytes.
    Raises :class:`InputError` when the SLO has no ``logs`` mapping, no file matches, or a named
    field is absent from the files.
    """
    import duckdb

    spec = slo.logs
    if spec is None:
        raise InputError(
            f"SLO {slo.name!r} has no 'logs' mapping",
            hint="add slos[].logs to the SLO document, or use --source prometheus",
        )
    found = expand_files(root, spec.patterns, where=where)
    files, empty, size = list(found.files), found.empty, found.size
    if size < progress_above:
        progress = None
    period = slo.period_seconds
    all_windows = sorted({*windows, period})
    if not files:
        return Measurement(
            source="logs",
            at=at,
            windows={w: Counts(0, 0) for w in all_windows},
            step_seconds=math.gcd(*all_windows),
            empty_files=empty,
            files=0,
            notes=("every matching file is empty",),
        )
    con = connect(progress=progress is not None)
    try:
        fmt = detect_format(files, where=where, given=spec.format)
        types: dict[str, str] = {}
        no_nulls: frozenset[str] = frozenset()
        try:
            if fmt in ("parquet", "csv"):
                types = file_columns(con, files, fmt, delimiter=_csv_delimiter(files))
                _check_columns(set(types), spec, slo, where)
            if fmt == "parquet":
                no_nulls = _parquet_no_nulls(con, files)
        except duckdb.Error as exc:
            raise InputError(f"{where}.files: cannot read the logs: {safe_message(exc)}") from None
        query = build_query(
            slo,
            spec,
            files,
            at=at,
            windows=all_windows,
            types=types,
            no_nulls=no_nulls,
            where=where,
        )
        try:
            result = run_query(con, query.sql, query.params, progress=progress)
        except duckdb.Error as exc:
            raise InputError(
                f"{where}.files: cannot read the logs as {fmt}: {safe_message(exc)}",
                hint="check logs.format and the files",
            ) from None
        rows = [
            (int(r[0]), int(r[1]), int(r[2]), None if r[3] is None else int(r[3])) for r in result
        ]
        rejected, first_rejected = csv_rejects(con, root) if query.rejects else (0, None)
    finally:
        con.close()
    notes = [f"first malformed row at {first_rejected}"] if first_rejected else []
    return _assemble(at, all_windows, query, rows, rejected, empty, len(files), notes)


def _assemble(
    at: dt.datetime,
    windows: Sequence[int],
    query: LogQuery,
    rows: list[tuple[int, int, int, int | None]],
    rejected: int,
    empty: int,
    files: int,
    extra_notes: Sequence[str] = (),
) -> Measurement:
    step = query.step_us // 1_000_000
    malformed = rejected + sum(counted for index, counted, _, _ in rows if index < 0)
    steps_total = {index: counted for index, counted, _, _ in rows if index >= 0}
    steps_good = {index: good for index, _, good, _ in rows if index >= 0}
    newest_us = max(
        (new for index, _, _, new in rows if index >= 0 and new is not None), default=None
    )
    counts = {}
    for window in windows:
        n = window // step
        total = sum(v for k, v in steps_total.items() if k < n)
        good = sum(v for k, v in steps_good.items() if k < n)
        counts[window] = Counts(good, total)
    # The series for charts: whole steps merged so that a long period stays a few thousand
    # points (a 99999-day period is 29 million five-minute steps); built from the steps that
    # have rows, so the cost follows the data, not the period.
    period_steps = max(windows) // step
    merge = max(1, math.ceil(period_steps / MAX_SERIES_STEPS))
    bucket_total: dict[int, int] = {}
    bucket_bad: dict[int, int] = {}
    for index, counted in steps_total.items():
        key = index // merge
        bucket_total[key] = bucket_total.get(key, 0) + counted
        bucket_bad[key] = bucket_bad.get(key, 0) + counted - steps_good[index]
    series = tuple(
        Step(
            end=at - dt.timedelta(seconds=key * merge * step),
            bad=float(bucket_bad.get(key, 0)),
            total=float(bucket_total.get(key, 0)),
        )
        for key in range(math.ceil(period_steps / merge) - 1, -1, -1)
    )
    notes = []
    if malformed:
        notes.append(f"{malformed} malformed line(s) skipped")
        notes.extend(extra_notes)
    if empty:
        notes.append(f"{empty} empty file(s)")
    return Measurement(
        source="logs",
        at=at,
        windows=counts,
        steps=series,
        step_seconds=step * merge,
        newest=None if newest_us is None else _from_epoch_us(newest_us),
        searched=max(windows),
        malformed=malformed,
        empty_files=empty,
        files=files,
        notes=tuple(notes),
    )
