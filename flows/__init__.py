"""Prefect wiring for the SCS refresh: tasks wrap domain functions, flows list the steps."""
