"""The cycle's e-mails: building them and the send ledger's work, without the rest of the cycle (issue 18).

Runs the bundled 2010/11 cycle once without Prefect (as bench_cycle.py's B) and records every
``dispatch.queue`` and ``dispatch.flush`` call, the messages with their attachments (board packs,
minutes, invitations). It then replays them, in the same order, into a fresh state store and outbox,
several times, and prints the median wall and CPU seconds of the replay, and the work counted:
bytes base64-encoded, SQL statements, transactions committed, fsync calls made from Python (SQLite's
own are not counted: one per transaction that writes). A second figure times building the messages
alone, the standard way (``build_message`` + ``as_bytes``) and, where the tree has it, the fast way.

On a shared machine the wall time moves with everyone else's load; the counts do not.

Run: .venv/bin/python bench/bench_mail.py [--no-pdf] [--runs N] [--messages FILE]
  --messages FILE keeps the recorded calls (pickle) so another tree can replay the same ones:
  run it once per tree with the same FILE to compare before and after.
"""

from __future__ import annotations

import binascii
import os
import pickle
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def record(pdf: bool) -> list[tuple]:
    """Every queue and flush call of one cycle without Prefect, in order."""
    sys.path.insert(0, str(ROOT))
    from flows.cycle import simulate
    from scs_refresh.automation import tick
    from scs_refresh.core.folders import Dirs
    from scs_refresh.mail import dispatch

    calls: list[tuple] = []
    queue, flush = dispatch.queue, dispatch.flush

    def queued(store, messages, sender, at):
        messages = list(messages)
        calls.append(("queue", messages, sender, at))
        return queue(store, messages, sender, at)

    def flushed(store, transport, sender, at, **options):
        calls.append(("flush", sender, at, {k: v for k, v in options.items() if k in ("retry", "only")}))
        return flush(store, transport, sender, at, **options)

    dispatch.queue, dispatch.flush = queued, flushed
    try:
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            for name in ("config", "evidence", "templates"):
                shutil.copytree(ROOT / name, base / name)
            dirs = Dirs(base / "config", base / "out", base / "state", base / "templates")

            def direct(day: date):
                ctx = tick.Context.load(dirs, pdf)
                return [tick.run(ctx, action, day) for action in tick.pending(ctx, day)]

            simulate(dirs, date(2010, 10, 7), date(2011, 5, 19), pdf=pdf, fresh=True, run_tick=direct)
    finally:
        dispatch.queue, dispatch.flush = queue, flush
    return calls


class Counts:
    """Work done while counting: base64 bytes, SQL statements, commits, Python fsyncs."""

    def __init__(self):
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self.b64 = self.statements = self.commits = self.fsyncs = 0
        self.on = False
        b2a, fsync = binascii.b2a_base64, os.fsync

        def b2a_counted(data, *args, **kw):
            if self.on:
                self.b64 += len(data)
            return b2a(data, *args, **kw)

        def fsync_counted(fd):
            if self.on:
                self.fsyncs += 1
            return fsync(fd)

        binascii.b2a_base64, os.fsync = b2a_counted, fsync_counted
        event.listen(Engine, "before_cursor_execute", lambda *a: self._add("statements"))
        event.listen(Engine, "commit", lambda *a: self._add("commits"))

    def _add(self, name: str) -> None:
        if self.on:
            setattr(self, name, getattr(self, name) + 1)

    def reset(self) -> None:
        self.b64 = self.statements = self.commits = self.fsyncs = 0

    def line(self) -> str:
        return (f"{self.b64 / 1e6:.1f} MB base64-encoded, {self.statements} SQL statements, "
                f"{self.commits} commits, {self.fsyncs} fsync calls from Python")


def replay(calls: list[tuple], counts: Counts) -> tuple[float, float, int]:
    """All the calls into a fresh store and outbox: wall seconds, CPU seconds, messages sent."""
    from scs_refresh.core.store import Store
    from scs_refresh.mail import dispatch

    with tempfile.TemporaryDirectory() as tmp:
        outbox = dispatch.Outbox(Path(tmp) / "outbox")
        sent = 0
        with Store.open(Path(tmp) / "state" / "scs.sqlite") as store:
            counts.reset()
            counts.on = True
            cpu, start = time.process_time(), time.perf_counter()
            for call in calls:
                if call[0] == "queue":
                    dispatch.queue(store, *call[1:])
                else:
                    sender, at, options = call[1:]
                    sent += len(dispatch.flush(store, outbox, sender, at, **options).sent)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            counts.on = False
    return wall, cpu, sent


def building(calls: list[tuple], way) -> float:
    start = time.perf_counter()
    for call in calls:
        if call[0] == "queue":
            _, messages, sender, at = call
            way(messages, sender, at)
    return time.perf_counter() - start


def main() -> None:
    pdf = "--no-pdf" not in sys.argv
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    keep = Path(sys.argv[sys.argv.index("--messages") + 1]) if "--messages" in sys.argv else None
    if keep is not None and keep.exists():
        calls = pickle.loads(keep.read_bytes())
    else:
        calls = record(pdf)
        if keep is not None:
            keep.write_bytes(pickle.dumps(calls))
    from scs_refresh.mail import dispatch

    messages = [m for c in calls if c[0] == "queue" for m in c[1]]
    size = sum(len(a.content) for m in messages for a in m.attachments)
    print(f"{len(messages)} messages in {sum(c[0] == 'queue' for c in calls)} queue calls, "
          f"{size / 1e6:.1f} MB of attachments ({os.cpu_count()} cores, times are medians of {runs} runs)")
    counts = Counts()
    results = [replay(calls, counts) for _ in range(runs)]
    wall, cpu = statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)
    print(f"  queue + flush into a fresh store and outbox: {wall:5.2f} s wall, {cpu:5.2f} s CPU; "
          f"{results[0][2]} sent")
    print(f"    {counts.line()}")

    def standard(msgs, sender, at):
        for out in msgs:
            dispatch.as_bytes(dispatch.build_message(out, sender, at))

    print(f"  building them the standard way (build_message + as_bytes): "
          f"{statistics.median(building(calls, standard) for _ in range(runs)):5.2f} s")
    if hasattr(dispatch, "message_bytes"):
        def fast(msgs, sender, at):
            encoded: dict = {}
            for out in msgs:
                dispatch.message_bytes(out, sender, at, encoded)

        print(f"  building them the fast way (message_bytes, one encoding per attachment per queue call): "
              f"{statistics.median(building(calls, fast) for _ in range(runs)):5.2f} s")


if __name__ == "__main__":
    main()
