"""Prefect wiring for the SCS refresh: tasks wrap domain functions, flows list the steps."""

import os

# Before Prefect is imported: its telemetry cannot reach its host from a council network.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
