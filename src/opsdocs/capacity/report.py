"""The capacity report: each resource's usage read, forecast, and held against its limit.

A resource's history is read on a regular grid (its ``step``) over its ``history`` before the
report time: from Prometheus with one range query, or from data files with one DuckDB query that
averages the readings of each step. :mod:`opsdocs.capacity.forecast` fits it; this module turns
the fit into what a person acts on: headroom, growth per week, the dates the threshold and the
limit are crossed (with their interval), and whether the crossing falls inside the lead time of
the scaling action ("order now"). When the history cannot carry a date it says so instead.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from pydantic import Field

from opsdocs.capacity.forecast import LEVEL, crossing_times, day_text, iso_seconds
from opsdocs.documents.specs import read_spec_document
from opsdocs.errors import DocumentError, InputError, UsageError
from opsdocs.records import json_method
from opsdocs.validators import Frozen

if TYPE_CHECKING:
    from opsdocs.capacity.forecast import Crossing, Forecast
    from opsdocs.capacity.spec import CapacityFrontMatter, Resource
    from opsdocs.documents.parse import Document
    from opsdocs.documents.specs import SpecDocument
    from opsdocs.sources.prometheus import PrometheusClient
    from opsdocs.workspace import Workspace

__all__ = [
    "NOISE_SHARE",
    "CapacityDocument",
    "CapacitySettings",
    "History",
    "ResourceReport",
    "Target",
    "assess",
    "find_targets",
    "load_capacity_documents",
    "load_settings",
    "open_prometheus",
    "read_capacity_document",
    "read_file_histories",
    "read_history",
    "report_resources",
]

#: A fit whose readings scatter (residual standard deviation) by more than this share of the
#: limit is too noisy to date a crossing.
NOISE_SHARE = 0.1
#: Growth over the horizon below this share of the limit is flat.
FLAT_SHARE = 0.01
_HINT = "see docs/capacity.md"
#: A capacity document's path, its parsed text and its validated front matter.
CapacityDocument: TypeAlias = "SpecDocument[CapacityFrontMatter]"


class CapacitySettings(Frozen):
    """The ``[capacity]`` table of ``opsdocs.toml``."""

    prometheus_url: str | None = Field(
        default=None, description="Prometheus HTTP API root for usage and limit queries."
    )
    timeout: float = Field(default=30.0, gt=0, le=600, description="Seconds per query.")


def load_settings(workspace: Workspace) -> CapacitySettings:
    """The workspace's ``[capacity]`` table; ConfigError at a bad key."""
    return workspace.config.load_section("capacity", CapacitySettings, hint=_HINT)


@dataclass(frozen=True)
class Target:
    """One resource of one document."""

    document: CapacityDocument
    resource: Resource
    index: int  # in the document's resources

    @property
    def key(self) -> str:
        return f"{self.document.spec.service}/{self.resource.name}"


@dataclass(frozen=True)
class History:
    """Readings on the resource's grid: Unix seconds and values, ascending."""

    times: tuple[float, ...]
    values: tuple[float, ...]
    limit: float


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


@dataclass
class ResourceReport:
    """One resource at the report time."""

    key: str
    document: str
    unit: str
    at: float
    limit: float
    threshold: float  # percent of the limit
    horizon: int  # seconds
    lead_time: int  # seconds
    action: str
    status: str  # ok | order now | over threshold | over limit | flat | no crossing |
    #              too short | too noisy | no data
    note: str = ""
    current: float | None = None
    growth_per_week: float | None = None
    threshold_crossing: Crossing | None = None
    limit_crossing: Crossing | None = None
    history: History | None = field(default=None, repr=False)
    forecast: Forecast | None = field(default=None, repr=False)

    @property
    def threshold_value(self) -> float:
        return self.limit * self.threshold / 100

    @property
    def headroom(self) -> float | None:
        return None if self.current is None else self.limit - self.current

    @property
    def headroom_percent(self) -> float | None:
        return None if self.headroom is None else 100 * self.headroom / self.limit

    @property
    def order_now(self) -> bool:
        return self.status in ("order now", "over threshold", "over limit")

    #: The coverage of the crossing dates' interval.
    interval: ClassVar[float] = LEVEL

    as_dict = json_method(
        ("resource", "key"),
        "document",
        ("at", iso_seconds),
        "status",
        "note",
        "unit",
        ("current", _finite),
        "limit",
        ("threshold_percent", "threshold"),
        ("threshold", "threshold_value"),
        ("headroom", _finite),
        ("headroom_percent", _finite),
        ("growth_per_week", _finite),
        "interval",
        ("threshold_crossing", crossing_times),
        ("limit_crossing", crossing_times),
        ("lead_time_seconds", "lead_time"),
        ("horizon_seconds", "horizon"),
        "action",
        "order_now",
    )


# -- documents ----------------------------------------------------------------------------


def read_capacity_document(doc: Document) -> CapacityDocument:
    """The validated capacity spec of ``doc``; DocumentError at the first bad key."""
    from opsdocs.capacity.spec import CapacityFrontMatter

    return read_spec_document(doc, CapacityFrontMatter, hint=_HINT)


def load_capacity_documents(workspace: Workspace) -> list[CapacityDocument]:
    """Every capacity document of the workspace, validated, sorted by path."""
    from opsdocs.documents.folder import document_paths
    from opsdocs.documents.parse import read_document

    return [
        read_capacity_document(read_document(p))
        for p in sorted(document_paths(workspace, "capacity"))
    ]


def find_targets(
    documents: Sequence[CapacityDocument], selectors: Sequence[str] = ()
) -> list[Target]:
    """The resources named by ``selectors`` (``service`` or ``service/resource``; none: all).

    Raises :class:`UsageError` for a selector that names nothing.
    """
    targets = [Target(d, r, i) for d in documents for i, r in enumerate(d.spec.resources)]
    if not selectors:
        return targets
    chosen: list[Target] = []
    for selector in selectors:
        found = [t for t in targets if selector in (t.key, t.document.spec.service)]
        if not found:
            raise UsageError(
                f"no capacity resource {selector!r}",
                hint="name a service or service/resource from a capacity document",
            )
        chosen.extend(t for t in found if t not in chosen)
    return chosen


# -- reading ------------------------------------------------------------------------------


def _problem(target: Target, message: str, hint: str, *keys: str | int) -> InputError:
    key = ("resources", target.index, *keys)
    return DocumentError.at(
        target.document.doc, key, f"resource {target.key!r}: {message}", hint=hint
    )


def _describe(labels: Any) -> str:
    from opsdocs.sanitize import escape_line

    name = labels.get("__name__", "")
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return escape_line(name + "{" + inner + "}")


def _from_prometheus(client: PrometheusClient, target: Target, at: dt.datetime) -> History:
    from opsdocs.capacity.spec import LimitSource
    from opsdocs.durations import duration_seconds

    resource = target.resource
    assert resource.usage.query is not None
    start = at - dt.timedelta(seconds=duration_seconds(resource.history))
    series = client.query_range(resource.usage.query, start, at, duration_seconds(resource.step))
    if len(series) > 1:
        shown = ", ".join(_describe(s.labels) for s in series[:3])
        raise _problem(
            target,
            f"the usage query returned {len(series)} series ({shown}"
            f"{', ...' if len(series) > 3 else ''})",
            "aggregate it to one series, e.g. sum(...) or max(...)",
            "usage",
            "query",
        )
    limit = resource.limit
    if isinstance(limit, LimitSource):
        assert limit.query is not None
        samples = client.query(limit.query, at)
        if len(samples) != 1 or not samples[0].finite:
            raise _problem(
                target,
                f"the limit query returned {len(samples)} series"
                if len(samples) != 1
                else "the limit query returned no number",
                "make the limit query return one number",
                "limit",
                "query",
            )
        value = samples[0].value
    else:
        value = float(limit)
    _check_limit(target, value)
    pairs = [  # of the one series, if any
        (t, v) for one in series for t, v in zip(one.times, one.values, strict=True)
    ]
    pairs = [(t, v) for t, v in pairs if math.isfinite(v)]
    return History(tuple(t for t, _ in pairs), tuple(v for _, v in pairs), value)


def _check_limit(target: Target, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        shown = "zero" if value == 0 else f"{value:g}"
        raise _problem(
            target,
            f"the limit is {shown}",
            "a limit must be a number greater than zero",
            "limit",
        )


@dataclass
class _FileSource:
    """What one file-backed resource reads: its files, format and header."""

    target: Target
    files: tuple[str, ...]
    fmt: str
    columns: tuple[str, ...]  # the first file's header (CSV) or schema (Parquet)
    limit_column: str | None  # the files' column of the limit (None: a number in the spec)


def _file_source(workspace: Workspace, target: Target, con: Any) -> _FileSource:
    from opsdocs.capacity.spec import LimitSource
    from opsdocs.sources.files import csv_header, detect_format, expand_files, file_columns

    resource = target.resource
    usage = resource.usage
    where = f"resources.{target.index}.usage"
    fileset = expand_files(workspace.root, usage.files, where=where)
    if not fileset.files:
        raise _problem(target, "every usage file is empty", "check the files", "usage", "files")
    fmt = detect_format(fileset.files, where=where)
    if fmt not in ("csv", "parquet"):
        raise _problem(
            target, f"{fmt} files are not read", "give CSV or Parquet files", "usage", "files"
        )
    limit_column = resource.limit.column if isinstance(resource.limit, LimitSource) else None
    wanted = [usage.time_column, usage.column or "", *usage.where]
    if limit_column:
        wanted.append(limit_column)
    if fmt == "csv":  # matched by position: every file's header counts
        headers = [tuple(csv_header(f)) for f in fileset.files]
    else:  # matched by name
        headers = [tuple(file_columns(con, fileset.files, fmt))]
    for header in headers:
        missing = [c for c in wanted if c not in header]
        if missing:
            raise _problem(
                target,
                f"the usage files have no column {', '.join(missing)}",
                "name columns the files have",
                "usage",
            )
    if len(set(headers)) > 1:
        raise _problem(
            target,
            "the usage files have different headers",
            "give files of one layout (the same columns in the same order)",
            "usage",
            "files",
        )
    return _FileSource(target, fileset.files, fmt, headers[0], limit_column)


def _batch_key(source: _FileSource) -> tuple[Any, ...]:
    r = source.target.resource
    where = tuple(sorted(r.usage.where.items()))
    return (
        source.fmt,
        source.columns,
        r.usage.time_column,
        r.usage.column,
        where,
        source.limit_column,
        r.step,
        r.history,
    )


def _read_batch(
    con: Any, sources: Sequence[_FileSource], at: dt.datetime, root: Path
) -> dict[str, tuple[Any, ...]]:
    """One scan of every file of ``sources`` (which share a batch key): per file and step, the
    sum and count of readings in the window; per file, the rows that are not times or numbers,
    the last limit and its time. Keyed by file."""
    import duckdb

    from opsdocs.durations import duration_seconds
    from opsdocs.sources.files import (
        csv_rejects,
        quote_ident,
        run_query,
        safe_message,
        table_relation,
    )

    first = sources[0]
    resource = first.target.resource
    usage = resource.usage
    step = duration_seconds(resource.step)
    history = duration_seconds(resource.history)
    files = list(dict.fromkeys(f for s in sources for f in s.files))
    relation = table_relation(first.fmt, "$1", filename=True)
    limit_column = first.limit_column
    ts = f"TRY_CAST({quote_ident(usage.time_column)} AS TIMESTAMPTZ)"
    raw = quote_ident(usage.column or "")
    filters = "".join(
        f" AND CAST({quote_ident(k)} AS VARCHAR) = ${i + 5}" for i, k in enumerate(usage.where)
    )
    lim = f"TRY_CAST({quote_ident(limit_column)} AS DOUBLE)" if limit_column else "NULL::DOUBLE"
    params: list[Any] = [files, at - dt.timedelta(seconds=history), at, step]
    params += list(usage.where.values())
    try:
        rows = run_query(
            con,
            "SELECT filename, sum(bad_t), sum(bad_v), arg_max(last_lim, lim_ts), max(lim_ts),"
            " list(b ORDER BY b) FILTER (WHERE n > 0), list(s ORDER BY b) FILTER (WHERE n > 0),"
            " list(n ORDER BY b) FILTER (WHERE n > 0)"
            " FROM (SELECT filename, epoch(time_bucket(to_seconds($4), ts)) AS b,"
            "  sum(v) FILTER (WHERE ts > $2 AND ts <= $3) AS s,"
            "  count(v) FILTER (WHERE ts > $2 AND ts <= $3) AS n,"
            "  count(*) FILTER (WHERE ts IS NULL) AS bad_t,"
            "  count(*) FILTER (WHERE v IS NULL AND NULLIF(trim(CAST(raw AS VARCHAR)), '')"
            "  IS NOT NULL) AS bad_v,"
            "  arg_max(lim, ts) FILTER (WHERE ts <= $3 AND lim IS NOT NULL) AS last_lim,"
            "  max(ts) FILTER (WHERE ts <= $3 AND lim IS NOT NULL) AS lim_ts"
            f"  FROM (SELECT filename, {ts} AS ts, TRY_CAST({raw} AS DOUBLE) AS v, {raw} AS raw,"
            f"  {lim} AS lim FROM {relation} WHERE true{filters})"
            "  GROUP BY 1, 2)"
            " GROUP BY 1",
            params,
        )
    except duckdb.Error as exc:
        raise _problem(
            first.target,
            f"cannot read the usage files: {safe_message(exc)}",
            "check the files",
            "usage",
        ) from None
    if first.fmt == "csv":
        rejected, where = csv_rejects(con, root)
        if rejected:
            raise _problem(
                first.target,
                f"{rejected} row{'s' if rejected > 1 else ''} of the usage files cannot be read"
                f" as CSV{f' (first at {where})' if where else ''}",
                "every row needs the header's number of fields",
                "usage",
                "files",
            )
    return {str(row[0]): row[1:] for row in rows}


def _history_of(source: _FileSource, rows: list[tuple[Any, ...]], at: dt.datetime) -> History:
    """A resource's history from the rows of its files (bad times, bad values, last limit, its
    time, buckets, sums, counts)."""
    from opsdocs.capacity.spec import LimitSource
    from opsdocs.durations import duration_seconds

    target = source.target
    resource = target.resource
    usage = resource.usage
    for at_row, key, column, what, hint in (
        (
            0,
            "time_column",
            usage.time_column,
            "a time",
            "times are ISO 8601, e.g. 2026-05-01T00:00:00Z",
        ),
        (1, "column", usage.column, "a number", "usage values are numbers such as 12.5"),
    ):
        bad = sum(int(r[at_row] or 0) for r in rows)
        if bad:
            message = f"{column}: {bad} value{'s' if bad > 1 else ''} not {what}"
            raise _problem(target, message, hint, "usage", key)
    if isinstance(resource.limit, LimitSource):
        limits = [(r[3], r[2]) for r in rows if r[3] is not None and r[2] is not None]
        if not limits:
            raise _problem(
                target,
                f"{resource.limit.column}: no limit before the report time",
                "give the limit column a number on every row",
                "limit",
            )
        limit = float(max(limits, key=lambda pair: pair[0])[1])
    else:
        limit = float(resource.limit)
    _check_limit(target, limit)
    step = duration_seconds(resource.step)
    end = at.timestamp()
    sums: dict[float, list[float]] = {}  # the readings of each step, pooled over the files
    for row in rows:
        for b, s, n in zip(row[4] or (), row[5] or (), row[6] or (), strict=True):
            entry = sums.setdefault(float(b), [0.0, 0])
            entry[0] += s
            entry[1] += n
    buckets = sorted(sums)
    means = [sums[b][0] / sums[b][1] for b in buckets]
    # a step's mean stands for the middle of the step
    return History(tuple(min(b + step / 2, end) for b in buckets), tuple(means), limit)


def read_file_histories(
    workspace: Workspace, targets: Sequence[Target], at: dt.datetime
) -> dict[int, History]:
    """The histories of the file-backed ``targets`` (by position in ``targets``): resources
    whose files share a layout and whose reading spec is the same are read in one scan."""
    from opsdocs.sources.files import connect

    con = connect()
    try:
        sources = {
            i: _file_source(workspace, t, con)
            for i, t in enumerate(targets)
            if t.resource.usage.query is None
        }
        batches: dict[tuple[Any, ...], list[int]] = {}
        for i, source in sources.items():
            batches.setdefault(_batch_key(source), []).append(i)
        found: dict[int, History] = {}
        for indexes in batches.values():
            by_file = _read_batch(con, [sources[i] for i in indexes], at, workspace.root)
            for i in indexes:
                rows = [by_file[f] for f in sources[i].files if f in by_file]
                found[i] = _history_of(sources[i], rows, at)
        return found
    finally:
        con.close()


def read_history(
    workspace: Workspace,
    target: Target,
    at: dt.datetime,
    *,
    client: PrometheusClient | None,
) -> History:
    """The resource's readings over its history before ``at``, and its limit at ``at``."""
    if target.resource.usage.query is None:
        return read_file_histories(workspace, [target], at)[0]
    if client is None:
        raise _problem(
            target,
            "no Prometheus to query",
            "set prometheus_url under [capacity] in opsdocs.toml or pass --prometheus-url",
            "usage",
            "query",
        )
    return _from_prometheus(client, target, at)


# -- assessing ----------------------------------------------------------------------------


def assess(target: Target, history: History, at: dt.datetime) -> ResourceReport:
    """The report of one resource from its readings (no I/O)."""
    from opsdocs.capacity.forecast import ForecastRefused, crossings, fit_forecast
    from opsdocs.durations import duration_seconds, format_span

    resource = target.resource
    horizon = duration_seconds(resource.horizon)
    lead = duration_seconds(resource.lead_time)
    step = duration_seconds(resource.step)
    now = at.timestamp()
    report = ResourceReport(
        key=target.key,
        document=target.document.path.name,
        unit=resource.unit,
        at=now,
        limit=history.limit,
        threshold=resource.threshold,
        horizon=horizon,
        lead_time=lead,
        action=resource.action,
        status="no data",
        history=history,
    )
    if not history.times:
        report.note = "the usage source has no readings in the history window"
        return report
    report.current = history.values[-1]
    try:
        forecast = fit_forecast(history.times, history.values, step=step, until=now + horizon)
    except ForecastRefused as exc:
        report.status = "too short"
        report.note = str(exc)
        return report
    report.forecast = forecast
    report.growth_per_week = forecast.growth_per_day * 7
    threshold = report.threshold_value
    if report.current >= history.limit:
        report.status = "over limit"
        report.note = "usage is at or over the limit now"
        return report
    if report.current >= threshold:
        report.status = "over threshold"
        report.note = f"usage is over the {resource.threshold:g}% threshold now"
        return report
    if forecast.residual_sd > NOISE_SHARE * history.limit:
        report.status = "too noisy"
        report.note = (
            f"too noisy: readings scatter by {forecast.residual_sd:.3g} around the trend and "
            f"seasonality, more than {NOISE_SHARE:.0%} of the limit"
        )
        return report
    report.threshold_crossing, report.limit_crossing = crossings(
        forecast, [threshold, history.limit]
    )
    expected = report.threshold_crossing.expected
    if expected is not None:
        order_by = expected - lead
        if order_by <= now:
            report.status = "order now"
            report.note = (
                f"threshold expected {day_text(expected)},"
                f" inside the lead time ({format_span(lead)})"
            )
        else:
            report.status = "ok"
            report.note = f"act by {day_text(order_by)} (lead time {format_span(lead)})"
        return report
    growth = abs(forecast.growth_per_day) * horizon / 86400
    flat = growth < FLAT_SHARE * history.limit or abs(forecast.growth_per_day) < (
        2 * forecast.growth_sd
    )
    report.status = "flat" if flat else "no crossing"
    report.note = "flat: no crossing within horizon" if flat else "no crossing within horizon"
    earliest = report.threshold_crossing.earliest
    if earliest is not None:
        report.note += f" (the interval reaches the threshold from {day_text(earliest)})"
    return report


@contextmanager
def open_prometheus(
    workspace: Workspace, targets: Sequence[Target], prometheus_url: str | None = None
) -> Iterator[PrometheusClient | None]:
    """A client for the targets' usage queries (``prometheus_url`` wins over ``[capacity]``),
    closed on leaving; None when no target queries or no address is known."""
    from opsdocs.sources.prometheus import PrometheusClient

    settings = load_settings(workspace)
    url = prometheus_url or settings.prometheus_url
    needs = any(t.resource.usage.query for t in targets)
    client = PrometheusClient(url, timeout=settings.timeout) if url and needs else None
    try:
        yield client
    finally:
        if client is not None:
            client.close()


def report_resources(
    workspace: Workspace,
    targets: Sequence[Target],
    at: dt.datetime,
    *,
    prometheus_url: str | None = None,
) -> list[ResourceReport]:
    """Read and assess every target at ``at``. InputError on unusable input."""
    from opsdocs.sources.prometheus import check_instant

    at = check_instant(at, "--at")
    with open_prometheus(workspace, targets, prometheus_url) as client:
        from_files = read_file_histories(workspace, targets, at)  # batched
        histories = [
            from_files[i] if i in from_files else read_history(workspace, t, at, client=client)
            for i, t in enumerate(targets)
        ]
    return [assess(t, h, at) for t, h in zip(targets, histories, strict=True)]
