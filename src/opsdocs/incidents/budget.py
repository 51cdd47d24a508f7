"""How much error budget an incident consumed: a small hook that ``resolve`` calls.

An estimator takes a service and the incident's window (start, end) and returns, per SLO of the
service, the share of the error budget consumed, or the reason it could not say. The default
estimator finds the service's SLO documents through the kind registry and measures each SLO
with the reports package from the configured source (request logs, or Prometheus): the bad
events in the window over the error budget of the SLO period that ends with the incident. When
there is no SLO, no source for it, or no events, it says exactly that, and ``resolve`` records
the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsdocs.documents.folder import document_paths
from opsdocs.documents.parse import read_document
from opsdocs.errors import InputError, OpsdocsError

if TYPE_CHECKING:
    from opsdocs.reports.collect import SloTarget
    from opsdocs.reports.settings import ReportSettings
    from opsdocs.workspace import Workspace

__all__ = ["BudgetEstimator", "BudgetShare", "default_estimator", "slo_documents_for"]


@dataclass(frozen=True)
class BudgetShare:
    """The share (0.25 = a quarter) of one SLO's error budget, or why it is unknown."""

    service: str
    slo: str | None = None  # the SLO document, relative to the workspace root
    share: float | None = None
    reason: str | None = None

    def as_record(self) -> dict[str, Any]:
        share = None if self.share is None else round(self.share, 6)
        record = {"service": self.service, "slo": self.slo, "share": share, "reason": self.reason}
        return {key: value for key, value in record.items() if value is not None}

    def describe(self) -> str:
        """One line for people: the share consumed, or why it is unknown."""
        slo = f" ({self.slo})" if self.slo else ""
        if self.share is not None:
            return f"error budget, {self.service}{slo}: {self.share * 100:.2f}% consumed"
        return f"error budget, {self.service}{slo}: unknown ({self.reason})"


#: (service, start, end) -> one BudgetShare per SLO of the service (at least one).
BudgetEstimator = Callable[[str, dt.datetime, dt.datetime], list[BudgetShare]]


def slo_documents_for(workspace: Workspace, service: str) -> list[str]:
    """SLO documents whose front matter names ``service`` (paths relative to the root)."""
    found: list[str] = []
    for path in document_paths(workspace, "slo"):
        try:
            doc = read_document(path)
        except InputError:
            continue
        if doc.get("service") == service:
            found.append(workspace.relative(path))
    return found


def default_estimator(workspace: Workspace) -> BudgetEstimator:
    """The estimator for ``workspace``: SLO documents + the configured report source."""

    def estimate(service: str, start: dt.datetime, end: dt.datetime) -> list[BudgetShare]:
        slos = slo_documents_for(workspace, service)
        if not slos:
            return [BudgetShare(service, reason=f"no SLO for service {service}")]
        return _measured_shares(workspace, service, slos, start, end)

    return estimate


def _measured_shares(
    workspace: Workspace, service: str, documents: list[str], start: dt.datetime, end: dt.datetime
) -> list[BudgetShare]:
    """Shares measured by the reports package.

    The share is the bad events between ``start`` and ``end`` over the error budget of the SLO
    period that ends at ``end``: ``bad / ((1 - objective) × total events in the period)``.
    """
    from opsdocs.reports.collect import find_slos
    from opsdocs.reports.settings import load_report_settings

    try:
        targets = [t for t in find_slos(workspace) if t.service == service]
        settings = load_report_settings(
            workspace.config.section("report"), source=workspace.config.source_label
        )
    except OpsdocsError as exc:
        return [BudgetShare(service, reason=str(exc))]
    if not targets:
        return [
            BudgetShare(service, slo=doc, reason="the SLO document defines no objectives ('slos')")
            for doc in documents
        ]
    window = max(1, int((end - start).total_seconds()))
    shares: list[BudgetShare] = []
    for target in targets:
        try:
            share, reason = _measure_one(workspace, target, settings, end, window)
        except OpsdocsError as exc:
            share, reason = None, str(exc)
        shares.append(BudgetShare(service, slo=target.key, share=share, reason=reason))
    return shares


def _measure_one(
    workspace: Workspace,
    target: SloTarget,
    settings: ReportSettings,
    end: dt.datetime,
    window: int,
) -> tuple[float | None, str | None]:
    from opsdocs.reports.collect import measure_target, open_prometheus

    slo = target.slo
    if settings.source == "prometheus":
        if not settings.prometheus_url:
            return None, "no report source configured (report.prometheus_url is not set)"
        with open_prometheus(settings) as client:
            measurement = measure_target(workspace, target, at=end, windows=[window], client=client)
    else:
        if slo.logs is None:
            return None, f"no report source configured (SLO {target.key} has no 'logs' mapping)"
        measurement = measure_target(workspace, target, at=end, windows=[window])
    incident = measurement.windows.get(window)
    period = measurement.windows.get(slo.period_seconds)
    bad = incident.bad if incident is not None else None
    if bad is None and incident is not None and incident.total is not None:
        ratio = incident.ratio()
        bad = ratio * incident.total if ratio is not None else None
    total = period.total if period is not None else None
    if not total:
        return None, f"no events for SLO {target.key} in its period"
    if incident is None or not incident.total or bad is None:
        # No traffic while the incident lasted (or the data ends before it): a 0 % share would
        # claim the incident cost nothing, which the data cannot say.
        return None, f"no events for SLO {target.key} while the incident lasted"
    budget = slo.budget * total
    if budget <= 0:
        return None, f"SLO {target.key} has no error budget (objective 100%)"
    return bad / budget, None
