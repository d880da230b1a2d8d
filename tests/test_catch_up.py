"""Catch-up with judgement: after downtime, a message whose moment has passed is held for the officer
(`scs pending`), never sent blindly and never dropped; messages still useful go out as on their day."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scs_cli.main import app
from scs_refresh.automation import tick
from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs

from .conftest import ROOT


def _ctx(config_dir: Path, tmp_path: Path) -> tick.Context:
    if not (tmp_path / "evidence").exists():  # config/evidence.yaml reads ../evidence
        shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    return tick.Context.load(Dirs(config=config_dir, out=tmp_path / "out", state=tmp_path / "state",
                                  templates=ROOT / "templates"), pdf=False)


def _tick(ctx: tick.Context, on: date) -> list[tick.ActionResult]:
    return [tick.run(ctx, action, on) for action in tick.pending(ctx, on)]


def _outbox(tmp_path: Path, prefix: str) -> list[Path]:
    return sorted((tmp_path / "out" / "outbox").glob(f"{prefix}--*.eml"))


def test_a_tick_in_time_sends_as_on_the_day(config_dir, tmp_path):
    """Fri 5 Nov 2010: the questionnaire (deadline 12 Nov) and the interview requests (slots from 15 Nov)
    are late but still useful; the first reminder is due that day."""
    ctx = _ctx(config_dir, tmp_path)
    results = _tick(ctx, date(2010, 11, 5))
    assert [r.action.key for r in results] == ["questionnaires", "interview-requests", "chase:first"]
    assert not any(r.held for r in results) and tick.held(ctx) == []
    assert len(_outbox(tmp_path, "questionnaire")) == 12 and len(_outbox(tmp_path, "interview-request")) == 6


def test_after_downtime_the_partner_messages_are_held_and_the_board_papers_still_go(config_dir, tmp_path):
    """First tick on Fri 26 Nov 2010: the deadline (Fri 12 Nov) and every slot (15 to 25 Nov) have passed;
    the Board meets on Fri 3 Dec, so its papers are still useful."""
    ctx = _ctx(config_dir, tmp_path)
    results = {r.action.key: r for r in _tick(ctx, date(2010, 11, 26))}
    held = [key for key, r in results.items() if r.held]
    assert held == ["questionnaires", "interview-requests", "chase:first", "chase:second", "chase:deadline"]
    assert results["interview-requests"].summary == (
        "held for you: 4 of the 4 slots it offers have passed (Mon 15 Nov 2010 10:00, Wed 17 Nov 2010 14:00, "
        "Tue 23 Nov 2010 10:00, Thu 25 Nov 2010 14:00); offer new slots in partners.yaml, then send it, or skip it "
        "(`scs pending`)")
    assert results["questionnaires"].summary.startswith("held for you: it asks for replies by Fri 12 Nov 2010, "
                                                        "which has passed")
    assert not _outbox(tmp_path, "questionnaire") and not _outbox(tmp_path, "interview-request")
    assert results["publish:lsp-board-2010-12-03"].sent and not results["publish:lsp-board-2010-12-03"].held
    # listed, never dropped, and not tried again by the next tick
    assert [r["key"] for r in tick.held(ctx)] == held
    assert tick.pending(ctx, date(2010, 11, 29)) == []

    # the officer offers new slots and sends the request; skips the late reminders
    partners = config_dir / "partners.yaml"
    partners.write_text(partners.read_text().replace("    - 2010-11-25 14:00", "    - 2010-12-08 14:00")
                        .replace("    - 2010-11-23 10:00", "    - 2010-12-06 10:00")
                        .replace("    - 2010-11-17 14:00", "    - 2010-11-30 14:00")
                        .replace("    - 2010-11-15 10:00", "    - 2010-11-29 10:00"))
    ctx = _ctx(config_dir, tmp_path)
    sent = tick.officer_sends(ctx, "interview-requests", date(2010, 11, 26))
    assert sent.summary == "interview requests queued for 6 partner(s); 6 message(s) sent"
    assert len(_outbox(tmp_path, "interview-request")) == 6
    body = _outbox(tmp_path, "interview-request")[0].read_text()
    assert "Monday 29 November 2010 at 10:00" in body and "15 November" not in body
    for key in ("chase:first", "chase:second", "chase:deadline"):
        tick.officer_skips(ctx, key, date(2010, 11, 26), "Mark Fretwell")
    assert [r["key"] for r in tick.held(ctx)] == ["questionnaires"]
    with pytest.raises(UserError, match=r"^nothing held under 'chase:first' \(held: questionnaires\)$"):
        tick.officer_skips(ctx, "chase:first", date(2010, 11, 26), "Mark Fretwell")


def test_papers_caught_up_after_their_meeting_are_held(config_dir, tmp_path):
    ctx = _ctx(config_dir, tmp_path)
    for action in tick.pending(ctx, date(2010, 11, 19)):  # everything up to 19 Nov done on its day
        tick.run(ctx, action, action.due)
    results = {r.action.key: r for r in _tick(ctx, date(2010, 12, 6))}  # back after the 3 December Board
    assert results["publish:lsp-board-2010-12-03"].held
    assert "the meeting (Fri 3 Dec 2010) has taken place" in results["publish:lsp-board-2010-12-03"].summary


def test_scs_pending_lists_then_skips(config_dir, tmp_path):
    ctx = _ctx(config_dir, tmp_path)
    for action in tick.pending(ctx, date(2010, 11, 26)):
        if action.kind == "request_interviews":
            tick.run(ctx, action, date(2010, 11, 26))
    args = ["--config-dir", str(config_dir), "--out-dir", str(tmp_path / "out"), "--state-dir",
            str(tmp_path / "state"), "--templates-dir", str(ROOT / "templates"), "pending"]
    listed = CliRunner().invoke(app, args)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.startswith("interview-requests (due 2010-11-01, held 2010-11-26): 4 of the 4 slots")
    skipped = CliRunner().invoke(app, [*args, "skip", "interview-requests", "--on", "2010-11-26"])
    assert skipped.exit_code == 0 and skipped.stdout == "skipped: interview-requests\n"
    assert CliRunner().invoke(app, args).stdout == "nothing is held\n"
    wrong = CliRunner().invoke(app, [*args, "send", "questionnaires"])
    assert wrong.exit_code == 2 and wrong.stderr == "error: nothing held under 'questionnaires' (nothing is held)\n"
