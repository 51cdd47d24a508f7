"""The cost report: FOCUS 1.x billing exports measured against the budgets of the cost documents.

The exports are read in place with DuckDB (:mod:`opsdocs.sources.files`); costs are summed as
``DECIMAL(38, 10)`` so totals are exact to the cent. One query groups the month and the month
before by day, ``ServiceName``, currency and the tag values the budgets look at; Python then gives
each group to the first budget (in document order) whose tags it carries. The forecast is linear:
month to date divided by the days with data so far, times the days of the month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.errors import DocumentError, InputError

if TYPE_CHECKING:
    from opsdocs.cost.spec import Budget, CostFrontMatter
    from opsdocs.documents.parse import Document
    from opsdocs.workspace import Workspace

__all__ = [
    "REQUIRED_COLUMNS",
    "BudgetLine",
    "CostDocument",
    "CostReport",
    "Mover",
    "build_report",
    "load_cost_documents",
    "parse_month",
]

#: FOCUS columns every export must have (besides the cost column the document chooses).
REQUIRED_COLUMNS = ("BillingCurrency", "ChargePeriodStart", "ServiceName", "Tags")
_CENT = Decimal("0.01")
_DECIMAL = "DECIMAL(38, 10)"
_MOVERS = 5
_HINT = "see docs/cost.md"


@dataclass(frozen=True)
class CostDocument:
    """A cost document's path and its validated front matter."""

    path: Path
    spec: CostFrontMatter


@dataclass(frozen=True)
class BudgetLine:
    """One budget owner's month."""

    name: str
    document: str
    month_to_date: Decimal
    forecast: Decimal
    budget: Decimal
    threshold: Decimal  # percent

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

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "document": self.document,
            "month_to_date": str(self.month_to_date),
            "forecast": str(self.forecast),
            "budget": str(self.budget),
            "variance": str(self.variance),
            "forecast_percent": str(self.forecast_percent),
            "threshold_percent": str(self.threshold),
            "over_threshold": self.over_threshold,
        }


@dataclass(frozen=True)
class Mover:
    """A FOCUS ``ServiceName`` whose spend changed most against the same days of last month."""

    service: str
    current: Decimal
    previous: Decimal

    @property
    def change(self) -> Decimal:
        return self.current - self.previous

    def as_dict(self) -> dict[str, str]:
        return {
            "service": self.service,
            "current": str(self.current),
            "previous": str(self.previous),
            "change": str(self.change),
        }


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

    @property
    def untagged_percent(self) -> Decimal:
        if not self.total:
            return Decimal(0)
        return (self.untagged * 100 / self.total).quantize(Decimal("0.1"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "currency": self.currency,
            "days_elapsed": self.days_elapsed,
            "days_in_month": self.days_in_month,
            "forecast_method": "linear",
            "total": str(self.total),
            "untagged": str(self.untagged),
            "untagged_percent": str(self.untagged_percent),
            "budgets": [b.as_dict() for b in self.budgets],
            "movers": [m.as_dict() for m in self.movers],
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
    from pydantic import ValidationError

    from opsdocs.cost.spec import CostFrontMatter

    data = doc.require_front_matter()
    try:
        spec = CostFrontMatter.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        line, col = doc.position(loc)
        key = ".".join(str(p) for p in loc)
        message = str(first["msg"]).removeprefix("Value error, ")
        raise DocumentError(
            f"{key}: {message}" if key else message, path=doc.path, line=line, col=col, hint=_HINT
        ) from None
    return CostDocument(doc.path, spec)


def load_cost_documents(workspace: Workspace) -> list[CostDocument]:
    """Every cost document of the workspace, validated, sorted by path."""
    from opsdocs.documents.folder import document_paths
    from opsdocs.documents.parse import read_document

    return [read_cost_document(read_document(p)) for p in sorted(document_paths(workspace, "cost"))]


def _columns(con: Any, files: Sequence[str], fmt: str) -> set[str]:
    from opsdocs.sources.files import csv_header, parquet_relation

    if fmt == "csv":
        return set(csv_header(files[0]))
    rows = con.execute(f"DESCRIBE SELECT * FROM {parquet_relation()}", [[files[0]]]).fetchall()
    return {str(r[0]) for r in rows}


def _relation(fmt: str, param: str = "?") -> str:
    from opsdocs.sources.files import csv_relation, parquet_relation

    return csv_relation(param) if fmt == "csv" else parquet_relation(param)


def _check_file(con: Any, path: str, fmt: str, cost: str, shown: str) -> None:
    """Refuse a file missing FOCUS columns, with non-numeric or negative costs, or bad dates."""
    from opsdocs.sources.files import csv_rejects, run_query

    found = _columns(con, [path], fmt)
    missing = [c for c in (cost, *REQUIRED_COLUMNS) if c not in found]
    if missing:
        raise InputError(
            f"missing FOCUS column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            path=shown,
            hint="export the billing data as FOCUS 1.x",
        )
    rows = run_query(
        con,
        f"SELECT count(*) FILTER (WHERE TRY_CAST({cost} AS {_DECIMAL}) IS NULL"
        f" AND NULLIF(trim(CAST({cost} AS VARCHAR)), '') IS NOT NULL),"
        f" count(*) FILTER (WHERE TRY_CAST({cost} AS {_DECIMAL}) < 0),"
        " count(*) FILTER (WHERE TRY_CAST(ChargePeriodStart AS TIMESTAMPTZ) IS NULL)"
        f" FROM {_relation(fmt)}",
        [[path]],
    )
    bad, negative, dates = rows[0]
    if fmt == "csv":
        rejected, where = csv_rejects(con, Path(path).parent)
        if rejected:
            line = int(where.rsplit(":", 1)[1]) if where else None
            raise InputError(
                f"{rejected} row{'s' if rejected > 1 else ''} cannot be read as CSV",
                path=shown,
                line=line,
                hint="every row needs the header's number of fields",
            )
    if bad:
        raise InputError(
            f"{cost}: {bad} value{'s' if bad > 1 else ''} not a number",
            path=shown,
            hint="costs are decimal numbers such as 12.34",
        )
    if negative:
        raise InputError(
            f"{cost}: {negative} negative value{'s' if negative > 1 else ''}",
            path=shown,
            hint="credits and refunds are not supported yet; leave them out of the export",
        )
    if dates:
        raise InputError(
            f"ChargePeriodStart: {dates} value{'s' if dates > 1 else ''} not a time",
            path=shown,
            hint="FOCUS times are ISO 8601, e.g. 2026-05-01T00:00:00Z",
        )


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


def build_report(
    workspace: Workspace,
    documents: Sequence[CostDocument],
    month: dt.date,
    *,
    sources: Sequence[str] = (),
) -> CostReport:
    """``month`` (its first day) of the exports named by ``sources`` (default: the documents'
    own) against the budgets of ``documents``. InputError on unusable input."""
    from opsdocs.sources.files import connect, detect_format, expand_files, run_query, safe_message

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
    fileset = expand_files(workspace.root, patterns, where="sources")
    if not fileset.files:
        raise InputError("sources: every matched file is empty", hint="check the export")
    fmt = detect_format(fileset.files, where="sources")
    if fmt not in ("csv", "parquet"):
        raise InputError(
            f"sources: {fmt} files are not FOCUS exports", hint="give CSV or Parquet files"
        )
    con = connect()
    import duckdb

    try:
        for path in fileset.files:
            _check_file(con, path, fmt, cost, str(workspace.relative(Path(path))))
        start = month
        days = calendar.monthrange(month.year, month.month)[1]
        end = month + dt.timedelta(days=days)
        previous = (month - dt.timedelta(days=1)).replace(day=1)
        keys = _tag_keys(documents)
        tag_sql = "".join(f", json_extract_string(Tags, ${i + 4})" for i in range(len(keys)))
        rows = run_query(
            con,
            "SELECT CAST(CAST(ChargePeriodStart AS TIMESTAMPTZ) AS DATE) AS day, ServiceName,"
            f" BillingCurrency{tag_sql}, sum(CAST({cost} AS {_DECIMAL}))"
            f" FROM {_relation(fmt, '$1')}"
            " WHERE CAST(ChargePeriodStart AS TIMESTAMPTZ) >= $2"
            " AND CAST(ChargePeriodStart AS TIMESTAMPTZ) < $3"
            f" GROUP BY ALL",
            [
                list(fileset.files),
                dt.datetime.combine(previous, dt.time(), dt.UTC),
                dt.datetime.combine(end, dt.time(), dt.UTC),
                *("$." + _json_key(k) for k in keys),
            ],
        )
    except duckdb.Error as exc:
        raise InputError(
            f"sources: cannot read the exports: {safe_message(exc)}", hint="check the files"
        ) from None
    finally:
        con.close()
    return _summarise(documents, rows, keys, start, previous, days)


def _cents(amount: Decimal | None) -> Decimal:
    return (amount or Decimal(0)).quantize(_CENT)


def _json_key(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _summarise(
    documents: Sequence[CostDocument],
    rows: list[tuple[Any, ...]],
    keys: list[str],
    start: dt.date,
    previous: dt.date,
    days: int,
) -> CostReport:
    currencies = {str(r[2]) for r in rows if r[2] is not None}
    if len(currencies) > 1:
        raise InputError(
            f"BillingCurrency: the export mixes currencies {', '.join(sorted(currencies))}",
            hint="convert the export to one currency first",
        )
    budgets = [b for d in documents for b in d.spec.budgets]
    currency = currencies.pop() if currencies else documents[0].spec.currency
    for doc in documents:
        for budget in doc.spec.budgets:
            wanted = budget.currency or doc.spec.currency
            if wanted != currency:
                raise InputError(
                    f"budget {budget.name!r} is in {wanted} but the export bills in {currency}",
                    path=doc.path,
                    hint="give the budget in the billing currency",
                )
    this_days = [r[0] for r in rows if r[0] >= start]
    elapsed = (max(this_days) - start).days + 1 if this_days else 0
    owned: dict[str | None, Decimal] = {}
    now: dict[str, Decimal] = {}
    before: dict[str, Decimal] = {}
    total = Decimal(0)
    for row in rows:
        day, service, amount = row[0], str(row[1] or ""), Decimal(row[-1] or 0)
        if day >= start:
            owner = _owner(dict(zip(keys, row[3:-1], strict=True)), budgets)
            owned[owner] = owned.get(owner, Decimal(0)) + amount
            now[service] = now.get(service, Decimal(0)) + amount
            total += amount
        elif (day - previous).days < elapsed:
            before[service] = before.get(service, Decimal(0)) + amount
    lines = []
    for doc in documents:
        for budget in doc.spec.budgets:
            spent = owned.get(budget.name, Decimal(0))
            forecast = spent if elapsed in (0, days) else spent * days / elapsed
            lines.append(
                BudgetLine(
                    name=budget.name,
                    document=doc.path.name,
                    month_to_date=spent.quantize(_CENT),
                    forecast=forecast.quantize(_CENT),
                    budget=budget.monthly.quantize(_CENT),
                    threshold=budget.threshold or doc.spec.threshold,
                )
            )
    movers = [
        Mover(
            name,
            now.get(name, Decimal(0)).quantize(_CENT),
            before.get(name, Decimal(0)).quantize(_CENT),
        )
        for name in set(now) | set(before)
    ]
    movers.sort(key=lambda m: (-abs(m.change), m.service))
    limits = [d.spec.untagged_max for d in documents if d.spec.untagged_max is not None]
    return CostReport(
        month=start.strftime("%Y-%m"),
        currency=currency,
        days_elapsed=elapsed,
        days_in_month=days,
        total=total.quantize(_CENT),
        untagged=owned.get(None, Decimal(0)).quantize(_CENT),
        untagged_max=min(limits) if limits else None,
        budgets=lines,
        movers=[m for m in movers[:_MOVERS] if m.change],
    )
