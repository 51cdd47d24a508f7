"""How much error budget an incident consumed: a small hook that ``resolve`` calls.

An estimator takes a service and the incident's window (start, end) and returns, per SLO of the
service, the share of the error budget consumed, or the reason it could not say. The default
estimator finds the service's SLO documents through the kind registry and asks the configured
report source; when there is no SLO document, or no report source, or this opsdocs has no
reports package, it says exactly that, and ``resolve`` records the reason.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsdocs.errors import InputError, OpsdocsError

if TYPE_CHECKING:
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
        record: dict[str, Any] = {"service": self.service}
        if self.slo is not None:
            record["slo"] = self.slo
        if self.share is not None:
            record["share"] = round(self.share, 6)
        if self.reason is not None:
            record["reason"] = self.reason
        return record


#: (service, start, end) -> one BudgetShare per SLO of the service (at least one).
BudgetEstimator = Callable[[str, dt.datetime, dt.datetime], list[BudgetShare]]


def slo_documents_for(workspace: Workspace, service: str) -> list[str]:
    """SLO documents whose front matter names ``service`` (paths relative to the root)."""
    found: list[str] = []
    for path in workspace.document_paths("slo"):
        try:
            from opsdocs.documents.parse import read_document

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
        report = workspace.config.section("report")
        if not report.get("source") and not report.get("sources"):
            return [
                BudgetShare(service, slo=slo, reason="no report source configured") for slo in slos
            ]
        hook = _reports_hook()
        if hook is None:
            return [
                BudgetShare(
                    service,
                    slo=slo,
                    reason="a report source is configured, but this opsdocs has no reports "
                    "package to query it",
                )
                for slo in slos
            ]
        shares: list[BudgetShare] = []
        for slo in slos:
            try:
                share = float(hook(workspace, slo, start, end))
            except OpsdocsError as exc:
                shares.append(BudgetShare(service, slo=slo, reason=exc.message))
            else:
                shares.append(BudgetShare(service, slo=slo, share=share))
        return shares

    return estimate


def _reports_hook() -> Callable[..., float] | None:
    """The reports package's ``incident_budget_share(workspace, slo, start, end) -> float``
    (raising an OpsdocsError that says why it cannot), if there is one."""
    try:
        module = importlib.import_module("opsdocs.reports")
    except ImportError:
        return None
    hook = getattr(module, "incident_budget_share", None)
    return hook if callable(hook) else None
