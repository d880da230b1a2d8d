"""Prefect's API for one command: the temporary one, started before it is needed.

Without a configured server (PREFECT_API_URL), Prefect starts a temporary API at the first flow
call and waits for it: several seconds on a fresh Prefect home (its database is created and
migrated), and importing Prefect's server code to do it costs the command ~2.7 s of CPU. Started
here instead, in the background, as Prefect starts it (uvicorn serving Prefect's public
``create_app`` on a free loopback port, with the settings Prefect gives it), it comes up while the
command loads the cycle, and the command never imports the server: once the API answers, the
command uses it as it would a configured server (its PREFECT_API_URL). On a new home seeded with
the block catalogue (flows.prefect_home), it does not register the catalogue again (~1 s of its
start-up). The settings it is started with, and why, are ``temporary_api_settings``: they are its
own, never a configured server's, nor the command's.

It is stopped when the command ends (as Prefect stops its own: asked, then killed after 5 s);
a watchdog in its own session stops it when the command is killed (kill -9 leaves no chance to
clean up), so no API is left running after a crash.
"""

import atexit
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import prefect
from prefect.context import refresh_global_settings_context
from prefect.settings import (PREFECT_API_BLOCKS_REGISTER_ON_START, PREFECT_API_URL,
                              PREFECT_SERVER_ALLOW_EPHEMERAL_MODE, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
                              PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE, get_current_settings,
                              temporary_settings)

if TYPE_CHECKING:
    from flows.prefect_home import Seeded

log = logging.getLogger(__name__)

#: What Prefect sets for the temporary API it starts: no UI, the services of an ephemeral server only.
_AS_PREFECT_STARTS_IT = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}

#: uvicorn's exit code when it could not start: its port taken meanwhile (another port is tried, as Prefect
#: does) or the app's start failed (so it is tried no more than _PORTS times in all).
_STARTUP_FAILED = 3
_PORTS = 3


@dataclass(frozen=True)
class TemporaryApi:
    """The API this command started: its process, and the URL the command's flows use."""

    process: subprocess.Popen
    url: str


def start_temporary_api() -> Callable[[], "TemporaryApi | None"]:
    """Start the temporary API now when one will be needed; the returned ``wait()`` blocks until it
    answers, makes it this command's API, and raises, in the caller's thread, whatever stopped it
    from starting (a configured server: nothing is started, and ``wait()`` returns None)."""
    if PREFECT_API_URL.value() or not PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value():
        return lambda: None
    outcome: list = []

    def start() -> None:
        try:
            seeded = _seed_database()
            api = launch(temporary_api_settings(seeded), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
            _warm_up(api.url)
            if seeded.keep is not None:
                _keep_database(seeded.keep)
            outcome.append(api)
        except BaseException as exc:  # handed to wait(), which raises it where it can be reported
            outcome.append(exc)

    starter = threading.Thread(target=start, name="prefect-api-start", daemon=True)
    starter.start()

    def wait() -> TemporaryApi:
        starter.join()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        _use(outcome[0].url)
        return outcome[0]

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


def launch(settings: dict, timeout: float) -> TemporaryApi:
    """Prefect's API in a process of its own, as Prefect runs its temporary one, with ``settings`` on top of
    the command's; waits up to ``timeout`` seconds for it to answer. Failing, it raises Prefect's own words
    for this failure ("Timed out while attempting to connect to ephemeral Prefect API server"), which `scs`
    turns into one line."""
    env = environment(settings)
    deadline = time.monotonic() + timeout
    for _ in range(_PORTS):
        port = _free_port()
        process = watch(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(prefect.__file__).parents[1]),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "error", "--lifespan", "on"], env=env, stdin=subprocess.DEVNULL))
        atexit.register(_stop, process)
        api = TemporaryApi(process, f"http://127.0.0.1:{port}/api")
        if _answers(api, deadline):
            return api
        code = process.poll()  # None: still starting when the time ran out
        _stop(process)
        if code != _STARTUP_FAILED or time.monotonic() >= deadline:
            break
    ended = f" Ephemeral server process exited with code {code}." if code is not None else ""
    raise RuntimeError(f"Timed out while attempting to connect to ephemeral Prefect API server.{ended}")


def environment(settings: dict) -> dict[str, str]:
    """The API process's environment: the command's, its Prefect settings (from its profile too), ``settings``
    on top, and what Prefect sets for the temporary API it starts; its URL is its own."""
    with temporary_settings(settings):
        env = {**os.environ, **_AS_PREFECT_STARTS_IT, **get_current_settings().to_environment_variables(exclude_unset=True)}
    env.pop("PREFECT_API_URL", None)
    return env


def _free_port() -> int:
    """A loopback port free now (the system's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(api: TemporaryApi, deadline: float) -> bool:
    """Whether the API says it is healthy before ``deadline`` (False as soon as its process has ended)."""
    import httpx

    with httpx.Client() as client:
        while time.monotonic() < deadline and api.process.poll() is None:
            try:
                if client.get(f"{api.url}/health", timeout=5).status_code == 200:
                    return True
            except httpx.HTTPError:  # not listening yet
                pass
            time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen) -> None:
    """As Prefect stops its temporary API: asked to stop (it writes what it still holds), killed after 5 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _use(url: str) -> None:
    """This command's flows, and the threads Prefect starts for them, talk to ``url`` from now on."""
    os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()


def _warm_up(api_url: str) -> None:
    """The API's first request costs it ~0.6 s of set-up (~1 s here): made now, in the background, the
    flow's first request (the same one: Prefect checks the API's version) does not wait for it."""
    import httpx

    try:
        httpx.get(f"{api_url}/admin/version", timeout=30)
    except httpx.HTTPError as exc:  # only a saving: the flow's own requests report a real failure
        log.debug("Prefect's API was not warmed up: %s", exc)


def _seed_database() -> "Seeded":
    """A new Prefect home gets a copy of an already-migrated database (flows.prefect_home), saving the
    migrations' seconds; any failure leaves Prefect to create it as it always does."""
    from flows.prefect_home import Seeded, seed

    try:
        return seed()
    except Exception as exc:  # only a saving: never a reason not to start
        log.debug("Prefect's database was not seeded: %s", exc)
        return Seeded()


def _keep_database(db: Path) -> None:
    """The first new home's migrated database, kept for the next (flows.prefect_home)."""
    from flows.prefect_home import keep

    try:
        keep(db)
    except Exception as exc:  # only a saving
        log.debug("Prefect's new database was not kept: %s", exc)


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
