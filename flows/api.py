"""Prefect's API for one command: the temporary one, started before it is needed.

Without a configured server (PREFECT_API_URL), Prefect starts a temporary API at the first flow
call and waits for it: several seconds on a fresh Prefect home (its database is created and
migrated). Started here, in the background, it comes up while the command loads the cycle.
"""

import threading
from collections.abc import Callable

from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_ALLOW_EPHEMERAL_MODE


def start_temporary_api() -> Callable[[], None]:
    """Start the temporary API now when one will be needed; the returned ``wait()`` blocks until it
    answers and raises, in the caller's thread, whatever stopped it from starting."""
    if PREFECT_API_URL.value() or not PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value():
        return lambda: None
    failed: list[BaseException] = []

    def start() -> None:
        try:
            from prefect.server.api.server import SubprocessASGIServer

            SubprocessASGIServer().start()
        except BaseException as exc:  # handed to wait(), which raises it where it can be reported
            failed.append(exc)

    starter = threading.Thread(target=start, name="prefect-api-start", daemon=True)
    starter.start()

    def wait() -> None:
        starter.join()
        if failed:
            raise failed[0]

    return wait
