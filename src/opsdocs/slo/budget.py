"""Error-budget arithmetic and the generated budget table of ``slo`` documents.

The table sits between ``<!-- opsdocs:budget:start -->`` and ``<!-- opsdocs:budget:end -->``.
For each SLO it shows the allowed share of bad events, the full-outage time that share allows per
period, per week and per day, and for each alert condition its burn rate, windows, the budget
spent when it fires and the time the whole budget lasts at that rate. Everything outside the
markers is kept byte for byte; :func:`update_budget_table` is pure, so ``index``,
``slo budget`` and ``check --fix`` can call it and write the result themselves. Which documents
get a table is decided in one place, :func:`budget_section`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.documents.blocks import BlockUpdate, as_written, write_block
from opsdocs.documents.parse import MAX_DOCUMENT_BYTES, Document, parse_document
from opsdocs.durations import format_duration, format_span
from opsdocs.errors import DocumentError
from opsdocs.fileio import read_regular
from opsdocs.slo.settings import SloSettings
from opsdocs.slo.spec import SloSection, SloSpec
from opsdocs.slo.windows import DEFAULT_WINDOWS, WindowPair, format_float

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = [
    "BUDGET_END",
    "BUDGET_START",
    "AlertBudget",
    "SloBudget",
    "budget_of",
    "budget_section",
    "budget_table_is_stale",
    "render_budget_table",
    "stale_budget_tables",
    "update_budget_table",
    "workspace_budget_tables",
]

BUDGET_START = "<!-- opsdocs:budget:start -->"
BUDGET_END = "<!-- opsdocs:budget:end -->"
_NOTE = "<!-- Generated from the front matter's slos by opsdocs; edit the SLOs, not this table. -->"
WEEK = 7 * 86400
DAY = 86400


@dataclass(frozen=True)
class AlertBudget:
    severity: str
    enabled: bool
    burn_rate: float
    short: int
    long: int
    spent_when_firing: float  # share of the period's budget, 0..1
    exhausted_after: float  # seconds until the whole budget is gone at this burn rate


@dataclass(frozen=True)
class SloBudget:
    budget: float  # share of events allowed to be bad, 0..1
    outage_per_period: float  # seconds of full outage the budget allows
    outage_per_week: float
    outage_per_day: float
    alerts: tuple[AlertBudget, ...]


def budget_of(slo: SloSpec, windows: Sequence[WindowPair] = DEFAULT_WINDOWS) -> SloBudget:
    """The budget numbers of one SLO."""
    period = slo.period_seconds
    budget = slo.budget
    alerts = tuple(
        AlertBudget(
            severity=pair.severity,
            enabled=getattr(slo.alerting, pair.severity).enabled,
            burn_rate=pair.factor(period),
            short=pair.short,
            long=pair.long,
            spent_when_firing=pair.factor(period) * pair.long / period,
            exhausted_after=period / pair.factor(period),
        )
        for pair in windows
    )
    return SloBudget(
        budget=budget,
        outage_per_period=budget * period,
        outage_per_week=budget * WEEK,
        outage_per_day=budget * DAY,
        alerts=alerts,
    )


def _percent(share: float) -> str:
    return f"{format_float(round(share * 100, 6))} %"


def render_budget_table(
    section: SloSection, windows: Sequence[WindowPair] = DEFAULT_WINDOWS
) -> str:
    """The Markdown between the markers (without them) for a document's SLOs."""
    out: list[str] = [_NOTE, ""]
    for slo in section.slos:
        b = budget_of(slo, windows)
        out += [
            f"**{slo.name}**: {format_float(slo.objective)} % over {slo.period}",
            "",
            f"| Error budget | Full outage per {slo.period} | Per week | Per day |",
            "| --- | --- | --- | --- |",
            f"| {_percent(b.budget)} of events | {format_span(b.outage_per_period)}"
            f" | {format_span(b.outage_per_week)} | {format_span(b.outage_per_day)} |",
            "",
            "| Alert | Burn rate | Windows (short / long) | Budget spent when it fires"
            " | Budget gone after |",
            "| --- | --- | --- | --- | --- |",
        ]
        for a in b.alerts:
            severity = a.severity if a.enabled else f"{a.severity} (disabled)"
            out.append(
                f"| {severity} | {format_float(round(a.burn_rate, 4))}×"
                f" | {format_duration(a.short)} / {format_duration(a.long)}"
                f" | {_percent(a.spent_when_firing)} | {format_span(a.exhausted_after)} |"
            )
        out.append("")
    return "\n".join(out)


def budget_section(doc: Document, settings: SloSettings | None = None) -> SloSection | None:
    """The SLOs ``doc``'s budget table shows, or None when the document gets no table (and a
    table it has is left as it is): it has no SLOs, or an error in its front matter or its SLOs,
    the schema's or the semantic checks' (an objective of 100, a period shorter than an alert
    window, PromQL that does not parse), as ``slo rules`` and ``check`` (SL001) report them.

    The one decision of ``index``, ``slo budget``, ``check --fix`` and ``slo import``.
    """
    from opsdocs.slo.rules import load_slo_document

    section = load_slo_document(doc, settings).section
    return section if section is not None and section.slos else None


def update_budget_table(doc: Document, settings: SloSettings | None = None) -> str:
    """The document's text with a current budget table (pure; unchanged text when
    :func:`budget_section` gives it none), for the windows of ``settings``.

    An existing table is replaced between its markers; a document with SLOs and no markers gets
    the table at the end of its "SLO Target" section (or at the end of the file). Raises
    :class:`DocumentError` for a marker that is repeated, alone or out of order.
    """
    settings = settings or SloSettings()
    section = budget_section(doc, settings)
    if section is None:
        return doc.text
    return write_block(
        doc,
        f"\n{render_budget_table(section, settings.window_pairs())}\n",
        section="SLO Target",
        start=BUDGET_START,
        end=BUDGET_END,
        add_section=False,
    )


def budget_table_is_stale(doc: Document, settings: SloSettings | None = None) -> bool:
    """Whether :func:`update_budget_table` would change the document."""
    return update_budget_table(doc, settings) != doc.text


def stale_budget_tables(
    paths: Sequence[Path], settings: SloSettings | None = None
) -> list[BlockUpdate]:
    """The ``slo`` documents among ``paths`` whose budget table is missing or out of date.

    Documents that cannot be read (over ``max_file_size`` too), that get no table
    (:func:`budget_section`) or whose markers are broken are skipped (``check`` reports them).
    """
    updates: list[BlockUpdate] = []
    for path in paths:
        try:  # within max_file_size, as every document is read
            raw = read_regular(path, MAX_DOCUMENT_BYTES).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        doc = parse_document(path, raw)
        try:
            new = update_budget_table(doc, settings)
        except DocumentError:
            continue
        if new != doc.text:
            updates.append(BlockUpdate(path, raw, as_written(raw, new), "error-budget table"))
    return updates


def workspace_budget_tables(workspace: Workspace) -> list[BlockUpdate]:
    """The stale budget tables of the workspace's ``slo`` documents (``opsdocs index``).

    Raises :class:`ConfigError` for an invalid ``slo`` configuration section.
    """
    from opsdocs.documents.folder import document_paths
    from opsdocs.slo.settings import load_settings

    settings = load_settings(workspace.config.section("slo"), source=workspace.config.source_label)
    return stale_budget_tables(document_paths(workspace, "slo"), settings)
