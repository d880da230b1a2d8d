"""Many councils on one Prefect server: the load test of issue 16.

N councils (the bundled cycle moved to 2011, 2012, ... with `scs new-cycle`, each with its own addresses)
are deployed with `scs deploy` to one process work pool on a real `prefect server` with two workers.
Their cycles are driven day by day through the deployments: each round runs every council's next tick
day (`daily-tick/<council>` with `on`), and the next round starts when all have ended. Mail goes by SMTP
to a loopback server (aiosmtpd) that counts every (Message-ID, recipient) it accepts. Halfway, one worker
is killed with SIGKILL while it runs a tick, and started again.

Prints the total time, ticks per minute, and duplicates and missing messages (what the ledgers say was
sent against what the server received) before the kill and at the end. Run:

    .venv/bin/python bench/bench_councils.py                  # 20 councils, whole cycles (long: ~700 ticks)
    .venv/bin/python bench/bench_councils.py --days 4         # each council's first four tick days
    .venv/bin/python bench/bench_councils.py --postgres       # their state, and the server's, on PostgreSQL

A run the killed worker takes down with it stays Pending or Running on the server (Prefect marks it
Crashed only with heartbeats and an automation): the bench marks it Crashed and runs that tick again,
as the officer would, and lists it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests import prefect_rig as rig  # noqa: E402

POOL = "councils"
ROUND_TIMEOUT = 600  # a round that has not ended by then is reported, not waited for
STALLED = 120  # no run of the round has ended for this long: the rest are stuck


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (a worker's flow-run processes)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def wait_round(client, runs: dict, on_wait=None) -> list:
    """Wait for the round's runs to end, or for none to end in STALLED s (what is left is stuck: a killed
    worker's), or ROUND_TIMEOUT s; ``on_wait`` is called meanwhile. The runs as they then stand."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    started = last = time.monotonic()
    ended = 0
    while True:
        found = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=list(runs))))
        now_ended = sum(1 for r in found if r.state and r.state.is_final())
        if now_ended > ended:
            ended, last = now_ended, time.monotonic()
        if ended == len(runs) or time.monotonic() - last > STALLED or time.monotonic() - started > ROUND_TIMEOUT:
            return found
        if on_wait:
            on_wait()
        time.sleep(1)


def crash(client, flow_run) -> None:
    """What Prefect's zombie detection would do to a run its worker took down with it: mark it Crashed."""
    from prefect.states import Crashed

    client.set_flow_run_state(flow_run.id, Crashed(message="its worker was killed"), force=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=20)
    parser.add_argument("--days", type=int, default=0, help="each council's first N tick days (0: whole cycles)")
    parser.add_argument("--postgres", action="store_true",
                        help="the councils' state in one PostgreSQL database, and the Prefect server's database "
                             "beside it (a throwaway cluster on loopback)")
    args = parser.parse_args()
    with ExitStack() as stack:
        state_url, server_db = stack.enter_context(postgres()) if args.postgres else (None, None)
        bench(args.councils, args.days, state_url, server_db)


@contextmanager
def postgres():
    """A throwaway cluster with a database for every council's state (the password in PGPASSWORD for the
    workers) and one for the Prefect server; their URLs."""
    from tests.postgres_cluster import _binaries, cluster

    with cluster(_binaries(), max_connections=200) as pg:
        with pg.admin() as conn:
            for database in ("councils", "prefect"):
                conn.execute(f"CREATE DATABASE {database}")
        os.environ["PGPASSWORD"] = pg.password
        yield pg.url("councils"), f"postgresql+asyncpg://{pg.user}:{pg.password}@127.0.0.1:{pg.port}/prefect"


def bench(how_many: int, days_each: int, state_url: str | None, server_db: str | None) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    base = Path(tempfile.mkdtemp(prefix="bench-councils-"))
    home = base / "prefect-home"
    print(f"working in {base}", flush=True)
    server, api = rig.start_server(home, base, server_db)
    workers: dict[str, subprocess.Popen] = {}
    try:
        with rig.MessageCounter() as smtp:
            t0 = time.monotonic()
            councils = rig.make_councils(base, how_many, smtp.port)
            for council in councils:
                rig.deploy(council, POOL, api, state_url)
            print(f"{len(councils)} councils made and deployed in {time.monotonic() - t0:.0f} s", flush=True)
            days = {c: rig.tick_days(c)[:days_each or None] for c in councils}
            rounds = max(len(d) for d in days.values())
            workers = {name: rig.start_worker(name, POOL, home, api, base) for name in ("worker-1", "worker-2")}
            killed: dict = {}
            before = None
            ticks, crashed = 0, []
            start = time.monotonic()
            with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
                def submit(council: Path, k: int):
                    return run_deployment(f"daily-tick/{council.name}", parameters={"on": days[council][k].isoformat()},
                                          timeout=0).id

                for k in range(rounds):
                    halfway = k == rounds // 2
                    if halfway:  # the count reads every ledger, before the round starts: its time is left out
                        counted = time.monotonic()
                        before = dict(rig.count(smtp, councils, state_url), ticks=ticks, seconds=counted - start)
                        start += time.monotonic() - counted
                    runs = {submit(c, k): c for c in councils if k < len(days[c])}

                    def kill_when_busy() -> None:
                        """SIGKILL worker-1 (by PID) once it runs a tick; start it again 5 s later."""
                        w = workers["worker-1"]
                        if not killed and children(w.pid):
                            w.send_signal(signal.SIGKILL)
                            w.wait()
                            killed.update(at=time.monotonic() - start, round=k + 1)
                            time.sleep(5)
                            workers["worker-1"] = rig.start_worker("worker-1", POOL, home, api, base)

                    found = wait_round(client, runs, kill_when_busy if halfway else None)
                    stuck = [r for r in found if not (r.state and r.state.is_final())]
                    for r in stuck:  # left behind by the killed worker: crashed, and the council's tick run again
                        crash(client, r)
                        crashed.append((runs[r.id].name, days[runs[r.id]][k].isoformat(), r.state.type.value))
                    if stuck:
                        found = [r for r in found if r.state and r.state.is_final()] + wait_round(
                            client, {submit(runs[r.id], k): runs[r.id] for r in stuck})
                    ticks += sum(1 for r in found if r.state and r.state.is_completed())
                    failed = [(r.name, r.state.type.value if r.state else "?") for r in found
                              if not (r.state and r.state.is_completed())]
                    print(f"round {k + 1}/{rounds}: {len(runs)} ticks, {time.monotonic() - start:.0f} s"
                          + (f"; not completed: {failed}" if failed else ""), flush=True)
            total = time.monotonic() - start
            after = rig.count(smtp, councils, state_url)
    finally:
        for w in workers.values():
            rig.stop(w)
        rig.stop(server)
    print()
    print(f"councils: {len(councils)}, tick days each: {days_each or 'all'}, rounds: {rounds}, workers: 2, "
          f"state: {'one PostgreSQL database' if state_url else 'SQLite per council'}, "
          f"Prefect server's database: {'PostgreSQL' if server_db else 'SQLite'}")
    if before:
        print(f"before the kill: {before['ticks']} ticks in {before['seconds']:.0f} s, {before['sent']} deliveries "
              f"sent, duplicates {before['duplicates']}, missing {before['missing']}, "
              f"unsent in the ledgers {before['unsent']}")
    if killed:
        print(f"worker-1 killed with SIGKILL at {killed['at']:.0f} s (round {killed['round']}) while running a tick, "
              "started again 5 s later")
    print(f"runs the killed worker left behind (crashed, and the tick run again): {crashed or 'none'}")
    print(f"total: {ticks} ticks in {total:.0f} s = {ticks / (total / 60):.1f} ticks per minute")
    print(f"at the end: {after['sent']} deliveries sent, duplicates {after['duplicates']}, missing {after['missing']}, "
          f"unsent in the ledgers {after['unsent']}")


if __name__ == "__main__":
    main()
