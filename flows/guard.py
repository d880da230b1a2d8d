"""One tick of a cycle at a time on a Prefect server: the second guard behind the state store's claims.

A global concurrency limit of one slot per cycle (its council and cycle id, as the state store keys
its rows), made on first use. A second tick of the same cycle (another worker, the same moment)
waits for the first to finish, then finds nothing left to do; the store's claims already make every
message go once, so this only saves the work twice. A worker killed while holding the slot frees it
when the slot's lease runs out (Prefect's default, 300 s).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.client.orchestration import get_client
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists

from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import cycle_key


def limit_name(dirs: Dirs) -> str:
    """``scs-tick-breckland-council-scs-refresh-2010-11``: the cycle's key as a Prefect name."""
    return "scs-tick-" + re.sub(r"[^a-z0-9]+", "-", cycle_key(dirs.timetable).lower()).strip("-")


@contextmanager
def one_tick_per_cycle(dirs: Dirs) -> Iterator[None]:
    name = limit_name(dirs)
    with get_client(sync_client=True) as client:
        try:
            client.upsert_global_concurrency_limit_by_name(name, 1)
        except ObjectAlreadyExists:  # another tick of the cycle made it at the same moment
            pass
    with concurrency(name, occupy=1, strict=True):
        yield
