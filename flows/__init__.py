"""Prefect wiring for the SCS refresh: thin tasks around domain functions, short flows."""
