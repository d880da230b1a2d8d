"""`scs serve` and `scs deploy`: the daily tick on a cron schedule in London time, and the four
stage flows beside it for the officer to start from the Prefect UI with a date.

Only a real Prefect server schedules runs (the temporary one a lone flow call starts cannot),
so serving and deploying refuse, with the commands to run, when none is configured or none answers.
"""

from collections.abc import Callable
from typing import Any

from prefect import serve as serve_deployments
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL

from flows.daily import daily_tick
from flows.stages import STAGES
from scs_refresh.core.dates import TIMEZONE
from scs_refresh.core.errors import UserError

START_A_SERVER = ("start one with `prefect server start` and, in this terminal, "
                  "`export PREFECT_API_URL=http://127.0.0.1:4200/api`")

#: One tick of a council at a time: two at once would race for the same actions (the ledger's claims
#: are the first guard, this is the second). A run that finds the slot taken waits its turn.
ONE_TICK_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)


def api_url() -> str:
    """The configured Prefect API, checked to answer."""
    url = PREFECT_API_URL.value()
    if not url:
        raise UserError(f"PREFECT_API_URL is not set, and a schedule needs a running Prefect server: {START_A_SERVER}")
    with get_client(sync_client=True) as client:
        if client.api_healthcheck() is not None:
            raise UserError(f"no Prefect server answers at PREFECT_API_URL={url}: {START_A_SERVER}")
    return url


def _schedule(cron: str) -> Cron:
    try:
        return Cron(cron, timezone=TIMEZONE)
    except ValueError as exc:
        raise UserError(f"--cron: {exc}") from None


def council_deployments(name: str, cron: str, parameters: dict[str, Any], *,
                        by_module: bool = False) -> list[RunnerDeployment]:
    """A cycle's deployments, all named ``name``: the daily tick on its schedule, one tick at a time,
    and each stage flow to be started by hand (its ``on`` is the date the officer gives; none is today).

    The approval stage waits for each committee's decision (the form in the UI). ``by_module`` makes
    a worker import the flows from the installed package rather than from this file's path.
    """
    how = {"entrypoint_type": EntrypointType.MODULE_PATH} if by_module else {}
    tag = [f"council:{name}"]
    tick = daily_tick.to_deployment(name=name, schedule=_schedule(cron), parameters=parameters, tags=tag,
                                    concurrency_limit=ONE_TICK_AT_A_TIME, **how)
    stages = [flow.to_deployment(name=name, tags=tag, **how, parameters={
        **parameters, **({"wait_for_decisions": True} if stage == "approval" else {})})
        for stage, flow in STAGES.items()]
    return [tick, *stages]


def serve(name: str, cron: str, parameters: dict[str, Any], say: Callable[[str], None]) -> None:
    """Register the cycle's deployments and run their runs here until Ctrl-C or SIGTERM."""
    deployments = council_deployments(name, cron, parameters)
    url = api_url()
    say(f"serving the daily tick as '{daily_tick.name}/{name}' on '{cron}' ({TIMEZONE}) against {url}")
    say("and the stages, to start from the Prefect UI with a date: "
        + ", ".join(f"'{stage}/{name}'" for stage in STAGES))
    try:  # Ctrl-C returns and SIGTERM exits (Prefect's handler); both pause the schedule first
        serve_deployments(*deployments, print_starting_message=False)
    finally:
        say(f"stopped serving '{daily_tick.name}/{name}'; its schedule is paused until `scs serve` runs again")


def deploy(name: str, pool: str, cron: str, parameters: dict[str, Any], say: Callable[[str], None]) -> list[str]:
    """Register the cycle's deployments on ``pool`` (a pool of local processes, created when missing)
    for the workers there to run; returns their names."""
    deployments = council_deployments(name, cron, parameters, by_module=True)
    url = api_url()
    if _ensure_process_pool(pool):
        say(f"created the work pool '{pool}' (local processes): start a worker for it with "
            f"`prefect worker start --pool {pool}`")
    names = []
    for d in deployments:
        d.apply(work_pool_name=pool)
        names.append(f"{d.flow_name}/{d.name}")
    say(f"deployed {', '.join(names)} to '{pool}' against {url}; the daily tick runs on '{cron}' ({TIMEZONE}), "
        "one at a time")
    return names


def _ensure_process_pool(pool: str) -> bool:
    """Create ``pool`` as a pool of local processes unless it exists; True when created."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
            return False
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(
                name=pool, type=ProcessWorker.type,
                base_job_template=ProcessWorker.get_default_base_job_template()))
            return True
