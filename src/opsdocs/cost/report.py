"""The cost report: FOCUS 1.x billing exports measured against the budgets of the cost documents.

The exports are read in place with DuckDB (:mod:`opsdocs.sources.files`), once: one query over
every file both checks the rows (costs that are not numbers, negative costs on rows that are not
credits, refunds or corrections, times that are not times) and sums the month and the month before
by day, ``ServiceName``, currency and the tag values the budgets look at. Only when that query
found a bad row is a file read again, to say where the first one is. Costs are summed as
``DECIMAL(38, 10)`` so totals are exact to the cent. Python then gives each group to the first
budget (in document order) whose tags it carries, converts other currencies by the configured
rates, forecasts linearly (month to date divided by the days with data so far, times the days of
the month), and looks for days whose spend is far from the days before
(:mod:`opsdocs.cost.anomaly`).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from opsdocs.documents.specs import read_spec_document
from opsdocs.errors import InputError
from opsdocs.records import dicts, json_dict, json_form, json_method, text_or_none

if TYPE_CHECKING:
    from opsdocs.cost.anomaly import Anomaly
    from opsdocs.cost.spec import Budget, CostFrontMatter
    from opsdocs.documents.parse import Document
    from opsdocs.documents.specs import SpecDocument
    from opsdocs.workspace import Workspace

__all__ = [
    "REQUIRED_COLUMNS",
    "BudgetLine",
    "CostDocument",
    "CostReport",
    "Mover",
    "RequestCounter",
    "build_report",
    "load_cost_documents",
    "parse_month",
]

#: FOCUS columns every export must have (besides the cost column the document chooses).
REQUIRED_COLUMNS = ("BillingCurrency", "ChargeCategory", "ChargePeriodStart", "ServiceName", "Tags")
#: ChargeCategory values on which FOCUS allows a negative cost (and ChargeClass ``Correction``).
CREDIT_CATEGORIES = ("Credit", "Adjustment")
_CENT = Decimal("0.01")
_DECIMAL = "DECIMAL(38, 10)"
_MOVERS = 5
_HINT = "see docs/cost.md"
#: The owner name of spend no budget owns, in the daily series and the anomalies.
UNTAGGED = "(untagged)"

#: A cost document's path, its parsed text and its validated front matter.
CostDocument: TypeAlias = "SpecDocument[CostFrontMatter]"
#: Counts the requests of an SLO (``service/slo``) over the ``seconds`` before ``at``.
RequestCounter = Callable[[str, dt.datetime, int], "float | None"]


@dataclass(frozen=True)
class BudgetLine:
    """One budget owner's month."""

    name: str
    document: str
    month_to_date: Decimal
    forecast: Decimal
    budget: Decimal
    threshold: Decimal  # percent
    #: The unit metric: requests counted by ``unit_slo`` over the days with data.
    unit_slo: str | None = None
    unit_per: int = 1_000_000
    requests: float | None = None
    #: The cost document itself: ``document`` is its file name, which two documents in
    #: different folders can share.
    path: Path | None = field(default=None, compare=False)

    @property
    def variance(self) -> Decimal:
        """Forecast minus budget (positive: over budget)."""
        return self.forecast - self.budget

    @property
    def forecast_percent(self) -> Decimal:
        return (self.forecast * 100 / self.budget).quantize(Decimal("0.1"))

    @property
    def over_threshold(self) -> bool:
        return self.forecast * 100 > self.budget * self.threshold

    @property
    def unit_cost(self) -> Decimal | None:
        """Month to date per ``unit_per`` requests (None: no requests counted)."""
        if not self.requests or self.requests <= 0:
            return None
        requests = Decimal(repr(self.requests))
        return (self.month_to_date * self.unit_per / requests).quantize(Decimal("0.0001"))

    JSON_FORM = json_form(
        "name",
        "document",
        ("month_to_date", str),
        ("forecast", str),
        ("budget", str),
        ("variance", str),
        ("forecast_percent", str),
        ("threshold_percent", "threshold", str),
        "over_threshold",
    )

    UNIT_FORM = json_form(
        ("slo", "unit_slo"), ("per", "unit_per"), "requests", ("cost", "unit_cost", text_or_none)
    )

    def as_dict(self) -> dict[str, Any]:
        unit = None if self.unit_slo is None else json_dict(self, self.UNIT_FORM)
        return {**json_dict(self, self.JSON_FORM), "unit": unit}


@dataclass(frozen=True)
class Mover:
    """A FOCUS ``ServiceName`` whose spend changed most against the same days of last month."""

    service: str
    current: Decimal
    previous: Decimal

    @property
    def change(self) -> Decimal:
        return self.current - self.previous

    as_dict = json_method("service", ("current", str), ("previous", str), ("change", str))


@dataclass(frozen=True)
class CostReport:
    """The month measured against every budget."""

    month: str
    currency: str
    days_elapsed: int
    days_in_month: int
    total: Decimal
    untagged: Decimal
    untagged_max: Decimal | None
    budgets: list[BudgetLine] = field(default_factory=list)
    movers: list[Mover] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    #: owner (a budget's name, or UNTAGGED) -> the spend of each day of the month, in cents
    daily: dict[str, list[Decimal]] = field(default_factory=dict)
    #: currencies converted into ``currency`` and the rates used
    converted: dict[str, Decimal] = field(default_factory=dict)

    @property
    def untagged_percent(self) -> Decimal:
        if not self.total:
            return Decimal(0)
        return (self.untagged * 100 / self.total).quantize(Decimal("0.1"))

    @property
    def untagged_over(self) -> bool:
        """The untagged share is over the configured ``untagged_max``."""
        if self.untagged_max is None or self.total <= 0:
            return False
        return self.untagged * 100 > self.total * self.untagged_max

    @property
    def has_findings(self) -> bool:
        """What the report marks: a forecast over its threshold, the untagged share over its
        maximum, or a day with anomalous spend (the command exits 1)."""
        return (
            self.untagged_over
            or bool(self.anomalies)
            or any(b.over_threshold for b in self.budgets)
        )

    @property
    def first_day(self) -> dt.date:
        return dt.datetime.strptime(self.month, "%Y-%m").date()

    #: How the month's spend is forecast (see the module).
    forecast_method: ClassVar[str] = "linear"

    JSON_FORM = json_form(
        "month",
        "currency",
        "days_elapsed",
        "days_in_month",
        "forecast_method",
        ("total", str),
        ("untagged", str),
        ("untagged_percent", str),
        ("untagged_max_percent", "untagged_max", text_or_none),
        "untagged_over",
        ("converted", lambda rates: {code: str(rate) for code, rate in rates.items()}),
        ("budgets", dicts),
        ("movers", dicts),
        ("anomalies", dicts),
    )

    def as_dict(self) -> dict[str, Any]:
        return {
            **json_dict(self, self.JSON_FORM),
            "daily": {
                owner: [str(v) for v in values[: self.days_elapsed]]
                for owner, values in self.daily.items()
            },
        }


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` as the first day of that month; InputError otherwise."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise InputError(
            f"--month: not a month: {text!r}", hint="give the month as YYYY-MM, e.g. 2026-05"
        ) from None


def read_cost_document(doc: Document) -> CostDocument:
    """The validated cost spec of ``doc``; DocumentError at the first bad key."""
    from opsdocs.cost.spec import CostFrontMatter

    return read_spec_document(doc, CostFrontMatter, hint=_HINT)


def load_cost_documents(workspace: Workspace) -> list[CostDocument]:
    """Every cost document of the workspace, validated, sorted by path: where ``check`` finds
    them (subfolders too), so that a document the CO rules check is reported on."""
    from opsdocs.check.discovery import documents_of_kind

    return [read_cost_document(doc) for doc in documents_of_kind(workspace, "cost")]


@dataclass(frozen=True)
class _Layout:
    """How the exports hold the columns read: the SQL of each value and of each bad row.

    A column typed in the file (Parquet) needs no checked cast: a decimal cost is a number and
    a timestamp a time. Checks on text (CSV) are written with CASE so that the costly part runs
    only on the rows that need it.
    """

    cost: str
    cost_text: bool = True
    time_text: bool = True
    charge_class: bool = False

    @property
    def value(self) -> str:
        cast = "TRY_CAST" if self.cost_text else "CAST"
        return f"{cast}({self.cost} AS {_DECIMAL})"

    @property
    def time(self) -> str:
        cast = "TRY_CAST" if self.time_text else "CAST"
        return f"{cast}(ChargePeriodStart AS TIMESTAMPTZ)"

    def bad(self, value: str | None = None, time: str | None = None) -> dict[str, str]:
        """SQL conditions of the three kinds of bad row (``value``, ``time``: the columns
        already cast, when the query has them)."""
        value = value or self.value
        time = time or self.time
        cats = ", ".join(f"'{c}'" for c in CREDIT_CATEGORIES)
        correction = " OR ChargeClass = 'Correction'" if self.charge_class else ""
        number = "false"
        if self.cost_text:
            number = (
                f"CASE WHEN {value} IS NULL AND {self.cost} IS NOT NULL"
                f" THEN trim(CAST({self.cost} AS VARCHAR)) <> '' ELSE false END"
            )
        return {
            "number": number,
            "negative": f"CASE WHEN {value} < 0 THEN NOT coalesce(ChargeCategory IN ({cats})"
            f"{correction}, false) ELSE false END",
            "time": f"{time} IS NULL",
        }


def _check_columns(
    con: Any, files: Sequence[str], fmt: str, cost: str, workspace: Workspace
) -> _Layout:
    """Refuse an export missing a FOCUS column; how the exports hold the columns."""
    from opsdocs.sources.files import file_columns

    with_class = True
    types: dict[str, set[str]] = {}
    for path in files:
        found = file_columns(con, [path], fmt)
        missing = [c for c in (cost, *REQUIRED_COLUMNS) if c not in found]
        if missing:
            raise InputError(
                f"missing FOCUS column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
                path=workspace.relative(Path(path)),
                hint="export the billing data as FOCUS 1.x",
            )
        with_class = with_class and "ChargeClass" in found
        for name, kind in found.items():
            types.setdefault(name, set()).add(kind)
    numeric = all(k.upper().startswith(("DECIMAL", "DOUBLE", "FLOAT", "BIGINT", "INTEGER",
                                         "HUGEINT", "SMALLINT", "REAL", "NUMERIC"))
                  for k in types[cost])  # fmt: skip
    timed = all(k.upper().startswith("TIMESTAMP") for k in types["ChargePeriodStart"])
    return _Layout(cost, cost_text=not numeric, time_text=not timed, charge_class=with_class)


def _scan(
    con: Any,
    files: Sequence[str],
    fmt: str,
    cost: str,
    keys: Sequence[str],
    window: tuple[dt.datetime, dt.datetime],
    layout: _Layout,
) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """One pass over every export: the sums of the window's rows grouped by day, service,
    currency and tag values, and the number of bad rows of each kind in the whole files."""
    from opsdocs.sources.files import run_query, table_relation

    bad = layout.bad("c", "t")
    tags = "".join(
        f", CASE WHEN w THEN json_extract_string(Tags, ${i + 4}) END" for i in range(len(keys))
    )
    # Rows outside the window fall into one group (every grouping column NULL), so the whole
    # files are checked by the same scan that sums the window.
    sql = (
        "SELECT CASE WHEN w THEN CAST(t AS DATE) END, CASE WHEN w THEN ServiceName END,"
        f" CASE WHEN w THEN BillingCurrency END{tags},"
        " sum(c) FILTER (WHERE w), count(*) FILTER (WHERE bad_number),"
        " count(*) FILTER (WHERE bad_negative), count(*) FILTER (WHERE bad_time)"
        f" FROM (SELECT *, coalesce(t >= $2 AND t < $3, false) AS w,"
        f" {bad['number']} AS bad_number, {bad['negative']} AS bad_negative,"
        f" {bad['time']} AS bad_time FROM ("
        f"SELECT {layout.time} AS t, {layout.value} AS c, {cost}, ServiceName, BillingCurrency,"
        f" Tags, ChargeCategory{', ChargeClass' if layout.charge_class else ''}"
        f" FROM {table_relation(fmt, '$1')}))"
        " GROUP BY ALL"
    )
    if fmt == "csv":
        _keep_try_casts(con)
    rows = run_query(con, sql, [list(files), *window, *("$." + _json_key(k) for k in keys)])
    # the last three columns count the bad rows of each kind, in the order of _BAD
    counts = {kind: sum(int(row[i - 3]) for row in rows) for i, kind in enumerate(_BAD)}
    data = [row[:-3] for row in rows if row[0] is not None and row[-4] is not None]
    return data, counts


def _keep_try_casts(con: Any) -> None:
    """Stop DuckDB pushing a TRY_CAST into the CSV reader: there (DuckDB 2.0) it becomes a
    CAST whose failure rejects the row, so a bad time would be counted as an unreadable row."""
    import duckdb

    with contextlib.suppress(duckdb.Error):  # older DuckDB has no such optimiser to disable
        con.execute("SET disabled_optimizers = 'type_pushdown'")


_PLAIN_NUMBER = re.compile(r"\s*[+-]?(?:\d{1,20}(?:\.\d*)?|\.\d+)\s*")
_PLAIN_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
)


class _Cells:
    """Values of a CSV export judged as the scan judged them: plain decimals and ISO times in
    Python, anything else by DuckDB itself (each distinct text once)."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self.seen: dict[tuple[str, str], Any] = {}

    def _duck(self, text: str, sql_type: str) -> Any:
        key = (text, sql_type)
        if key not in self.seen:
            row = self.con.execute(f"SELECT TRY_CAST(? AS {sql_type})", [text]).fetchone()
            self.seen[key] = None if row is None else row[0]
        return self.seen[key]

    def number(self, text: str) -> Decimal | None:
        """The cost, or None when it is not a number."""
        if _PLAIN_NUMBER.fullmatch(text):
            return Decimal(text.strip())
        value = self._duck(text, _DECIMAL)
        return None if value is None else Decimal(value)

    def is_time(self, text: str) -> bool:
        if _PLAIN_TIME.fullmatch(text):
            with contextlib.suppress(ValueError):
                dt.datetime.fromisoformat(text)
                return True
        return self._duck(text, "TIMESTAMPTZ") is not None


def _first_bad_csv(con: Any, path: str, cost: str, kind: str) -> tuple[int, int] | None:
    """(line, column) of the first row of ``kind`` in a CSV export, read with Python's csv so
    that the line counts quoted line breaks as the file has them."""
    import csv
    import gzip

    cells = _Cells(con)
    opener: Any = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        index = {name: i for i, name in enumerate(header)}
        column = "ChargePeriodStart" if kind == "time" else cost
        at = index[column]
        line = reader.line_num
        for row in reader:
            where, line = line + 1, reader.line_num
            if len(row) != len(header):
                continue
            text = row[at]
            if kind == "time":
                if not cells.is_time(text):
                    return where, at + 1
                continue
            if not text:  # an empty field is read as NULL: no cost
                continue
            value = cells.number(text)
            if value is None:
                if kind == "number" and text.strip():
                    return where, at + 1
                continue
            if kind == "negative" and value < 0:
                category = row[index["ChargeCategory"]]
                charge_class = row[index["ChargeClass"]] if "ChargeClass" in index else ""
                if category not in CREDIT_CATEGORIES and charge_class != "Correction":
                    return where, at + 1
    return None


def _first_bad_parquet(con: Any, path: str, kind: str, layout: _Layout) -> int | None:
    """The row number (from 1) of the first row of ``kind`` in a Parquet export."""
    condition = layout.bad()[kind]
    row = con.execute(
        "SELECT min(file_row_number) FROM read_parquet(?, file_row_number=true)"
        f" WHERE coalesce({condition}, false)",
        [path],
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0]) + 1


_BAD = {
    "number": ("not a number", "costs are decimal numbers such as 12.34"),
    "negative": (
        "a negative cost on a row that is not a credit, refund or correction",
        "FOCUS allows a negative cost only with ChargeCategory Credit or Adjustment, or "
        "ChargeClass Correction",
    ),
    "time": ("not a time", "FOCUS times are ISO 8601, e.g. 2026-05-01T00:00:00Z"),
}


def _refuse_bad_rows(
    con: Any,
    files: Sequence[str],
    fmt: str,
    cost: str,
    counts: dict[str, int],
    layout: _Layout,
    workspace: Workspace,
) -> None:
    """Raise for the first kind of bad row found, located at its first row (file, row, column)."""
    for kind, count in counts.items():
        if not count:
            continue
        column = "ChargePeriodStart" if kind == "time" else cost
        what, hint = _BAD[kind]
        message = f"{column}: {what}" + (f", the first of {count} rows" if count > 1 else "")
        for path in files:
            shown = workspace.relative(Path(path))
            if fmt == "csv":
                found = _first_bad_csv(con, path, cost, kind)
                if found is not None:
                    raise InputError(message, path=shown, line=found[0], col=found[1], hint=hint)
            elif (number := _first_bad_parquet(con, path, kind, layout)) is not None:
                raise InputError(f"row {number}: {message}", path=shown, hint=hint)
        raise InputError(message, path=workspace.relative(Path(files[0])), hint=hint)


def _tag_keys(documents: Sequence[CostDocument]) -> list[str]:
    keys: list[str] = []
    for doc in documents:
        for budget in doc.spec.budgets:
            keys.extend(k for k in budget.tags if k not in keys)
    return keys


def _owner(values: dict[str, str | None], budgets: Sequence[Budget]) -> str | None:
    for budget in budgets:
        if all(values.get(k) == v for k, v in budget.tags.items()):
            return budget.name
    return None


def _rates(documents: Sequence[CostDocument], workspace: Workspace) -> dict[str, Decimal]:
    """The exchange rates of every document, which must agree."""
    rates: dict[str, Decimal] = {}
    for doc in documents:
        for code, rate in doc.spec.exchange_rates.items():
            if rates.get(code, rate) != rate:
                raise InputError(
                    f"exchange_rates.{code}: {rate} here but {rates[code]} in another cost "
                    "document",
                    path=workspace.relative(doc.path),
                    hint="give each currency one rate",
                )
            rates[code] = rate
    return rates


def build_report(
    workspace: Workspace,
    documents: Sequence[CostDocument],
    month: dt.date,
    *,
    sources: Sequence[str] = (),
    count_requests: RequestCounter | None = None,
) -> CostReport:
    """``month`` (its first day) of the exports named by ``sources`` (default: the documents'
    own) against the budgets of ``documents``. ``count_requests`` measures the budgets' unit
    metrics (left out when None). InputError on unusable input."""
    from opsdocs.sources.files import connect, detect_format, expand_files, safe_message

    if not documents:
        raise InputError(
            "no cost document in the workspace", hint="create one: opsdocs new cost <scope>"
        )
    patterns = list(sources) or [p for d in documents for p in d.spec.sources]
    if not patterns:
        raise InputError(
            "no billing export to read",
            path=workspace.relative(documents[0].path),
            hint="list FOCUS exports under 'sources:' or pass --source",
        )
    columns = {d.spec.cost_column for d in documents}
    if len(columns) > 1:
        raise InputError(
            "the cost documents sum different cost columns",
            path=workspace.relative(documents[0].path),
            hint="use one cost_column (BilledCost or EffectiveCost) in every cost document",
        )
    cost = columns.pop()
    _refuse_shared_budgets(workspace, documents)
    rates = _rates(documents, workspace)
    fileset = expand_files(workspace.root, patterns, where="sources")
    if not fileset.files:
        raise InputError("sources: every matched file is empty", hint="check the export")
    fmt = detect_format(fileset.files, where="sources")
    if fmt not in ("csv", "parquet"):
        raise InputError(
            f"sources: {fmt} files are not FOCUS exports", hint="give CSV or Parquet files"
        )

    days = calendar.monthrange(month.year, month.month)[1]
    end = month + dt.timedelta(days=days)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    keys = _tag_keys(documents)
    window = (
        dt.datetime.combine(previous, dt.time(), dt.UTC),
        dt.datetime.combine(end, dt.time(), dt.UTC),
    )
    con = connect()
    import duckdb

    try:
        layout = _check_columns(con, fileset.files, fmt, cost, workspace)
        rows, counts = _scan(con, fileset.files, fmt, cost, keys, window, layout)
        if fmt == "csv":
            _refuse_rejects(con, workspace.root)
        _refuse_bad_rows(con, fileset.files, fmt, cost, counts, layout, workspace)
    except duckdb.Error as exc:
        raise InputError(
            f"sources: cannot read the exports: {safe_message(exc)}", hint="check the files"
        ) from None
    finally:
        con.close()
    return _summarise(
        workspace, documents, rows, keys, month, previous, days, rates, count_requests
    )


def _refuse_shared_budgets(workspace: Workspace, documents: Sequence[CostDocument]) -> None:
    """A budget name is an owner: in two documents, it would own the same lines twice (each
    document's line showing the whole spend). DocumentError at the second one."""
    from opsdocs.errors import DocumentError

    first: dict[str, Path] = {}
    for doc in documents:
        for index, budget in enumerate(doc.spec.budgets):
            where = first.setdefault(budget.name, doc.path)
            if where != doc.path:
                raise DocumentError.at(
                    doc.doc,
                    ("budgets", index, "name"),
                    f"budgets[{index}].name: budget {budget.name!r} is also in "
                    f"{workspace.relative(where)}",
                    hint="give each owner one budget, in one cost document",
                )


def _refuse_rejects(con: Any, root: Path) -> None:
    from opsdocs.sources.files import csv_rejects

    rejected, where = csv_rejects(con, root)
    if not rejected:
        return
    path, line = where.rsplit(":", 1) if where else (None, None)
    raise InputError(
        f"{rejected} row{'s' if rejected != 1 else ''} cannot be read as CSV",
        path=path,
        line=int(line) if line else None,
        hint="every row needs the header's number of fields",
    )


def _cents(amount: Decimal | None) -> Decimal:
    return (amount or Decimal(0)).quantize(_CENT)


def _json_key(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _currency(
    workspace: Workspace,
    documents: Sequence[CostDocument],
    found: set[str],
    rates: dict[str, Decimal],
) -> tuple[str, dict[str, Decimal]]:
    """The report's currency and the rates that convert the others into it."""
    target = documents[0].spec.currency
    foreign = found - {target}
    if not foreign - set(rates):
        currency, converted = target, {c: rates[c] for c in sorted(foreign)}
    elif len(found) == 1:
        currency, converted = next(iter(found)), {}
    else:
        missing = ", ".join(sorted(foreign - set(rates)))
        raise InputError(
            f"BillingCurrency: the export mixes currencies {', '.join(sorted(found))}",
            hint=f"give exchange_rates for {missing} into {target} in the cost document, "
            "or export one currency",
        )
    for doc in documents:
        for budget in doc.spec.budgets:
            wanted = budget.currency or doc.spec.currency
            if wanted != currency:
                raise InputError(
                    f"budget {budget.name!r} is in {wanted} but the export bills in {currency}",
                    path=workspace.relative(doc.path),
                    hint="give the budget in the billing currency",
                )
    return currency, converted


def _summarise(
    workspace: Workspace,
    documents: Sequence[CostDocument],
    rows: list[tuple[Any, ...]],
    keys: list[str],
    start: dt.date,
    previous: dt.date,
    days: int,
    rates: dict[str, Decimal],
    count_requests: RequestCounter | None,
) -> CostReport:
    """The month's report from the scan's rows; each unit metric's requests are counted over
    the days with data (none counted without ``count_requests``, or before the first day)."""
    from opsdocs.cost.anomaly import find_anomalies

    this_month = [r for r in rows if r[0] >= start]
    found = {str(r[2]) for r in this_month if r[2] is not None}
    currency, converted = _currency(workspace, documents, found, rates)
    budgets = [b for d in documents for b in d.spec.budgets]
    this_days = [r[0] for r in this_month]
    elapsed = (max(this_days) - start).days + 1 if this_days else 0
    owned: dict[str | None, Decimal] = {}
    now: dict[str, Decimal] = {}
    before: dict[str, Decimal] = {}
    by_day: dict[str | None, dict[dt.date, Decimal]] = {}
    total = Decimal(0)
    for row in rows:
        day, service, amount = row[0], str(row[1] or ""), Decimal(row[-1] or 0)
        if row[2] is not None and str(row[2]) in converted:
            amount *= converted[str(row[2])]
        owner = _owner(dict(zip(keys, row[3:-1], strict=True)), budgets)
        days_of = by_day.setdefault(owner, {})
        days_of[day] = days_of.get(day, Decimal(0)) + amount
        if day >= start:
            owned[owner] = owned.get(owner, Decimal(0)) + amount
            now[service] = now.get(service, Decimal(0)) + amount
            total += amount
        elif (day - previous).days < elapsed:
            before[service] = before.get(service, Decimal(0)) + amount
    lines = []
    counted_until = dt.datetime.combine(start + dt.timedelta(days=elapsed), dt.time(), dt.UTC)
    for doc in documents:
        for budget in doc.spec.budgets:
            spent = owned.get(budget.name, Decimal(0))
            forecast = spent if elapsed in (0, days) else spent * days / elapsed
            requests = None
            if budget.unit is not None and count_requests is not None and elapsed:
                requests = count_requests(budget.unit.slo, counted_until, elapsed * 86400)
            lines.append(
                BudgetLine(
                    name=budget.name,
                    document=doc.path.name,
                    month_to_date=spent.quantize(_CENT),
                    forecast=forecast.quantize(_CENT),
                    budget=budget.monthly.quantize(_CENT),
                    threshold=budget.threshold or doc.spec.threshold,
                    unit_slo=budget.unit.slo if budget.unit else None,
                    unit_per=budget.unit.per if budget.unit else 1_000_000,
                    requests=requests,
                    path=doc.path,
                )
            )
    movers = [
        Mover(name, _cents(now.get(name)), _cents(before.get(name)))
        for name in set(now) | set(before)
    ]
    movers.sort(key=lambda m: (-abs(m.change), m.service))
    limits = [d.spec.untagged_max for d in documents if d.spec.untagged_max is not None]
    series_names = [b.name for b in budgets] + [UNTAGGED]
    series = {name: by_day.get(None if name == UNTAGGED else name, {}) for name in series_names}
    first = min((r[0] for r in rows), default=start)
    month_days = [start + dt.timedelta(days=i) for i in range(days)]
    return CostReport(
        month=start.strftime("%Y-%m"),
        currency=currency,
        days_elapsed=elapsed,
        days_in_month=days,
        total=_cents(total),
        untagged=_cents(owned.get(None)),
        untagged_max=min(limits) if limits else None,
        budgets=lines,
        movers=[m for m in movers[:_MOVERS] if m.change],
        anomalies=find_anomalies(series, first=first, start=start, elapsed=elapsed),
        daily={
            name: [_cents(values.get(day)) for day in month_days] for name, values in series.items()
        },
        converted=converted,
    )
