"""`scs serve`: the daily tick as a Prefect deployment on a cron schedule in London time.

Only a real Prefect server schedules runs (the temporary one a lone flow call starts cannot),
so serving refuses, with the commands to run, when none is configured or none answers.
"""

from collections.abc import Callable
from typing import Any

from prefect.client.orchestration import get_client
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL

from flows.daily import daily_tick
from scs_refresh.core.dates import TIMEZONE
from scs_refresh.core.errors import UserError

START_A_SERVER = ("start one with `prefect server start` and, in this terminal, "
                  "`export PREFECT_API_URL=http://127.0.0.1:4200/api`")


def api_url() -> str:
    """The configured Prefect API, checked to answer."""
    url = PREFECT_API_URL.value()
    if not url:
        raise UserError(f"PREFECT_API_URL is not set, and a schedule needs a running Prefect server: {START_A_SERVER}")
    with get_client(sync_client=True) as client:
        if client.api_healthcheck() is not None:
            raise UserError(f"no Prefect server answers at PREFECT_API_URL={url}: {START_A_SERVER}")
    return url


def serve(name: str, cron: str, parameters: dict[str, Any], say: Callable[[str], None]) -> None:
    """Register the deployment and run its scheduled ticks here until Ctrl-C or SIGTERM."""
    try:
        schedule = Cron(cron, timezone=TIMEZONE)
    except ValueError as exc:
        raise UserError(f"--cron: {exc}") from None
    url = api_url()
    deployment = f"{daily_tick.name}/{name}"
    say(f"serving the daily tick as '{deployment}' on '{cron}' ({TIMEZONE}) against {url}")
    try:  # Ctrl-C returns and SIGTERM exits (Prefect's handler); both pause the schedule first
        # One tick at a time: two at once would both find the same actions not yet done.
        daily_tick.serve(name=name, schedule=schedule, parameters=parameters, limit=1, print_starting_message=False)
    finally:
        say(f"stopped serving '{deployment}'; its schedule is paused until `scs serve` runs again")
