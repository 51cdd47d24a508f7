"""The numbers ``dr status`` gives per job, computed by DuckDB where the evidence is.

A generic log can hold millions of runs: it is never read into Python. One query reads the logs
(CSV and JSON Lines, through :mod:`opsdocs.sources.files`) together with the few runs the tools'
JSON gave (a small table), checks every row, and aggregates per system and job: the last and the
oldest successful run, successful and failed runs in the window, and the longest gap between
consecutive successful runs (``lag`` over each job's runs in time order). Only when a row is bad
does a second query find the first one, for a one-line error at its file and line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsdocs.dr.evidence import (
    FAILED_STATUSES,
    JSONL_SUFFIXES,
    LOG_FIELDS,
    OK_STATUSES,
    Run,
    check_log_row,
)
from opsdocs.errors import InputError

__all__ = ["JobEvidence", "summarise"]


@dataclass(frozen=True)
class JobEvidence:
    """What the runs of one job say at ``at``: runs after ``at`` are not seen yet (the
    defaults: a job without runs)."""

    last_success: dt.datetime | None = None
    oldest_success: dt.datetime | None = None
    successes: int = 0  # successful runs in the window
    failures: int = 0  # failed runs in the window
    longest_gap: int | None = None  # seconds; None without a successful run


def _literal(when: dt.datetime) -> str:
    # built from a datetime, never from input text
    return f"TIMESTAMPTZ '{when.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M:%S.%f')}+00'"


def _words(words: Sequence[str]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def _bad(system: str, job: str, finished: str, status: str, size: str) -> str:
    """SQL true for a row check_log_row refuses (or whose time DuckDB cannot read).

    Every row of a large log takes these tests, so the usual case is decided first and the rest
    is looked at only when it is not (a CASE evaluates its ELSE for those rows alone): a time in
    UTC ends in ``Z``; otherwise the zone is looked for in the last characters (``+HH``,
    ``+HHMM``, ``+HH:MM``) after more than a date, so a time without one (or a bare date, whose
    ``-30`` is not a zone) is never read as UTC. A status is usually written in lower case.
    """
    f = finished
    words = _words((*OK_STATUSES, *FAILED_STATUSES))
    unzoned = (
        f"CASE WHEN suffix({f}, 'Z') THEN false ELSE NOT coalesce(length({f}) > 10 AND"
        f" ({f}[-1] = 'z' OR {f}[-3] IN ('+', '-') OR {f}[-5] IN ('+', '-')"
        f" OR {f}[-6] IN ('+', '-')), false) END"
    )
    unknown = (
        f"CASE WHEN {status} IN ({words}) THEN false"
        f" ELSE NOT coalesce(lower({status}) IN ({words}), false) END"
    )
    return (
        f"(coalesce({system}, '') = '' OR coalesce({job}, '') = '' OR {unzoned}"
        f" OR TRY_CAST({f} AS TIMESTAMPTZ) IS NULL OR {unknown}"
        f" OR ({size} IS NOT NULL AND TRY_CAST({size} AS BIGINT) IS NULL))"
    )


def _json_field(name: str) -> str:
    return f"CASE WHEN json_valid(line) THEN line->>'{name}' END"


def _json_bad() -> str:
    fields = [_json_field(n) for n in (*LOG_FIELDS, "size")]
    return (
        "(NOT json_valid(line) OR json_type(CASE WHEN json_valid(line) THEN line END) <> 'OBJECT'"
        f" OR {_bad(*fields)})"
    )


def _is_jsonl(path: str) -> bool:
    return path.endswith(JSONL_SUFFIXES)


def _sources(logs: Sequence[str], root: Path) -> tuple[list[str], list[Any]]:
    """One SELECT per CSV header (read_csv matches columns by position) and one for the JSON
    Lines files: (system, job, finished_at, status, size) as text."""
    from opsdocs.dr.evidence import _shown
    from opsdocs.sources.files import csv_header, csv_relation, lines_relation

    parts: list[str] = []
    params: list[Any] = []
    by_header: dict[tuple[str, ...], list[str]] = {}
    jsonl = []
    for path in logs:
        if _is_jsonl(path):
            jsonl.append(path)
            continue
        header = tuple(csv_header(path))
        missing = [f for f in LOG_FIELDS if f not in header]
        if missing:
            raise InputError(
                f"{_shown(path, root)}: the header has no {', '.join(missing)}",
                hint="the columns are system, job, finished_at, status and size",
            )
        by_header.setdefault(header, []).append(path)
    for header, paths in by_header.items():
        # the reader converts the size (a row where it does not convert is rejected)
        # (it must be read for that: a column left out of the query is never converted)
        size = "size" if "size" in header else "NULL"
        relation = csv_relation(types={"size": "BIGINT"} if "size" in header else None)
        parts.append(
            f"SELECT system, job, finished_at AS f, status AS s, {size} AS z FROM {relation}"
        )
        params.append(paths)
    if jsonl:
        names = ("system", "job", "f", "s", "z")
        fields = ", ".join(
            f"{_json_field(n)} AS {a}" for n, a in zip((*LOG_FIELDS, "size"), names, strict=True)
        )  # the size stays text: _bad checks it
        parts.append(
            f"SELECT {fields} FROM {lines_relation()} WHERE line IS NOT NULL AND trim(line) <> ''"
        )
        params.append(jsonl)
    return parts, params


def summarise(
    logs: Sequence[str],
    runs: Sequence[Run],
    *,
    at: dt.datetime,
    window: int,
    root: Path,
) -> dict[tuple[str, str], JobEvidence]:
    """Per (system, job): what the logs and the attributed ``runs`` say at ``at``, over the
    ``window`` (seconds) before it. InputError, at its file and line, for the first bad row."""
    from opsdocs.sources.files import connect, csv_reject_cause, csv_rejects, run_query

    start = at - dt.timedelta(seconds=window)
    con = connect()
    try:
        con.execute(
            "CREATE TEMP TABLE opsdocs_dr_runs (system VARCHAR, job VARCHAR, t TIMESTAMPTZ,"
            " ok BOOLEAN)"
        )
        attributed = [(r.system, r.job, r.finished_at, r.ok) for r in runs if r.system and r.job]
        if attributed:
            con.executemany("INSERT INTO opsdocs_dr_runs VALUES (?, ?, ?, ?)", attributed)
        parts, params = _sources(logs, root)
        ok_words = _words(OK_STATUSES)
        typed = [
            f"SELECT system, job, TRY_CAST(f AS TIMESTAMPTZ) AS t,"
            f" CASE WHEN s IN ({ok_words}) THEN true ELSE lower(s) IN ({ok_words}) END AS ok,"
            f" {_bad('system', 'job', 'f', 's', 'z')} AS bad FROM ({part})"
            for part in parts
        ]
        typed.append("SELECT system, job, t, ok, false AS bad FROM opsdocs_dr_runs")
        at_sql, start_sql = _literal(at), _literal(start)
        # The per-job numbers come from one pass; the gaps need each job's successes in time
        # order, but only those in the window (the one before it comes from the aggregate), so
        # only they are sorted.
        sql = f"""
            WITH seen AS MATERIALIZED (
                SELECT system, job, t, bad,
                    ok AND NOT bad AND t <= {at_sql} AS good,
                    NOT ok AND NOT bad AND t <= {at_sql} AS failed
                FROM ({" UNION ALL ".join(typed)})
            ),
            totals AS (
                SELECT system, job,
                    count(*) FILTER (WHERE bad) AS bad,
                    max(t) FILTER (WHERE good) AS last,
                    min(t) FILTER (WHERE good) AS oldest,
                    count(*) FILTER (WHERE good AND t >= {start_sql}) AS good,
                    count(*) FILTER (WHERE failed AND t >= {start_sql}) AS failed,
                    max(t) FILTER (WHERE good AND t < {start_sql}) AS before
                FROM seen GROUP BY system, job
            ),
            ordered AS (
                SELECT system, job, t, lag(t) OVER (PARTITION BY system, job ORDER BY t) AS prev
                FROM seen WHERE good AND t >= {start_sql}
            ),
            gaps AS (
                SELECT o.system, o.job,
                    max(epoch(o.t) - epoch(greatest(coalesce(o.prev, g.before), {start_sql})))
                        AS inner_gap
                FROM ordered o JOIN totals g USING (system, job)
                WHERE coalesce(o.prev, g.before) IS NOT NULL
                GROUP BY o.system, o.job
            )
            SELECT system, job, bad, last, oldest, good, failed, inner_gap
            FROM totals LEFT JOIN gaps USING (system, job)
        """
        rows = run_query(con, sql, params)
        if not all(_is_jsonl(p) for p in logs):
            rejected, first = csv_rejects(con, root)
            if rejected:
                if csv_reject_cause(con) == ("CAST", "size"):
                    raise InputError(
                        f"{first}: size is not a whole number of bytes",
                        hint="write the size in bytes, or leave it empty",
                    )
                raise InputError(
                    f"{first}: a row does not fit the header",
                    hint="give every row the header's fields",
                )
        if any(row[2] for row in rows):
            _first_bad(con, logs, root)
    finally:
        con.close()
    found = {}
    for system, job, _, last, oldest, good, failed, inner in rows:
        gap: int | None = None
        if last is not None:
            final = (at - max(last, start)).total_seconds()
            gap = int(max(final, inner if inner is not None else 0.0))
        found[(str(system), str(job))] = JobEvidence(
            _utc(last), _utc(oldest), int(good), int(failed), gap
        )
    return found


def _utc(when: dt.datetime | None) -> dt.datetime | None:
    return None if when is None else when.astimezone(dt.UTC)


def _first_bad(con: Any, logs: Sequence[str], root: Path) -> None:
    """Raise the InputError of the first bad row, file by file in order."""
    from opsdocs.dr.evidence import _shown
    from opsdocs.sources.files import csv_header, csv_relation, lines_relation, run_query

    for path in logs:
        shown = _shown(path, root)
        if _is_jsonl(path):
            sql = (
                "SELECT n, line FROM (SELECT line, row_number() OVER () AS n"
                f" FROM {lines_relation()}) WHERE line IS NOT NULL AND trim(line) <> ''"
                f" AND {_json_bad()} ORDER BY n LIMIT 1"
            )
            found = run_query(con, sql, [[path]])
            if found:
                number, line = found[0]
                values = _json_values(line, where=f"{shown}:{number}")
                _explain(values, where=f"{shown}:{number}")
        else:
            size = "size" if "size" in csv_header(path) else "NULL"
            bad = _bad("system", "job", "finished_at", "status", size)
            sql = (
                f"SELECT n, system, job, finished_at, status, {size} FROM (SELECT *,"
                f" row_number() OVER () AS n FROM {csv_relation()}) WHERE {bad}"
                " ORDER BY n LIMIT 1"
            )
            found = run_query(con, sql, [[path]])
            if found:
                number, *values = found[0]
                _explain(values, where=f"{shown}:{int(number) + 1}")  # the header is line 1


def _json_values(line: str, *, where: str) -> list[Any]:
    import json

    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: not valid JSON: {exc.msg}", hint="write one JSON object per line"
        ) from None
    if not isinstance(item, dict):
        raise InputError(f"{where}: not a JSON object", hint="one object per line")
    return [item.get(name) for name in (*LOG_FIELDS, "size")]


def _explain(values: Sequence[Any], *, where: str) -> None:
    check_log_row(values, where=where)
    # what DuckDB reads more strictly than check_log_row: spaces around a value, a lowercase 'z'
    raise InputError(
        f"{where}: the run cannot be read as written",
        hint="write the values without spaces around them, and times like 2026-11-30T02:00:00Z",
    )
