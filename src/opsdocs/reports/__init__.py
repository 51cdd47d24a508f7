"""SLO reports: how each SLO stands at one evaluation time, from request logs or Prometheus.

``plan.plan_report`` is one run of ``opsdocs slo report``: the reports and the files to write.
``collect.find_slos`` picks the SLOs, ``collect.report_slos`` measures them (``sources/logs.py``
with DuckDB, ``sources/prometheus.py`` over the HTTP API) and builds a ``report.SloReport`` each;
``render.py`` and ``charts.py`` turn reports into text, Markdown and charts. DuckDB, httpx and
resvg are imported only by the functions that use them.
"""
