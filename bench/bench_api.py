"""The temporary API's CPU for a run shaped like the demo's, without its start (issue 18).

bench_prefect.py measures the whole demo, whose API's CPU is mostly its start (4-6.5 s of imports and
routes) and moves with the machine's load. This starts the API as `scs` does (flows.api), then runs one
flow with TASKS task runs (7 log lines and PAUSE seconds each: the demo has 62 task runs, ~450 log
lines) and reads the API's CPU from /proc when it answers, when the flow ends and as it exits.

Run: .venv/bin/python bench/bench_api.py [--tasks 62] [--pause 0.5] [--runs N] [--tree OTHER ...]   (Linux)
With --tree, the runs alternate between this tree's code and each other tree's.
"""

from __future__ import annotations

import atexit
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_prefect import _cpu_of  # noqa: E402  (the API process's CPU, as bench_prefect reads it)


def run(tasks: int, pause: float) -> None:
    """In a child process: the API as `scs` starts it, one flow, the API's CPU printed once it has exited."""
    from flows.api import start_temporary_api

    seen: dict[str, float] = {}
    # registered before the API starts, so it runs after Prefect has stopped it (exit handlers run last first)
    atexit.register(lambda: print(f"RESULT {seen['ready']:.2f} {seen['flow'] - seen['ready']:.2f} "
                                  f"{seen['last'] - seen['ready']:.2f} {seen['wall']:.1f}", flush=True))
    pid = start_temporary_api()().process.pid
    from prefect import flow, get_run_logger, task
    from prefect.artifacts import create_markdown_artifact
    from prefect.cache_policies import NO_CACHE

    def sample() -> None:  # its CPU as last seen alive
        while (cpu := _cpu_of(pid)) is not None:
            seen["last"] = cpu
            time.sleep(0.05)

    seen["ready"] = seen["last"] = _cpu_of(pid)
    threading.Thread(target=sample, daemon=True).start()

    @task(task_run_name="step-{n}", cache_policy=NO_CACHE)
    def step(n: int) -> int:
        for line in range(7):
            get_run_logger().info("step %s, line %s", n, line)
        time.sleep(pause)
        return n

    @flow(name="bench-api", validate_parameters=False)
    def shaped_like_the_demo() -> None:
        for n in range(tasks):
            step(n)
        create_markdown_artifact("done", key="bench-api")

    began = time.perf_counter()
    shaped_like_the_demo()
    seen["wall"] = time.perf_counter() - began
    seen["flow"] = _cpu_of(pid)


def main() -> None:
    args = sys.argv[1:]
    tasks = int(args[args.index("--tasks") + 1]) if "--tasks" in args else 62
    pause = float(args[args.index("--pause") + 1]) if "--pause" in args else 0.5
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 1
    trees = [ROOT] + [Path(args[i + 1]).resolve() for i, a in enumerate(args) if a == "--tree"]
    for n in range(runs):
        for tree in trees:
            with tempfile.TemporaryDirectory() as home:
                env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
                env.update(PREFECT_HOME=home, PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
                           PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
                           PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="WARNING", PYTHONPATH=f"{tree / 'src'}:{tree}")
                out = subprocess.run([sys.executable, __file__, "--child", str(tasks), str(pause)], env=env,
                                     capture_output=True, text=True)
            found = re.search(r"^RESULT (\S+) (\S+) (\S+) (\S+)$", out.stdout, re.M)
            if out.returncode or not found:
                raise SystemExit(out.stderr[-3000:])
            ready, flow, total, wall = found.groups()
            print(f"{tree.name} run {n + 1}: API CPU {ready} s to answer, then {flow} s over the flow "
                  f"({wall} s), {total} s to its exit", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        run(int(sys.argv[2]), float(sys.argv[3]))
    else:
        main()
