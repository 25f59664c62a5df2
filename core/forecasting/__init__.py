"""Demand and consumption forecasts: weekly series from the snapshot (series), models, backtest and
choice (engine), background runs and their storage (runs), and reading a stored run (results)."""
