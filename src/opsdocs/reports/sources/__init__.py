"""Where events come from: ``logs`` (DuckDB over request logs) and ``prometheus`` (HTTP API)."""
