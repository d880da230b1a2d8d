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
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests import prefect_rig as rig  # noqa: E402

POOL = "councils"
ROUND_TIMEOUT = 600  # a round that has not ended by then is reported, not waited for


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (a worker's flow-run processes)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def run_round(client, runs: dict, on_wait=None) -> tuple[int, list]:
    """Wait for the round's runs to end (``on_wait`` is called while waiting); completed count and the rest."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + ROUND_TIMEOUT
    while True:
        found = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=list(runs))))
        if all(r.state and r.state.is_final() for r in found) or time.monotonic() > deadline:
            done = [r for r in found if r.state and r.state.is_completed()]
            return len(done), [r for r in found if not (r.state and r.state.is_completed())]
        if on_wait:
            on_wait()
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=20)
    parser.add_argument("--days", type=int, default=0, help="each council's first N tick days (0: whole cycles)")
    args = parser.parse_args()

    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    base = Path(tempfile.mkdtemp(prefix="bench-councils-"))
    home = base / "prefect-home"
    print(f"working in {base}", flush=True)
    server, api = rig.start_server(home, base)
    workers: dict[str, subprocess.Popen] = {}
    try:
        with rig.MessageCounter() as smtp:
            t0 = time.monotonic()
            councils = rig.make_councils(base, args.councils, smtp.port)
            for council in councils:
                rig.deploy(council, POOL, api)
            print(f"{len(councils)} councils made and deployed in {time.monotonic() - t0:.0f} s", flush=True)
            days = {c: rig.tick_days(c)[:args.days or None] for c in councils}
            rounds = max(len(d) for d in days.values())
            workers = {name: rig.start_worker(name, POOL, home, api, base) for name in ("worker-1", "worker-2")}
            killed: dict = {}
            before = None
            ticks = 0
            left: list = []
            start = time.monotonic()
            with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
                for k in range(rounds):
                    runs = {run_deployment(f"daily-tick/{c.name}", parameters={"on": days[c][k].isoformat()},
                                           timeout=0).id: c.name for c in councils if k < len(days[c])}
                    halfway = k == rounds // 2

                    def kill_when_busy() -> None:
                        """SIGKILL worker-1 (by PID) once it runs a tick; start it again 5 s later."""
                        w = workers["worker-1"]
                        if not killed and children(w.pid):
                            w.send_signal(signal.SIGKILL)
                            w.wait()
                            killed["at"] = time.monotonic() - start
                            killed["round"] = k + 1
                            time.sleep(5)
                            workers["worker-1"] = rig.start_worker("worker-1", POOL, home, api, base)

                    if halfway:
                        before = dict(rig.count(smtp, councils), ticks=ticks, seconds=time.monotonic() - start)
                    done, rest = run_round(client, runs, kill_when_busy if halfway else None)
                    ticks += done
                    left += [(runs[r.id], r.state.type.value if r.state else "?") for r in rest]
                    print(f"round {k + 1}/{rounds}: {done}/{len(runs)} ticks completed, "
                          f"{time.monotonic() - start:.0f} s", flush=True)
            total = time.monotonic() - start
            after = rig.count(smtp, councils)
    finally:
        for w in workers.values():
            rig.stop(w)
        rig.stop(server)
    print()
    print(f"councils: {len(councils)}, tick days each: {'all' if not args.days else args.days}, "
          f"rounds: {rounds}, workers: 2, state: SQLite per council, server database: SQLite")
    if before:
        print(f"before the kill: {before['ticks']} ticks in {before['seconds']:.0f} s, {before['sent']} deliveries "
              f"sent, duplicates {before['duplicates']}, missing {before['missing']}, unsent in the ledgers {before['unsent']}")
    if killed:
        print(f"worker-1 killed with SIGKILL at {killed['at']:.0f} s (round {killed['round']}) while running a tick, "
              "started again 5 s later")
    print(f"total: {ticks} ticks in {total:.0f} s = {ticks / (total / 60):.1f} ticks per minute")
    print(f"at the end: {after['sent']} deliveries sent, duplicates {after['duplicates']}, missing {after['missing']}, "
          f"unsent in the ledgers {after['unsent']}")
    print(f"runs that did not complete: {left or 'none'}")


if __name__ == "__main__":
    main()
