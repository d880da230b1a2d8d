"""How often one whole cycle parses the officer's YAML files (the house issue: config is
loaded once per process, and again only when a file changes).

Runs the bundled 2010/11 cycle in-process without Prefect and without PDFs, counting every
YAML document PyYAML composes, by file.

Run: .venv/bin/python bench/bench_config_loads.py
"""

from __future__ import annotations

import collections
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from flows.cycle import simulate
    from scs_refresh.automation import tick
    from scs_refresh.core import yamlio
    from scs_refresh.core.folders import Dirs

    counts: collections.Counter[str] = collections.Counter()
    compose, read_yaml = yaml.compose, yamlio.read_yaml
    current: list[str] = []

    def counting_read(file):
        current.append(Path(file).name)
        try:
            return read_yaml(file)
        finally:
            current.pop()

    def counting_compose(*args, **kwargs):
        counts[current[-1] if current else "?"] += 1
        return compose(*args, **kwargs)

    yaml.compose, yamlio.read_yaml = counting_compose, counting_read
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for name in ("config", "evidence", "templates"):
            shutil.copytree(ROOT / name, base / name)
        dirs = Dirs(base / "config", base / "out", base / "state", base / "templates")

        def direct(day: date) -> list[tick.ActionResult]:
            ctx = tick.Context.load(dirs, False)
            return [tick.run(ctx, action, day) for action in tick.pending(ctx, day)]

        start = time.perf_counter()
        simulate(dirs, date(2010, 10, 7), date(2011, 5, 19), pdf=False, fresh=True, run_tick=direct)
        took = time.perf_counter() - start
    print(f"whole cycle without Prefect or PDFs: {took:.1f} s; YAML documents parsed: {sum(counts.values())}")
    for name, n in counts.most_common():
        print(f"  {name:28s} {n}")


if __name__ == "__main__":
    main()
