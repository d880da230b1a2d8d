"""The domain's log lines in the Prefect UI: each action's lines appear under its flow or task run.

The domain logs with the standard ``logging`` module (one logger per module under
``scs_refresh``) and knows nothing of Prefect; this routes those lines to the run's log, and
only inside a run, so a command outside any flow logs nowhere unless asked (``scs -v``).
"""

from __future__ import annotations

import logging

from prefect.context import FlowRunContext, TaskRunContext
from prefect.logging.handlers import APILogHandler

DOMAIN = "scs_refresh"


class RunLogHandler(APILogHandler):
    """Prefect's API log handler, for records logged inside a flow or task run only."""

    def emit(self, record: logging.LogRecord) -> None:
        if FlowRunContext.get() is None and TaskRunContext.get() is None:
            return
        super().emit(record)


def route_domain_logs() -> None:
    """Send the domain's INFO lines (and worse) to the run logs; done once per process."""
    domain = logging.getLogger(DOMAIN)
    if not any(isinstance(h, RunLogHandler) for h in domain.handlers):
        domain.addHandler(RunLogHandler())
    if domain.level == logging.NOTSET or domain.level > logging.INFO:
        domain.setLevel(logging.INFO)
    domain.propagate = False  # the officer's terminal shows them only with `scs -v`
