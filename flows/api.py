"""Prefect's API for one command: the temporary one, started before it is needed.

Without a configured server (PREFECT_API_URL), Prefect starts a temporary API at the first flow
call and waits for it: several seconds on a fresh Prefect home (its database is created and
migrated), and importing Prefect's server code to do it costs the command ~2.7 s of CPU. Started
here instead, at once and in a process of its own (flows.temporary_api: it reads Prefect's
settings, and becomes the API as Prefect runs its own: uvicorn serving Prefect's public
``create_app`` on a free loopback port), it comes up while the command loads Prefect and the
cycle, and the command never imports the server: once the API answers, the command uses it as it
would a configured server (its PREFECT_API_URL). On a new home seeded with the block catalogue
(flows.prefect_home), it does not register the catalogue again (~1 s of its start-up).

This module does not import Prefect (~1.5 s): the command calls it first, and loads Prefect while
the API starts. It is stopped when the command ends (as Prefect stops its own: asked, then killed
after 5 s); a watchdog in its own session stops it when the command is killed (kill -9 leaves no
chance to clean up), so no API is left running after a crash.
"""

import atexit
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: uvicorn's exit code when it could not start: its port taken meanwhile (another port is tried, as Prefect
#: does) or the app's start failed (so it is tried no more than _TRIES times in all).
_STARTUP_FAILED = 3
_TRIES = 3

#: What the API's process tells the command when a server is configured (and it starts none).
CONFIGURED = "configured"


@dataclass(frozen=True)
class TemporaryApi:
    """The API this command started: its process, and the URL the command's flows use."""

    process: subprocess.Popen
    url: str


def start_temporary_api() -> Callable[[], "TemporaryApi | None"]:
    """Start the temporary API now when one will be needed; the returned ``wait()`` blocks until it
    answers, makes it this command's API, and raises, in the caller's thread, whatever stopped it
    from starting (a configured server: nothing is started, and ``wait()`` returns None)."""
    settings = _loaded_settings()  # read in the caller's thread: it may hold settings the starter's would not
    if settings.get("PREFECT_API_URL") is not None:
        return lambda: None
    outcome: list = []

    def start() -> None:
        try:
            api, keep = _launch({**os.environ, **settings})
            if api is not None:
                _warm_up(api.url)
                if keep is not None:
                    _keep_database(keep)
            outcome.append(api)
        except BaseException as exc:  # handed to wait(), which raises it where it can be reported
            outcome.append(exc)

    starter = threading.Thread(target=start, name="prefect-api-start", daemon=True)
    starter.start()

    def wait() -> TemporaryApi | None:
        starter.join()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        if outcome[0] is not None:
            _use(outcome[0].url)
        return outcome[0]

    return wait


def _launch(env: dict[str, str]) -> tuple[TemporaryApi | None, Path | None]:
    """The API process (flows.temporary_api) started with ``env`` and answering, with the new home's database to
    keep (if any); (None, None) when a server is configured. Waits as long as PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS
    says; failing, it raises Prefect's own words for this failure ("Timed out while attempting to connect to
    ephemeral Prefect API server"), which `scs` turns into one line."""
    started = time.monotonic()
    for _ in range(_TRIES):
        process, said = _spawn(env, started + _first_answer_within(env))
        if said is None:  # it ended, or did not say in time
            code = process.poll()
            _stop(process)
            raise _not_started(code)
        if said == CONFIGURED:
            process.wait()
            return None, None
        told = json.loads(said)
        api = TemporaryApi(process, f"http://127.0.0.1:{told['port']}/api")
        if _answers(api, started + told["timeout"]):
            return api, Path(told["keep"]) if told["keep"] else None
        code = process.poll()  # None: still starting when the time ran out
        _stop(process)
        if code != _STARTUP_FAILED or time.monotonic() >= started + told["timeout"]:
            break
    raise _not_started(code)


def _not_started(code: int | None) -> RuntimeError:
    """Prefect's own words for an API that did not start (``code``: its exit code if it ended), which `scs`
    turns into one line."""
    ended = f" Ephemeral server process exited with code {code}." if code is not None else ""
    return RuntimeError(f"Timed out while attempting to connect to ephemeral Prefect API server.{ended}")


def _loaded_settings() -> dict[str, str]:
    """This process's Prefect settings as environment variables, when Prefect is loaded already (a flow served,
    a test session): they may hold more than its environment and profile say (``temporary_settings``). None
    are read here otherwise: reading them loads Prefect, which the API's own process does meanwhile."""
    if "prefect.settings" not in sys.modules:
        return {}
    from prefect.settings import get_current_settings

    return get_current_settings().to_environment_variables(exclude_unset=True)


def _first_answer_within(env: dict[str, str]) -> float:
    """How long the API's process may take to say whether it starts (it reads Prefect's settings, ~1.5 s): the
    start-up time `scs` gives the API (two minutes unless the environment says otherwise)."""
    try:
        return float(env.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 120))
    except ValueError:  # Prefect's own settings refuse it, and the process says so
        return 120.0


def _spawn(env: dict[str, str], deadline: float) -> tuple[subprocess.Popen, str | None]:
    """flows.temporary_api started, watched and stopped at exit, and the line it says (None if it ended first,
    or said nothing by ``deadline``)."""
    read, write = os.pipe()
    try:
        process = watch(subprocess.Popen([sys.executable, "-m", "flows.temporary_api", str(write)],
                                         pass_fds=(write,), stdin=subprocess.DEVNULL, env=env))
    finally:
        os.close(write)
    atexit.register(_stop, process)
    with os.fdopen(read) as said:
        if not select.select([said], [], [], max(0.0, deadline - time.monotonic()))[0]:
            return process, None
        line = said.readline().strip()  # it writes its one line whole, then closes its end
    return process, line or None


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
    from prefect.context import refresh_global_settings_context  # Prefect is loaded by now (the flows use it)

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


def _keep_database(db: Path) -> None:
    """The first new home's migrated database, kept for the next (flows.prefect_home)."""
    from flows.prefect_home import keep

    try:
        keep(db)
    except Exception as exc:  # only a saving
        log.debug("Prefect's new database was not kept: %s", exc)


#: ends ``$1`` (if it is still Prefect's API, or the process about to become it) once process ``$0`` is gone;
#: checks every 2 s
_WATCHDOG = ('while kill -0 "$0" 2>/dev/null; do sleep 2; done; '
             'grep -qE "uvicorn|flows.temporary_api" "/proc/$1/cmdline" 2>/dev/null && '
             '{ kill "$1"; sleep 5; kill -9 "$1"; } 2>/dev/null')


def watch(server: subprocess.Popen) -> subprocess.Popen:
    """Stop the temporary API ``server`` when this process ends, however it ends. The watchdog runs
    in its own session, so it outlives a kill -9 of this process (and of its process group)."""
    if os.name == "posix":
        subprocess.Popen(["sh", "-c", _WATCHDOG, str(os.getpid()), str(server.pid)], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server
