"""How often one whole cycle parses the officer's YAML files (the house issue: config is
loaded once per process, and again only when a file changes).

Runs the bundled 2010/11 cycle in-process without Prefect and without PDFs, counting every
YAML document PyYAML composes, by file.

Run: .venv/bin/python bench/bench_config_loads.py
"""

from __future__ import annotations

import collections
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def main() -> None:
    from bench_cycle import folder, without_prefect  # the same cycle that bench_cycle.py times
    from scs_refresh.core import yamlio

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
        took = without_prefect(folder(Path(tmp)), pdf=False)
    print(f"whole cycle without Prefect or PDFs: {took:.1f} s; YAML documents parsed: {sum(counts.values())}")
    for name, n in counts.most_common():
        print(f"  {name:28s} {n}")


if __name__ == "__main__":
    main()
