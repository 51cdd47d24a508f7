"""SLO reports: how each SLO stands at one evaluation time, from request logs or Prometheus.

``find_slos`` picks the SLOs, ``report_slos`` measures them (``sources/logs.py`` with DuckDB,
``sources/prometheus.py`` over the HTTP API) and builds an :class:`SloReport` each;
``render.py`` and ``charts.py`` turn reports into text, Markdown and charts. DuckDB, httpx and
matplotlib are imported only by the functions that use them.
"""

from opsdocs.reports.collect import SloTarget, find_slos, parse_at, report_slos
from opsdocs.reports.measurement import Counts, Measurement, Step
from opsdocs.reports.report import AlertCheck, SloReport, WindowReport, build_report

__all__ = [
    "AlertCheck",
    "Counts",
    "Measurement",
    "SloReport",
    "SloTarget",
    "Step",
    "WindowReport",
    "build_report",
    "find_slos",
    "parse_at",
    "report_slos",
]
