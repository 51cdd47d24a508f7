"""The real Prometheus of the report tests, for the unit cost counted from it."""

from tests.reports.conftest import prometheus

__all__ = ["prometheus"]
