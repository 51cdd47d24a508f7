"""SLO reports: how each SLO stands at one evaluation time, from request logs or Prometheus.

``plan_report`` is one run of ``opsdocs slo report``: the reports and the files to write.
``find_slos`` picks the SLOs, ``report_slos`` measures them (``sources/logs.py`` with DuckDB,
``sources/prometheus.py`` over the HTTP API) and builds an :class:`SloReport` each;
``render.py`` and ``charts.py`` turn reports into text, Markdown and charts. DuckDB, httpx and
resvg are imported only by the functions that use them.
"""

from opsdocs.reports.collect import SloTarget, find_slos, report_slos
from opsdocs.reports.measurement import Counts, Measurement, Step
from opsdocs.reports.plan import ReportPlan, plan_report
from opsdocs.reports.report import AlertCheck, SloReport, WindowReport, build_report

__all__ = [
    "AlertCheck",
    "Counts",
    "Measurement",
    "ReportPlan",
    "SloReport",
    "SloTarget",
    "Step",
    "WindowReport",
    "build_report",
    "find_slos",
    "plan_report",
    "report_slos",
]
