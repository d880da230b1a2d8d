"""The temporary Prefect API's own process (run by flows.api as ``python -m flows.temporary_api FD``).

It decides, with Prefect's settings as the command would read them, whether the command needs a
temporary API at all (not when a server is configured); if so it seeds a new Prefect home's
database (flows.prefect_home), picks a free loopback port, tells the command on file descriptor
FD, and becomes the API: uvicorn serving Prefect's public ``create_app``, as Prefect runs its own,
with the settings of ``temporary_api_settings``. Importing Prefect to decide takes ~1.5 s: here it
is done beside the command's own start, not before the API can begin to start, and only once
(the API needs it loaded anyway).
"""

import json
import logging
import os
import socket
import sys

from prefect.context import refresh_global_settings_context
from prefect.settings import (PREFECT_API_BLOCKS_REGISTER_ON_START, PREFECT_API_URL,
                              PREFECT_SERVER_ALLOW_EPHEMERAL_MODE, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
                              PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE, get_current_settings,
                              temporary_settings)

from flows.api import CONFIGURED
from flows.prefect_home import Seeded, seed

#: What Prefect sets for the temporary API it starts: no UI, the services of an ephemeral server only.
_AS_PREFECT_STARTS_IT = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}



def temporary_api_settings(seeded: Seeded) -> dict:
    """The temporary API's own settings, each with why (Prefect's documented settings, set for its process only)."""
    settings = {
        # Task runs are recorded from the events their flow run sends, by default one transaction per event
        # (~190 in a demo, each two selects, an upsert and an insert): in batches of up to 100, or what came
        # in the last 5 s (..._FLUSH_INTERVAL), the same rows take ~45 transactions instead of ~225 and
        # ~1.9 s less of its CPU over a 62-task run (bench/bench_prefect.py --sql). Nobody watches this
        # API live (no UI, a random port); what is still waiting is written as it stops.
        PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE: 100,
    }
    if seeded.catalogue:  # copied in with this Prefect's block catalogue: registering it again is ~1 s of start-up
        settings[PREFECT_API_BLOCKS_REGISTER_ON_START] = False
    return settings


def environment(settings: dict) -> dict[str, str]:
    """The API process's environment: the command's, its Prefect settings (from its profile too), ``settings``
    on top, and what Prefect sets for the temporary API it starts; its URL is its own."""
    with temporary_settings(settings):
        env = {**os.environ, **_AS_PREFECT_STARTS_IT, **get_current_settings().to_environment_variables(exclude_unset=True)}
    env.pop("PREFECT_API_URL", None)
    return env


def _seed_database() -> Seeded:
    """A new Prefect home gets a copy of an already-migrated database (flows.prefect_home), saving the
    migrations' seconds; any failure leaves Prefect to create it as it always does."""
    try:
        return seed()
    except Exception as exc:  # only a saving: never a reason not to start
        logging.getLogger(__name__).debug("Prefect's database was not seeded: %s", exc)
        return Seeded()


def _free_port() -> int:
    """A loopback port free now (the system's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(fd: int) -> None:
    with os.fdopen(fd, "w") as command:
        if PREFECT_API_URL.value() or not PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value():
            command.write(CONFIGURED + "\n")
            return
        seeded = _seed_database()
        env = environment(temporary_api_settings(seeded))
        port = _free_port()
        command.write(json.dumps({"port": port, "keep": str(seeded.keep) if seeded.keep else None,
                                  "timeout": PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()}) + "\n")
    # This process becomes the API (so the command that started it watches and stops the API itself), with
    # Prefect loaded once: as `uvicorn --factory prefect.server.api.server:create_app` would run it.
    os.environ.update(env)
    os.environ.pop("PREFECT_API_URL", None)
    refresh_global_settings_context()
    import uvicorn

    uvicorn.run("prefect.server.api.server:create_app", factory=True, host="127.0.0.1", port=port, log_level="error",
                lifespan="on")


if __name__ == "__main__":
    main(int(sys.argv[1]))
