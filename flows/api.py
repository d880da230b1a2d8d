"""Prefect's API for one command: the temporary one, started before it is needed.

Without a configured server (PREFECT_API_URL), Prefect starts a temporary API at the first flow
call and waits for it: several seconds on a fresh Prefect home (its database is created and
migrated). Started here, in the background, it comes up while the command loads the cycle. On a
new home seeded with the block catalogue (flows.prefect_home), it does not register the catalogue
again (~1 s of its start-up); it still records that it is registered, as it would have. The settings
it is started with, and why, are ``temporary_api_settings``: they are its own, never a configured
server's, nor the command's.

Prefect stops it when the command ends; a watchdog in its own session stops it when the command
is killed (kill -9 leaves no chance to clean up), so no API is left running after a crash.
"""

import logging
import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from prefect.settings import (PREFECT_API_BLOCKS_REGISTER_ON_START, PREFECT_API_URL,
                              PREFECT_SERVER_ALLOW_EPHEMERAL_MODE,
                              PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE, temporary_settings)

if TYPE_CHECKING:
    from flows.prefect_home import Seeded


def start_temporary_api() -> Callable[[], None]:
    """Start the temporary API now when one will be needed; the returned ``wait()`` blocks until it
    answers and raises, in the caller's thread, whatever stopped it from starting."""
    if PREFECT_API_URL.value() or not PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value():
        return lambda: None
    failed: list[BaseException] = []

    def start() -> None:
        try:
            seeded = _seed_database()
            from prefect.server.api.server import SubprocessASGIServer

            server = SubprocessASGIServer()
            spawn = getattr(server, "_run_uvicorn_command", None)
            if spawn is not None:  # watched from the moment it exists, even if it never answers
                server._run_uvicorn_command = lambda: watch(spawn())
            # The server process gets this thread's settings as its environment.
            with temporary_settings(temporary_api_settings(seeded)):
                server.start()
            if spawn is None:
                watch(server.server_process)
            _warm_up(server.api_url)
            if seeded.keep is not None:
                _keep_database(seeded.keep)
        except BaseException as exc:  # handed to wait(), which raises it where it can be reported
            failed.append(exc)

    starter = threading.Thread(target=start, name="prefect-api-start", daemon=True)
    starter.start()

    def wait() -> None:
        starter.join()
        if failed:
            raise failed[0]

    return wait


def temporary_api_settings(seeded: "Seeded") -> dict:
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


def _warm_up(api_url: str) -> None:
    """The API's first request costs it ~0.6 s of set-up (~1 s here): made now, in the background, the
    flow's first request (the same one: Prefect checks the API's version) does not wait for it."""
    import httpx

    try:
        httpx.get(f"{api_url}/admin/version", timeout=30)
    except httpx.HTTPError as exc:  # only a saving: the flow's own requests report a real failure
        logging.getLogger(__name__).debug("Prefect's API was not warmed up: %s", exc)


def _seed_database() -> "Seeded":
    """A new Prefect home gets a copy of an already-migrated database (flows.prefect_home), saving the
    migrations' seconds; any failure leaves Prefect to create it as it always does."""
    from flows.prefect_home import Seeded, seed

    try:
        return seed()
    except Exception as exc:  # only a saving: never a reason not to start
        logging.getLogger(__name__).debug("Prefect's database was not seeded: %s", exc)
        return Seeded()


def _keep_database(db: Path) -> None:
    """The first new home's migrated database, kept for the next (flows.prefect_home)."""
    from flows.prefect_home import keep

    try:
        keep(db)
    except Exception as exc:  # only a saving
        logging.getLogger(__name__).debug("Prefect's new database was not kept: %s", exc)


#: ends ``$1`` (if it is still Prefect's API) once process ``$0`` is gone; checks every 2 s
_WATCHDOG = ('while kill -0 "$0" 2>/dev/null; do sleep 2; done; '
             'grep -q uvicorn "/proc/$1/cmdline" 2>/dev/null && { kill "$1"; sleep 5; kill -9 "$1"; } 2>/dev/null')


def watch(server: "subprocess.Popen | None") -> "subprocess.Popen | None":
    """Stop the temporary API ``server`` when this process ends, however it ends. The watchdog runs
    in its own session, so it outlives a kill -9 of this process (and of its process group)."""
    if server is not None and os.name == "posix":
        subprocess.Popen(["sh", "-c", _WATCHDOG, str(os.getpid()), str(server.pid)], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server
