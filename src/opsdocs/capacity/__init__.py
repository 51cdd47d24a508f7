"""Capacity planning: resources measured from Prometheus or data files and forecast to the day
they cross their threshold and limit (``opsdocs capacity report``, ``backtest``, CP rules)."""
