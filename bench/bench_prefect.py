"""Where Prefect's own cost in `scs demo --fresh` goes (issue 18): the command's wall and CPU seconds,
the temporary API server's CPU seconds (read from /proc just before it exits), and what the run
left in Prefect's database (task runs, log lines, events): counts, which move far less than timings
on a shared machine.

Run: .venv/bin/python bench/bench_prefect.py [--no-pdf] [--runs N] [--tree OTHER ...] [--sql]   (Linux: reads /proc)
With --tree, the runs alternate between this tree's code and each other tree's (e.g. a worktree of
main, for before and after in the same conditions). With --sql, the API also counts the transactions
and statements it ran on its database (PREFECT_SERVER_DATABASE_ECHO, which costs CPU itself: its
timings are then not comparable with a run without it); counts do not move with the machine's load.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float | None:
    """CPU seconds (user + system) of a live process, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def _servers(parent: int) -> list[int]:
    """Prefect's temporary API's processes (flows.temporary_api; uvicorn before it) among ``parent``'s children."""
    found = []
    for child in Path(f"/proc/{parent}/task/{parent}/children").read_text().split() if Path(
            f"/proc/{parent}").exists() else []:
        try:
            if any(name in Path(f"/proc/{child}/cmdline").read_bytes() for name in (b"uvicorn", b"flows.temporary_api")):
                found.append(int(child))
        except OSError:
            pass
    return found


#: what the API's database engine echoes (PREFECT_SERVER_DATABASE_ECHO), by kind
_SQL = re.compile(rb"^\S+ \S+ INFO sqlalchemy\.engine\.Engine (BEGIN|COMMIT|INSERT|SELECT|UPDATE|DELETE)\b", re.M)


def run_demo(base: Path, pdf: bool, tree: Path = ROOT, sql: bool = False) -> dict:
    env = {**os.environ, "PREFECT_HOME": str(base / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PYTHONPATH": f"{tree / 'src'}:{tree}"}
    if sql:  # the API's process inherits the command's stdout: its engine's echo goes to the file
        env["PREFECT_SERVER_DATABASE_ECHO"] = "true"
    cmd = [sys.executable, "-m", "scs_cli.main", "demo", "--fresh"] + ([] if pdf else ["--no-pdf"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    echo = (base / "api-echo.log").open("wb") if sql else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=base, env=env, stdout=echo, stderr=subprocess.PIPE)
    server: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:  # the server's CPU, as last seen alive (every 50 ms)
        while not done.is_set():
            for pid in _servers(proc.pid):
                cpu = _cpu_of(pid)
                if cpu is not None:
                    server[pid] = cpu
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    if sql:
        echo.close()
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(err.decode()[-3000:])
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    counts = {}
    with sqlite3.connect(base / "prefect-home" / "prefect.db") as db:
        for table in ("flow_run", "task_run", "task_run_state", "log", "artifact", "events", "event_resources"):
            counts[table] = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if sql:
        kinds = [m.decode() for m in _SQL.findall((base / "api-echo.log").read_bytes())]
        counts |= {f"sql {k}": kinds.count(k) for k in ("BEGIN", "COMMIT", "INSERT", "SELECT", "UPDATE", "DELETE")}
    return {"wall": wall, "cpu": cpu, "server_cpu": sum(server.values()), "counts": counts}


def main() -> None:
    pdf = "--no-pdf" not in sys.argv
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 1
    sql = "--sql" in sys.argv
    trees = [ROOT] + [Path(sys.argv[i + 1]).resolve() for i, a in enumerate(sys.argv) if a == "--tree"]
    for n in range(runs):
        for tree in trees:
            with tempfile.TemporaryDirectory() as tmp:
                base = Path(tmp)
                for name in ("config", "evidence", "templates"):
                    shutil.copytree(ROOT / name, base / name)
                r = run_demo(base, pdf, tree, sql)
            print(f"{tree.name} run {n + 1}: wall {r['wall']:5.1f} s, CPU {r['cpu']:5.1f} s (scs + its API), "
                  f"API server CPU {r['server_cpu']:4.1f} s; rows: "
                  + ", ".join(f"{k} {v}" for k, v in r["counts"].items()), flush=True)


if __name__ == "__main__":
    main()
