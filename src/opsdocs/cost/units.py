"""The unit metric of a budget: the requests an SLO's indicator counts, measured the way
``opsdocs slo report`` measures them (request logs with DuckDB, or Prometheus), so that cost per
million requests and the SLO report count the same requests."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opsdocs.cost.report import RequestCounter
    from opsdocs.reports.settings import SourceName
    from opsdocs.sources.prometheus import PrometheusClient
    from opsdocs.workspace import Workspace

__all__ = ["request_counter"]


def request_counter(
    workspace: Workspace,
    *,
    source: SourceName | None = None,
    prometheus_url: str | None = None,
) -> tuple[RequestCounter, list[PrometheusClient]]:
    """A function counting an SLO's requests over a window, from ``source`` (default: the
    ``report.source`` setting), and the Prometheus clients it opened (for the caller to close).
    """
    clients: list[PrometheusClient] = []

    def count(selector: str, at: dt.datetime, seconds: int) -> float | None:
        # imported here: a report without unit metrics never loads the SLO machinery
        from opsdocs.reports.collect import find_slos, measure_target, open_prometheus
        from opsdocs.reports.settings import load_report_settings

        settings = load_report_settings(
            workspace.config.section("report"), source=workspace.config.source_label
        )
        chosen = source or settings.source
        target = find_slos(workspace, [selector])[0]  # service/slo names one SLO
        if chosen == "prometheus" and not clients:
            clients.append(open_prometheus(settings, prometheus_url))
        measurement = measure_target(
            workspace,
            target,
            at=at,
            windows=[seconds],
            client=clients[0] if clients else None,
        )
        return measurement.windows[seconds].total

    return count, clients
