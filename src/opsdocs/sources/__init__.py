"""Data sources shared by the features that measure things.

``prometheus.py`` is a client of the Prometheus HTTP query API (instant and range queries, typed
samples and series, a total deadline per query, a response size cap); ``files.py`` reads data
files in place with DuckDB (CSV, JSON Lines, Parquet, gzip, globs). Neither knows about SLOs:
``opsdocs.reports`` maps them onto SLO measurements, and capacity and cost reports can do the same.
"""
