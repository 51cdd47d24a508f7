"""Error-budget arithmetic and the generated budget table of ``slo`` documents.

The table sits between ``<!-- opsdocs:budget:start -->`` and ``<!-- opsdocs:budget:end -->``.
For each SLO it shows the allowed share of bad events, the full-outage time that share allows per
period, per week and per day, and for each alert condition its burn rate, windows, the budget
spent when it fires and the time the whole budget lasts at that rate. Everything outside the
markers is kept byte for byte; :func:`update_budget_table` is pure, so ``index`` and
``check --fix`` can call it and write the result themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opsdocs.documents.blocks import BlockUpdate, as_written, write_block
from opsdocs.documents.parse import Document, parse_document
from opsdocs.durations import format_duration, format_span
from opsdocs.errors import DocumentError
from opsdocs.slo.spec import SloSection, SloSpec
from opsdocs.slo.validate import load_front_matter
from opsdocs.slo.windows import DEFAULT_WINDOWS, WindowPair, format_float

if TYPE_CHECKING:
    from opsdocs.workspace import Workspace

__all__ = [
    "BUDGET_END",
    "BUDGET_START",
    "AlertBudget",
    "SloBudget",
    "budget_of",
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
    name: str
    objective: float
    period: str
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
        name=slo.name,
        objective=slo.objective,
        period=slo.period,
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


def _section_of(doc: Document) -> SloSection | None:
    if doc.front_matter is None:
        return None
    section, _ = load_front_matter(doc.front_matter)
    return section


def update_budget_table(doc: Document, windows: Sequence[WindowPair] = DEFAULT_WINDOWS) -> str:
    """The document's text with a current budget table (pure; unchanged text if no SLOs).

    An existing table is replaced between its markers; a document with SLOs and no markers gets
    the table at the end of its "SLO Target" section (or at the end of the file). Raises
    :class:`DocumentError` for a marker that is repeated, alone or out of order.
    """
    section = _section_of(doc)
    if section is None or not section.slos:
        return doc.text
    return write_block(
        doc,
        f"\n{render_budget_table(section, windows)}\n",
        section="SLO Target",
        start=BUDGET_START,
        end=BUDGET_END,
        add_section=False,
    )


def budget_table_is_stale(doc: Document, windows: Sequence[WindowPair] = DEFAULT_WINDOWS) -> bool:
    """Whether :func:`update_budget_table` would change the document."""
    return update_budget_table(doc, windows) != doc.text


def stale_budget_tables(
    paths: Sequence[Path], windows: Sequence[WindowPair] = DEFAULT_WINDOWS
) -> list[BlockUpdate]:
    """The ``slo`` documents among ``paths`` whose budget table is missing or out of date.

    Documents that cannot be read, whose SLOs are invalid or whose markers are broken are
    skipped (``check`` reports them).
    """
    updates: list[BlockUpdate] = []
    for path in paths:
        try:
            raw = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        doc = parse_document(path, raw)
        try:
            new = update_budget_table(doc, windows)
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

    windows = load_settings(
        workspace.config.section("slo"), source=workspace.config.source_label
    ).window_pairs()
    return stale_budget_tables(document_paths(workspace, "slo"), windows)
