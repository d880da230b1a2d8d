"""Generate and queue questionnaires for 1,000 partners, then deliver them to the outbox; print the times.

Target (issue 4): generating and queueing for 1,000 partners in under 30 seconds.
Run: ``.venv/bin/python bench/bench_questionnaires.py [N]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from scs_refresh.partners import outreach as service
from scs_refresh.workspace import Workspace  # noqa: E402
from scs_refresh.partners.register import Partner
from scs_refresh.core.folders import Dirs

ROOT = Path(__file__).resolve().parents[1]


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        setup = Workspace.load(Dirs(config=ROOT / "config", out=Path(tmp) / "out", state=Path(tmp) / "state",
                                    templates=ROOT / "templates")).outreach()
        base = setup.partners.partners
        many = [Partner.model_validate({**base[i % len(base)].model_dump(), "id": f"partner-{i:04d}",
                                        "name": f"{base[i % len(base)].name} ({i})"}) for i in range(n)]
        setup = replace(setup, partners=setup.partners.model_copy(update={"partners": many}))
        at = datetime(2010, 10, 15, 9)
        t0 = time.perf_counter()
        queued = service.queue_questionnaires(setup, at)
        t1 = time.perf_counter()
        report = service.deliver(setup, at)
        t2 = time.perf_counter()
        again = service.queue_questionnaires(setup, at)
        t3 = time.perf_counter()
        size = sum(p.stat().st_size for p in (setup.dirs.out / "outbox").iterdir())
        print(f"partners: {n}")
        print(f"generate + queue: {t1 - t0:.1f} s ({(t1 - t0) / n * 1000:.1f} ms each), {len(queued)} queued (target < 30 s)")
        print(f"deliver to outbox: {t2 - t1:.1f} s, {len(report.sent)} .eml files, {size / 1e6:.1f} MB")
        print(f"re-run (nothing to do): {t3 - t2:.2f} s, {len(again)} queued")
        print(f"state store: {setup.dirs.store.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
