"""Data files read in place with DuckDB: CSV, JSON Lines, Parquet, gzip, globs.

A feature names its files by glob (relative to the workspace root, or absolute); this module finds
them, each once, tells their format, opens a DuckDB connection that never prints, and runs one
query over them so that Ctrl-C stops it at once. It knows nothing about what the rows mean:
``opsdocs.reports`` maps request logs onto SLO counts, and cost or capacity reports can map
billing exports or usage tables the same way.

Rules it keeps for every caller:

- **Each file once.** A glob that matches a file and a symlink to it (or two globs that match the
  same file) read it once: files are told apart by device and inode, not by name.
- **Regular files only.** FIFOs, devices and folders are left out, so nothing blocks or reads
  without end.
- **The workspace boundary.** A relative pattern must stay inside the workspace, symlinks
  included; a file elsewhere is read only when the configuration names it by an absolute path.
- **No raw content in messages.** Errors show the names of fields only when the first line looks
  like a header; DuckDB's own messages have their quoted parts (which can be file content)
  replaced by an ellipsis.
"""

from __future__ import annotations

import csv
import glob
import gzip
import os
import re
import stat
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsdocs.errors import InputError

__all__ = [
    "EXTENSIONS",
    "FileSet",
    "connect",
    "csv_header",
    "csv_reject_cause",
    "csv_rejects",
    "csv_relation",
    "describe_fields",
    "detect_format",
    "expand_files",
    "file_columns",
    "lines_relation",
    "parquet_relation",
    "quote_ident",
    "run_query",
    "safe_message",
    "table_relation",
]

#: File name extension (before ``.gz``) → format.
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".log": "combined",
}

_HEADER_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\- ]{0,63}$")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


@dataclass(frozen=True)
class FileSet:
    """The files a set of globs matches: non-empty regular files, each once, sorted per glob."""

    files: tuple[str, ...]
    empty: int  # empty files left out
    size: int  # bytes of the files kept


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def expand_files(
    root: Path, patterns: Iterable[str], *, where: str, setting: str = "files"
) -> FileSet:
    """The files matching ``patterns`` (globs; ``**`` recurses); ``where``.``setting`` prefixes
    messages (the configuration key that holds the patterns).

    Raises :class:`InputError` for a pattern that matches nothing, or a relative pattern that
    reaches outside ``root`` (by ``..`` or through a symlink).
    """
    real_root = os.path.realpath(root)
    files: list[str] = []
    seen: set[tuple[int, int]] = set()
    empty = 0
    size = 0
    for pattern in patterns:
        absolute = os.path.isabs(pattern)
        full = pattern if absolute else str(root / pattern)
        matched = sorted(glob.glob(full, recursive=True))
        if not matched:
            raise InputError(
                f"{where}.{setting}: no file matches {pattern!r}",
                hint="check the path; it is relative to the workspace root",
            )
        for name in matched:
            if not absolute and not _inside(os.path.realpath(name), real_root):
                raise InputError(
                    f"{where}.{setting}: {pattern!r} reaches outside the workspace",
                    hint="name a file outside the workspace by its absolute path",
                )
            try:
                info = os.stat(name)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            key = (info.st_dev, info.st_ino)
            if key in seen:
                continue
            seen.add(key)
            if info.st_size == 0:
                empty += 1
                continue
            files.append(name)
            size += info.st_size
    return FileSet(tuple(files), empty, size)


def detect_format(files: Sequence[str], *, where: str, given: str | None = None) -> str:
    """``given``, else the one format the files' extensions share (``.gz`` looked through)."""
    if given is not None:
        return given
    found = set()
    for name in files:
        stem = name[:-3] if name.endswith(".gz") else name
        found.add(EXTENSIONS.get(os.path.splitext(stem)[1].lower()))
    if len(found) == 1 and None not in found:
        return str(found.pop())
    raise InputError(
        f"{where}.format: cannot tell the file format from the file names",
        hint="set format to csv, jsonl, parquet or combined",
    )


def connect(*, progress: bool = False) -> Any:
    """An in-memory DuckDB connection in UTC that never prints (``progress``: track it)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB draws its own progress bar on standard output for long queries: keep the tracking
    # (run_query reads it) but never let the library print.
    con.execute("SET enable_progress_bar_print = false")
    con.execute(f"SET enable_progress_bar = {'true' if progress else 'false'}")
    return con


def run_query(
    con: Any,
    sql: str,
    params: Sequence[Any] = (),
    *,
    progress: Callable[[float], None] | None = None,
) -> list[tuple[Any, ...]]:
    """All rows of ``sql``; Ctrl-C interrupts DuckDB at once and raises KeyboardInterrupt.

    The query runs in a helper thread while this one waits (and reports ``progress``, 0–100),
    because a signal reaches Python only between bytecodes of the main thread: a long DuckDB
    call on it would finish its scan before the interrupt is seen. Errors are DuckDB's own.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()
    cancelled = threading.Event()

    def work() -> None:
        try:
            if cancelled.is_set():  # Ctrl-C came while the thread was starting
                return
            outcome["rows"] = con.execute(sql, list(params)).fetchall()
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=work, name="opsdocs-duckdb", daemon=True)
    try:
        # started inside the try: a Ctrl-C arriving just after the start still stops the query
        worker.start()
        while not done.wait(0.1):
            if progress is not None:
                _report_progress(con, progress)
    except KeyboardInterrupt:
        cancelled.set()
        # interrupt until the worker gives up: the query may only just be starting
        for _ in range(100):
            con.interrupt()
            if done.wait(0.1):
                break
        raise
    if "error" in outcome:
        import duckdb

        if isinstance(outcome["error"], duckdb.InterruptException):
            # DuckDB may take the SIGINT itself while its query runs (its own handler, not
            # Python's): the person still pressed Ctrl-C, so it ends the same way
            raise KeyboardInterrupt from None
        raise outcome["error"]
    if progress is not None:
        progress(100.0)
    rows: list[tuple[Any, ...]] = outcome["rows"]
    return rows


def _report_progress(con: Any, progress: Callable[[float], None]) -> None:
    import duckdb

    try:
        value = float(con.query_progress())
    except duckdb.Error:
        return
    if value >= 0:
        progress(value)


def parquet_relation(param: str = "?", *, filename: bool = False) -> str:
    """SQL reading the Parquet files bound to ``param`` (a list), columns matched by name
    (``filename``: with a ``filename`` column naming each row's file)."""
    extra = ", filename=true" if filename else ""
    return f"read_parquet({param}, union_by_name=true{extra})"


def csv_relation(
    param: str = "?",
    *,
    delimiter: str = ",",
    filename: bool = False,
    types: dict[str, str] | None = None,
) -> str:
    """SQL reading the CSV files bound to ``param``: a header line, every field as text, but
    the columns ``types`` names (column -> DuckDB type, e.g. ``{"size": "BIGINT"}``), which the
    reader converts as it goes (cheaper than a cast per row afterwards). ``filename``: with a
    ``filename`` column naming each row's file; the files' columns are matched by position, so
    give it files of one header.

    A row that does not fit (a wrong number of fields, an unclosed quote, a value of ``types``
    that does not convert) is left out and kept in the ``opsdocs_rejects`` table, for
    :func:`csv_rejects`; it never stops the query.
    """
    delim = "\\t" if delimiter == "\t" else delimiter.replace("'", "''")
    extra = " filename=true," if filename else ""
    if types:
        pairs = ", ".join(
            f"'{name.replace(chr(39), chr(39) * 2)}': '{kind}'" for name, kind in types.items()
        )
        extra += f" types={{{pairs}}},"
    return (
        f"read_csv({param},{extra} header=true, all_varchar=true, delim=E'{delim}',"
        " ignore_errors=true, store_rejects=true, rejects_table='opsdocs_rejects',"
        " rejects_scan='opsdocs_rejects_scan')"
    )


def table_relation(fmt: str, param: str = "?", *, filename: bool = False) -> str:
    """:func:`csv_relation` or :func:`parquet_relation`, as ``fmt`` says."""
    if fmt == "csv":
        return csv_relation(param, filename=filename)
    return parquet_relation(param, filename=filename)


def lines_relation(param: str = "?") -> str:
    """SQL reading the files bound to ``param`` as text lines, one ``line`` column (JSON Lines,
    combined logs): no quoting, no delimiter, lines up to 16 MiB."""
    return (
        f"read_csv({param}, columns={{'line': 'VARCHAR'}}, header=false, delim='\\0', quote='',"
        " escape='', auto_detect=false, strict_mode=false, max_line_size=16777216)"
    )


def csv_rejects(con: Any, root: Path) -> tuple[int, str | None]:
    """Rows the last :func:`csv_relation` scan left out, and where the first is (``file:line``,
    the file relative to ``root`` when inside it)."""
    row = con.execute(
        "SELECT count(DISTINCT (scan_id, file_id, line)) FROM opsdocs_rejects"
    ).fetchone()
    count = int(row[0]) if row else 0
    if not count:
        return 0, None
    first = con.execute(
        "SELECT s.file_path, r.line FROM opsdocs_rejects r"
        " JOIN opsdocs_rejects_scan s USING (scan_id, file_id)"
        " ORDER BY s.file_path, r.line LIMIT 1"
    ).fetchone()
    if not first:
        return count, None
    path = str(first[0])
    inside = _inside(os.path.realpath(path), os.path.realpath(root))
    shown = os.path.relpath(path, root) if inside else path
    return count, f"{shown}:{int(first[1])}"


def csv_reject_cause(con: Any) -> tuple[str, str] | None:
    """The first rejected row's error type (``CAST``, ``TOO MANY COLUMNS``...) and column name,
    in the order of :func:`csv_rejects`; None when no row was left out."""
    row = con.execute(
        "SELECT r.error_type, r.column_name FROM opsdocs_rejects r"
        " JOIN opsdocs_rejects_scan s USING (scan_id, file_id)"
        " ORDER BY s.file_path, r.line LIMIT 1"
    ).fetchone()
    return (str(row[0]), str(row[1] or "")) if row else None


def csv_header(path: str, delimiter: str = ",") -> list[str]:
    """The field names on the first line of a CSV file (gzip looked through; 64 KiB at most).

    Read here rather than by DuckDB's sniffer, which takes a file whose rows have differing
    numbers of fields for a file of one field per line.
    """
    opener: Any = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
            line = handle.readline(65536)
    except (OSError, EOFError, gzip.BadGzipFile):
        return []
    row = next(csv.reader([line], delimiter=delimiter), [])
    return [name.strip() for name in row]


def file_columns(
    con: Any, files: Sequence[str], fmt: str, *, delimiter: str = ","
) -> dict[str, str]:
    """The columns of CSV or Parquet ``files`` and their DuckDB types: from the header lines
    (:func:`csv_header`; every column text, in the order first seen) or from the Parquet
    metadata, columns matched by name (no rows read)."""
    if fmt == "csv":
        return {name: "VARCHAR" for path in files for name in csv_header(path, delimiter)}
    rows = con.execute(f"DESCRIBE SELECT * FROM {parquet_relation()}", [list(files)]).fetchall()
    return {str(row[0]): str(row[1]) for row in rows}


def quote_ident(name: str) -> str:
    """``name`` as a DuckDB identifier (a column), double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def describe_fields(names: Iterable[str]) -> str:
    """``fields found: a, b`` when the names look like a header, else a note that they do not.

    A file that has no header line (or is not the format it was read as) gives "field names"
    that are its first line: content, which may be secret, is never put into a message.
    """
    found = sorted(names)
    if found and len(found) <= 100 and all(_HEADER_FIELD.match(n) for n in found):
        return "fields found: " + ", ".join(found)
    return "the first line does not look like a header of field names"


def safe_message(exc: BaseException) -> str:
    """The first line of a DuckDB error with quoted parts (possibly file content) elided."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    text = _QUOTED.sub("'…'", text)
    return text if len(text) <= 200 else text[:199] + "…"
