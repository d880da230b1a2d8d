"""Benchmark (prints figures; not a test): collate the bundled evidence, and the ONS MSOA CSV read cost.

Targets (issue 3): collating all bundled sources under 3 s on a 2-core machine; reading the
2.7 MB ONS MSOA CSV no more than 1.5x a bare ``pandas.read_csv`` of the same file.
Run: .venv/bin/python bench/bench_evidence.py [--repeat N]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MSOA_GZ = ROOT / "tests" / "data" / "real_data" / "ons_sape23dt4_mid2020_msoa_syoa_england_wales.csv.gz"


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    repeat = ap.parse_args().repeat

    t = time.perf_counter()
    import pandas as pd

    from scs_refresh.evidence.collate import collate, read_all, write
    from scs_refresh.evidence.manifest import Read, load_manifest
    from scs_refresh.evidence.readers import parse_values, read_table
    from scs_refresh.evidence.tidy import _wanted
    print(f"imports (pandas, matplotlib lazily later): {time.perf_counter() - t:.2f} s")

    manifest = load_manifest(ROOT / "config" / "evidence.yaml")
    with tempfile.TemporaryDirectory() as out:
        def run() -> None:
            write(collate(manifest, read_all(manifest), {}, date(2010, 12, 3)), Path(out))
        run()  # warm: first chart pays for matplotlib's import and font cache
        read_s = best(lambda: read_all(manifest), repeat)
        total = best(run, repeat)
    print(f"collate all {len(manifest.sources)} bundled sources: read+tidy {read_s:.2f} s, "
          f"read+tidy+digest+charts+write {total:.2f} s (target < 3 s)")

    unpacked = tempfile.TemporaryDirectory()  # the repository keeps the file gzipped
    msoa = Path(unpacked.name) / MSOA_GZ.stem
    msoa.write_bytes(gzip.decompress(MSOA_GZ.read_bytes()))
    bare = best(lambda: pd.read_csv(msoa, encoding="cp1252"), repeat)
    some = Read(area_code="MSOA Code", area_name="MSOA Name", district="LA Code (2021 boundaries)",
                indicators=[{"name": "All ages", "unit": "count", "column": "All Ages"}])
    every = Read(area_code="MSOA Code", district="LA Code (2021 boundaries)",
                 indicators=[{"name": "age", "unit": "count", "columns_matching": r"(All Ages|\d+\+?)"}])

    def ours(read: Read) -> None:
        table = read_table(msoa, read, _wanted(read))
        for column in table.frame.columns[3:] if read is every else ["All Ages"]:
            parse_values(table, column)

    ours_some, ours_every = best(lambda: ours(some), repeat), best(lambda: ours(every), repeat)
    print(f"ONS MSOA CSV ({msoa.stat().st_size / 1e6:.2f} MB): bare pandas.read_csv {bare:.3f} s; "
          f"our reader, columns the manifest names (4) {ours_some:.3f} s = {ours_some / bare:.2f}x; "
          f"all 92 value columns parsed {ours_every:.3f} s = {ours_every / bare:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    sys.exit(main())
