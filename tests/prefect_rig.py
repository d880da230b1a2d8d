"""Real parts on loopback for the many-councils test and bench: a `prefect server`, process workers,
councils made from the bundled cycle, and an SMTP server (aiosmtpd) that counts Message-IDs.

Every process is started in its own session and stopped by its PID (SIGTERM, then SIGKILL of its group).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefect_env(home: Path, api_url: str | None) -> dict[str, str]:
    """A child's environment: its own Prefect home, no telemetry, this checkout importable, the given API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
               PREFECT_WORKER_QUERY_SECONDS="2", PREFECT_WORKER_PREFETCH_SECONDS="2",
               PREFECT_LOGGING_LEVEL="WARNING")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def start(args: list[str], log: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM by PID, wait, then SIGKILL what is left of its process group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # any child it left behind (its own session)
    except ProcessLookupError:
        pass


def tail(path: Path, n: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-n:]) if path.exists() else "(no log)"


def wait_until(what: str, check, timeout: float, logs: list[Path] = (), every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise TimeoutError(f"{what} within {timeout:.0f} s\n" + "\n".join(f"--- {p.name}\n{tail(p)}" for p in logs))


def start_server(home: Path, logs: Path, database: str | None = None) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on a free loopback port, once healthy; its database SQLite under ``home``, or
    ``database`` (postgresql+asyncpg://...)."""
    import httpx

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    log = logs / "server.log"
    env = prefect_env(home, api) | ({"PREFECT_API_DATABASE_CONNECTION_URL": database} if database else {})
    server = start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)], log,
                   env, logs)

    def healthy() -> bool:
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until("the Prefect server was not healthy", healthy, 120, [log])
    except BaseException:
        stop(server)
        raise
    return server, api


def start_worker(name: str, pool: str, home: Path, api: str, logs: Path) -> subprocess.Popen:
    return start([str(BIN / "prefect"), "worker", "start", "--pool", pool, "--name", name], logs / f"{name}.log",
                 prefect_env(home, api), logs)


def make_councils(base: Path, how_many: int, smtp_port: int | None = None, first_year: int = 2011) -> list[Path]:
    """``how_many`` councils' folders, each the bundled cycle moved to its own year with `scs new-cycle` (a year
    whose moved dates `scs check` refuses, such as 2012, is passed over), with its own name ("Council NN") and
    addresses (every @example.org becomes @cNN.example.org) and, given a port, SMTP to 127.0.0.1 there."""
    shutil.copytree(ROOT / "evidence", base / "evidence", dirs_exist_ok=True)
    councils, year = [], first_year
    while len(councils) < how_many:
        number = len(councils) + 1
        folder = base / f"council-{number:02d}"
        made = scs("--config-dir", str(ROOT / "config"), "new-cycle", "--year", str(year), "--to", str(folder / "config"))
        year += 1
        if made.exit_code != 0:
            shutil.rmtree(folder)
            continue
        for f in (folder / "config").glob("*.yaml"):
            f.write_text(re.sub(r"@((?:[a-z0-9-]+\.)*)example\.org", rf"@\1c{number:02d}.example.org", f.read_text()))
        timetable = folder / "config" / "timetable.yaml"  # its own name: one database keeps cycles apart by it
        timetable.write_text(re.sub(r"(?m)^  council: .*$", f"  council: Council {number:02d}", timetable.read_text()))
        evidence = folder / "config" / "evidence.yaml"
        evidence.write_text(re.sub(r"(?m)^evidence_dir: .*$", f"evidence_dir: {base / 'evidence'}",
                                   evidence.read_text()))
        if smtp_port:
            (folder / "config" / "delivery.yaml").write_text(
                f'transport: smtp\nsender: {{name: "LSP Officer {number}", email: lsp.officer@c{number:02d}.example.org}}\n'
                f"smtp: {{host: 127.0.0.1, port: {smtp_port}, starttls: false, timeout_seconds: 10}}\n"
                "retry: {attempts: 3, wait_minutes: 0}\n")
        councils.append(folder)
    return councils


def scs(*args: str):
    """The `scs` command, run in this process (Prefect and the domain are imported once for many councils)."""
    from typer.testing import CliRunner

    from scs_cli.main import app

    return CliRunner().invoke(app, ["--templates-dir", str(ROOT / "templates"), *args])


def deploy(council: Path, pool: str, api: str, state_url: str | None = None) -> None:
    """`scs deploy` of the council to ``pool`` on the server at ``api`` (its state on PostgreSQL at ``state_url``)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}):
        result = scs(*(["--state-url", state_url] if state_url else []), "deploy", "--council-dir", str(council),
                     "--pool", pool, "--no-pdf")
    if result.exit_code != 0:
        raise RuntimeError(f"scs deploy {council.name}: {result.output}") from result.exception


def council_dirs(council: Path, state_url: str | None = None):
    from scs_refresh.core.folders import Dirs

    return Dirs(config=council / "config", out=council / "out", state=council / "state",
                templates=ROOT / "templates", state_url=state_url)


def tick_days(council: Path) -> list[date]:
    """The working days on which the council's daily tick has something to do, from its timetable."""
    from scs_refresh.automation import tick
    from scs_refresh.timetable import deadlines as cal

    ctx = tick.Context.load(council_dirs(council), pdf=False)
    return sorted({d if cal.is_working_day(d) else cal.working_days_after(d, 1) for d in (a.due for a in ctx.actions())})


class MessageCounter:
    """An SMTP server on loopback that counts what it accepted by Message-ID and recipient."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.seen: Counter[tuple[str, str]] = Counter()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message_id = message_from_bytes(envelope.content)["Message-ID"]
        self.seen.update((message_id, rcpt.lower()) for rcpt in envelope.rcpt_tos)
        return "250 OK"

    @property
    def port(self) -> int:
        return self.controller.port

    def __enter__(self) -> MessageCounter:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def _sends(council: Path, state_url: str | None):
    from scs_refresh.core.store import Store

    with Store.open(council_dirs(council, state_url).store) as store:
        return store.sends()


def ledger_deliveries(council: Path, state_url: str | None = None) -> set[tuple[str, str]]:
    """What the council's send ledger says was sent: (Message-ID, recipient) of every message marked sent."""
    return {(s.message_id, r.lower()) for s in _sends(council, state_url) if s.status == "sent" for r in s.recipients}


def count(counter: MessageCounter, councils: list[Path], state_url: str | None = None) -> dict[str, int]:
    """Deliveries the ledgers say were sent, what the server received more than once, what it never got,
    and the messages the ledgers hold unsent (queued, in doubt, refused)."""
    expected = set().union(*(ledger_deliveries(c, state_url) for c in councils))
    unsent = sum(1 for c in councils for s in _sends(c, state_url) if s.status != "sent")
    return {"sent": len(expected), "duplicates": sum(n - 1 for n in counter.seen.values() if n > 1),
            "missing": len(expected - set(counter.seen)), "unsent": unsent}
