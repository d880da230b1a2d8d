"""SCS refresh pipeline: the domain (no Prefect here; see flows/ for the wiring)."""

__version__ = "0.1.0"
