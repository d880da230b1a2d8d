"""A meeting re-arranged to another day: members' calendars end with one entry, on the new day.

The .ics files are read back with icalendar, as a calendar program would read them."""

from __future__ import annotations

import email
import json
import shutil
from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

from scs_refresh.approval.decisions import moves_of, record_decision, record_replan
from scs_refresh.automation import tick
from scs_refresh.automation.actions import moved_actions
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Replan, Store
from scs_refresh.mail.invitations import meeting_invitation
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT

CABINET = "cabinet-2011-05-10"
NEW_DAY = date(2011, 5, 19)


@pytest.fixture(scope="module")
def tt():
    return load_timetable(ROOT / "config" / "timetable.yaml")


def _event(ics: bytes):
    cal = Calendar.from_ical(ics)
    [ev] = cal.walk("VEVENT")
    return str(cal["method"]), ev


def _replan(seq, day, recorded):
    return Replan(seq, CABINET, day, "officer", datetime.combine(recorded, datetime.min.time()))


def test_a_move_is_counted_once_and_confirming_the_same_day_again_is_no_move():
    replans = [_replan(1, NEW_DAY, date(2011, 5, 11)), _replan(2, NEW_DAY, date(2011, 5, 12)),
               _replan(3, date(2011, 5, 24), date(2011, 5, 19))]
    moves = moves_of(replans, CABINET, date(2011, 5, 10))
    assert [(m.moved_from, m.moved_to) for m in moves] == [(date(2011, 5, 10), NEW_DAY), (NEW_DAY, date(2011, 5, 24))]


def test_each_move_is_an_action_on_the_day_it_was_recorded(tt):
    [action] = moved_actions(tt, [_replan(1, NEW_DAY, date(2011, 5, 11))])
    assert (action.key, action.kind, action.due) == (f"moved:{CABINET}@2011-05-19", "meeting_moved", date(2011, 5, 11))
    assert "Tue 10 May 2011 is moved to Thu 19 May 2011" in action.text


def test_the_update_keeps_the_uid_and_outranks_the_cancellation_of_the_old_slot(tt):
    event = tt.event[CABINET].model_copy(update={"date": NEW_DAY})
    stamp = datetime(2011, 5, 11, 6)
    first_method, first = _event(meeting_invitation(tt, tt.event[CABINET], "10:00", 60, "Dereham", stamp))
    cancel_method, cancel = _event(meeting_invitation(tt, event, "10:00", 60, "Dereham", stamp, moves=1,
                                                      cancel_slot=date(2011, 5, 10)))
    update_method, update = _event(meeting_invitation(tt, event, "10:00", 60, "Dereham", stamp, moves=1))
    assert (first_method, cancel_method, update_method) == ("REQUEST", "CANCEL", "REQUEST")
    assert first["uid"] == cancel["uid"] == update["uid"]
    assert (first["sequence"], cancel["sequence"], update["sequence"]) == (0, 1, 2)
    assert cancel["dtstart"].dt.date() == date(2011, 5, 10) and str(cancel["status"]) == "CANCELLED"
    assert update["dtstart"].dt.date() == NEW_DAY and "status" not in update


def _calendar_after(messages: list[bytes]) -> dict[str, tuple[int, date]]:
    """What an RFC 5546 calendar holds after the messages arrive in this order: by UID, (SEQUENCE, day);
    a message with a lower SEQUENCE than the entry's is out of date and ignored."""
    entries: dict[str, tuple[int, date]] = {}
    gone: dict[str, int] = {}
    for raw in messages:
        method, ev = _event(raw)
        uid, seq = str(ev["uid"]), int(ev["sequence"])
        known = entries.get(uid, (gone.get(uid, -1), None))[0]
        if seq < known:
            continue
        if method == "CANCEL":
            entries.pop(uid, None)
            gone[uid] = seq
        else:
            entries[uid] = (seq, ev["dtstart"].dt.date())
    return entries


@pytest.fixture
def moved(tmp_path):
    """The 2011 cycle: Cabinet defers on 10 May, the officer confirms 19 May on 11 May; the tick then runs."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    ctx = tick.Context.load(Dirs(ROOT / "config", tmp_path / "out", tmp_path / "state", templates), pdf=False,
                            env={})
    tt = ctx.timetable
    with Store.open(ctx.dirs.store) as store:
        for step in ("lsp-board-2011-04-07", "submission-2011-04-20", "cmt-2011-04-27",
                     "executive-board-2011-05-09"):
            if tt.event[step].type == "meeting":
                record_decision(store, tt, step, "approved", on=tt.event[step].date, by="officer",
                                at=datetime.combine(tt.event[step].date, datetime.min.time()))
        record_decision(store, tt, CABINET, "deferred", on=date(2011, 5, 10), by="officer",
                        at=datetime(2011, 5, 10, 17))
        record_replan(store, tt, CABINET, NEW_DAY, by="officer", at=datetime(2011, 5, 11, 9))
    return ctx


def _outbox(ctx, kind_prefix: str) -> list[email.message.Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted((ctx.dirs.out / "outbox").glob(kind_prefix))]


def _ics(msg) -> bytes:
    [part] = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True)


def test_members_are_told_once_and_their_calendars_end_with_one_entry_on_the_new_day(moved):
    ctx = moved
    assert [a.key for a in tick.pending(ctx, date(2011, 5, 10)) if a.kind == "meeting_moved"] == []  # not known yet
    [action] = [a for a in tick.pending(ctx, date(2011, 5, 11)) if a.kind == "meeting_moved"]
    result = tick.run(ctx, action, date(2011, 5, 11))
    members = [m for m in ctx.timetable.body["cabinet"].members if m.email]
    assert len(result.sent) == 2 * len(members)
    cancels, invites = _outbox(ctx, "moved--*cancel*.eml"), _outbox(ctx, "moved--*invite*.eml")
    assert len(cancels) == len(invites) == len(members)
    assert invites[0]["Subject"].endswith("(moved from Tue 10 May 2011)")
    assert "Tue 10 May 2011" in cancels[0]["Subject"]
    first = meeting_invitation(ctx.timetable, ctx.timetable.event[CABINET], "10:00", 60, "Dereham",
                               datetime(2011, 5, 1))
    for order in ([first, _ics(cancels[0]), _ics(invites[0])], [first, _ics(invites[0]), _ics(cancels[0])]):
        assert list(_calendar_after(order).values()) == [(2, NEW_DAY)]
    # exactly once: the tick on the next day, or the same action again, sends nothing more
    assert [a for a in tick.pending(ctx, date(2011, 5, 12)) if a.kind == "meeting_moved"] == []
    again = tick.run(ctx, action, date(2011, 5, 11))
    assert again.sent == [] and len(list((ctx.dirs.out / "outbox").glob("moved--*"))) == 2 * len(members)


def _published(ctx, pdf_bytes: int, agenda_minutes: int | None = 65):
    from scs_refresh.papers import publish

    folder = ctx.dirs.out / CABINET
    (folder / "pdf").mkdir(parents=True, exist_ok=True)
    (folder / "pack.docx").write_bytes(b"docx")
    (folder / "pdf" / "pack.pdf").write_bytes(b"%" * pdf_bytes)
    manifest = {"files": ["pack.docx", "pdf/pack.pdf"], "exempt": [], "pack": "pack.docx",
                "agenda_minutes": agenda_minutes}
    (folder / "papers.json").write_text(json.dumps(manifest))
    agenda = ctx.ws.need_papers().agenda
    event = ctx.scheduled(CABINET).event
    with Store.open(ctx.dirs.store) as store:
        moves = publish.Moves.of(store.replans(), CABINET, date(2011, 5, 10))
    invite = publish.invitation(ctx.dirs, ctx.timetable, event, agenda, datetime(2011, 5, 11, 7), moves)
    [first, *_] = publish.publication(ctx.dirs, ctx.timetable, event, manifest, "papers", invite, ctx.ws.mail, agenda,
                                      moves).messages
    return first, invite


def test_the_papers_email_gives_time_venue_and_the_pdf_within_the_bodys_limit(moved):
    message, invite = _published(moved, 1000)
    assert message.subject.endswith("moved from Tue 10 May 2011")
    assert "on Thursday 19 May 2011 at 10:00, at Elizabeth House, Walpole Loke, Dereham" in message.body
    assert [a.filename for a in message.attachments] == ["pack.docx", "pack.pdf", f"{CABINET}.ics"]
    _, ev = _event(invite.content)
    assert ev["dtend"].dt - ev["dtstart"].dt == timedelta(minutes=65)  # the agenda's length
    assert int(ev["sequence"]) == 2


def test_a_pack_over_the_limit_is_not_attached_and_the_email_says_where_it_is(moved):
    limit = moved.ws.need_papers().agenda.pack_limit("cabinet")
    message, _ = _published(moved, int(limit * 1_048_576) + 1)
    assert [a.filename for a in message.attachments] == ["pack.docx", f"{CABINET}.ics"]
    assert "is too large to send by e-mail" in message.body and f"public/{CABINET}/index.html" in message.body
