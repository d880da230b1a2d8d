"""templates/mail: the wording of every e-mail is an editable template, checked when the cycle's
config is loaded. With the bundled templates each message is exactly what the Python f-strings
they replaced produced (the texts below were captured from them, before the move)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from scs_refresh.core.errors import ConfigError
from scs_refresh.core.folders import Dirs
from scs_refresh.mail.dispatch import Attachment
from scs_refresh.mail.wording import COMMON, KINDS
from scs_refresh.papers import publish
from scs_refresh.partners import chasing, interviews, outreach, questionnaire
from scs_refresh.documents.render import Template
from scs_refresh.workspace import Workspace, check_all

from .conftest import ROOT

MEETING = "cabinet-2011-05-10"

# --- what each message said before its wording moved into templates/mail -------------------

QUESTIONNAIRE = ('SCS refresh: partner questionnaire for NHS Norfolk (Primary Care Trust) (please reply by Friday 12 November 2010)', """\
Dear Locality Commissioning Manager,

Breckland Partnership is refreshing the Sustainable Community Strategy for Breckland, as agreed by the LSP Board. We would value NHS Norfolk (Primary Care Trust)'s views. The attached questionnaire covers:

  1. Key priorities and focus
  2. Future commitment of time and resources
  3. Evidence of need and consultation data
  4. Links to current strategies or projects

Please type your answers into the boxes in the attached Word document and return it to lsp.officer@example.org by Friday 12 November 2010.

We would also like to meet you for a short one-to-one interview about the refresh and the Partnership moving forward; I will write separately with some dates.

Thank you,
Mark Fretwell
Partnership (LSP) Officer, Breckland Council

Reference: SCS-Q/scs-refresh-2010-11/nhs-norfolk
""")

QUESTIONNAIRE_NO_INTERVIEW = ('SCS refresh: partner questionnaire for Environment Agency (please reply by Friday 12 November 2010)', """\
Dear Partnerships Officer, Anglian Region,

Breckland Partnership is refreshing the Sustainable Community Strategy for Breckland, as agreed by the LSP Board. We would value Environment Agency's views. The attached questionnaire covers:

  1. Key priorities and focus
  2. Future commitment of time and resources
  3. Evidence of need and consultation data
  4. Links to current strategies or projects

Please type your answers into the boxes in the attached Word document and return it to lsp.officer@example.org by Friday 12 November 2010.

Thank you,
Mark Fretwell
Partnership (LSP) Officer, Breckland Council

Reference: SCS-Q/scs-refresh-2010-11/environment-agency
""")

REMINDER = ('Reminder: SCS refresh partner questionnaire for Breckland Business Forum (due Friday 12 November 2010)', """\
Dear Forum Secretary,

A reminder that Breckland Business Forum's partner questionnaire for the refresh of the Sustainable Community Strategy is due on Friday 12 November 2010. If you have already sent it, thank you, and please ignore this message.

The questionnaire was attached to my e-mail headed 'SCS refresh: partner questionnaire for Breckland Business Forum'; please return it to lsp.officer@example.org, or reply if you would like another copy.

Thank you,
Mark Fretwell
Partnership (LSP) Officer, Breckland Council

Reference: SCS-Q/scs-refresh-2010-11/business-forum
""")

DUE_TODAY_SPONSOR_COPIED = ('Due today: SCS refresh partner questionnaire for NHS Norfolk (Primary Care Trust) (due Friday 12 November 2010)', """\
Dear Locality Commissioning Manager,

A reminder that NHS Norfolk (Primary Care Trust)'s partner questionnaire for the refresh of the Sustainable Community Strategy is due today. If you have already sent it, thank you, and please ignore this message.

I have copied Director of Public Health so that NHS Norfolk (Primary Care Trust)'s views are not missed.

The questionnaire was attached to my e-mail headed 'SCS refresh: partner questionnaire for NHS Norfolk (Primary Care Trust)'; please return it to lsp.officer@example.org, or reply if you would like another copy.

Thank you,
Mark Fretwell
Partnership (LSP) Officer, Breckland Council

Reference: SCS-Q/scs-refresh-2010-11/nhs-norfolk
""")

INTERVIEW_REQUEST = ('SCS refresh: one-to-one interview with NHS Norfolk (Primary Care Trust)', """\
Dear NHS Norfolk representative,

As part of the refresh of the Sustainable Community Strategy I would like to meet you for a one-to-one interview of about 60 minutes to discuss the refresh, NHS Norfolk (Primary Care Trust)'s priorities and the Breckland Partnership moving forward.

Could you let me know which of these times suits you?

  - Monday 15 November 2010 at 10:00
  - Wednesday 17 November 2010 at 14:00
  - Tuesday 23 November 2010 at 10:00
  - Thursday 25 November 2010 at 14:00

If none does, please suggest another.

Thank you,
Mark Fretwell
Partnership (LSP) Officer, Breckland Council

Reference: SCS-Q/scs-refresh-2010-11/nhs-norfolk
""")

DRAFT_COMMENT = ('Draft Sustainable Community Strategy (version 2) for your comments', """\
Dear Locality Commissioning Manager,

Thank you for NHS Norfolk (Primary Care Trust)'s questionnaire return. The attached draft sections of the refreshed Sustainable Community Strategy draw on it; we would welcome your comments before the Breckland Partnership Board considers the draft.

Mark Fretwell
Partnership (LSP) Officer, Breckland Council
""")

REPORTS_DUE = ('Reports due Tuesday 19 April 2011: Cabinet', """\
The reports for Breckland Council Cabinet on Tuesday 10 May 2011 must be final by Tuesday 19 April 2011; the papers go out on Thursday 28 April 2011 (5 clear days (LGA 1972 s100B)).

Papers expected:
  - Sustainable Community Strategy 2011 - for recommendation to Full Council
  - Agenda
  - Agenda pack

The tool writes them from the state of the refresh on Tuesday 19 April 2011.

Still to put right in the timetable (the papers do not mention these; `scs plan` lists them):
  - 'Away day / workshop - the SCS refresh and the Breckland Partnership moving forward' was never dated and its window (Tue 1 Mar 2011 to Thu 31 Mar 2011) has passed
""")

PAPERS = ('Papers: Cabinet (Tuesday 10 May 2011)', """\
Dear Cabinet members,

Please find attached the papers for Breckland Council Cabinet on Tuesday 10 May 2011 at 10:00, at Elizabeth House, Walpole Loke, Dereham, and a calendar invitation.

The agenda pack is attached as a Word document.

Mark Fretwell
Partnership (LSP) Officer, Breckland Council
""")

PAPERS_EXEMPT = ('Papers: Cabinet (Tuesday 10 May 2011)', """\
Dear Cabinet members,

Please find attached the papers for Breckland Council Cabinet on Tuesday 10 May 2011 at 10:00, at Elizabeth House, Walpole Loke, Dereham, and a calendar invitation.

The agenda pack is attached as a Word document.

Items marked exempt (Local Government Act 1972, Schedule 12A) are confidential to members and are not published.

Mark Fretwell
Partnership (LSP) Officer, Breckland Council
""")

MEETING_REMINDER = ('Reminder: Cabinet, Tuesday 10 May 2011', """\
Dear Cabinet members,

A reminder that Breckland Council Cabinet meets on Tuesday 10 May 2011. The papers were sent on publication; the calendar invitation is attached.

Mark Fretwell
""")


def _workspace(tmp_path: Path, templates: Path = ROOT / "templates") -> Workspace:
    return Workspace.load(Dirs(config=ROOT / "config", out=tmp_path / "out", state=tmp_path / "state",
                               templates=templates))


def _reminder(ws: Workspace, partner_id: str, on: date):
    cfg = ws.partners
    [due] = chasing.due_reminders(cfg, on, {partner_id: date(2010, 10, 15)}, set(), {})
    return chasing.reminder_message(cfg, ws.timetable.cycle, due, ws.mail)


def _papers(ws: Workspace, exempt: bool):
    event = next(s.event for s in ws.timetable.schedule if s.event.id == MEETING)
    folder = ws.dirs.out / MEETING
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("report.docx", "confidential.docx"):
        (folder / name).write_bytes(b"docx")
    manifest = {"files": ["report.docx", "confidential.docx"], "exempt": ["confidential.docx"] if exempt else []}
    invite = Attachment(f"{MEETING}.ics", b"ics", "text/calendar")
    [message] = publish.publication(ws.dirs, ws.timetable, event, manifest, "papers", invite, ws.mail,
                                      ws.need_papers().agenda).messages
    return message


def _build(name: str, ws: Workspace, tmp_path: Path):
    """The message called ``name`` above, built as the tick builds it."""
    setup, cycle, tt = ws.outreach(), ws.timetable.cycle, ws.timetable
    scheduled = next(s for s in tt.schedule if s.event.id == MEETING)
    invite = Attachment(f"{MEETING}.ics", b"ics", "text/calendar")
    if name == "QUESTIONNAIRE":
        qs = questionnaire.Questionnaires(ws.partners, cycle, Template(ROOT / "templates" / "questionnaire_tpl.docx"),
                                          ws.mail)
        return qs.message(ws.partners.partner["nhs-norfolk"])
    if name == "QUESTIONNAIRE_NO_INTERVIEW":
        return questionnaire.covering_email(ws.partners, cycle, ws.partners.partner["environment-agency"], ws.mail)
    if name == "REMINDER":
        return _reminder(ws, "business-forum", date(2010, 11, 5))
    if name == "DUE_TODAY_SPONSOR_COPIED":
        return _reminder(ws, "nhs-norfolk", date(2010, 11, 12))
    if name == "INTERVIEW_REQUEST":
        return interviews.request_message(ws.partners, cycle, ws.partners.partner["nhs-norfolk"], ws.mail)
    if name == "DRAFT_COMMENT":
        (tmp_path / "draft.docx").write_bytes(b"docx")
        [message] = outreach.draft_for_comment(setup, tmp_path / "draft.docx", 2, ["nhs-norfolk"])
        return message
    if name == "REPORTS_DUE":
        return publish.officer_reminder(tt, scheduled, "officer-reminder", ws.mail, date(2011, 4, 12))
    if name in ("PAPERS", "PAPERS_EXEMPT"):
        return _papers(ws, exempt=name == "PAPERS_EXEMPT")
    if name in ("MEETING_MOVED", "MEETING_CANCELLED"):
        moved = scheduled.event.model_copy(update={"date": date(2011, 5, 19)})
        messages = publish.moved(ws.dirs, tt, moved, publish.Moves(1, scheduled.event.date), ws.need_papers().agenda,
                                 "moved", datetime(2011, 5, 11, 7), ws.mail)
        return next(m for m in messages if m.kind == name.lower().replace("_", "-"))
    if name == "MEETING_RECORD":
        document = tmp_path / "draft-minutes-2011-05-10.docx"
        document.write_bytes(b"docx")
        [message] = publish.meeting_record(tt, scheduled.event, scheduled.event.date, document, "minutes", ws.mail,
                                           minutes=True)
        return message
    if name == "MEETING_REMINDER":
        [message] = publish.member_reminders(tt, scheduled.event, "member-reminder", invite, ws.mail)
        return message
    raise AssertionError(name)


MEETING_MOVED = ('Moved: Cabinet, now Thursday 19 May 2011 (moved from Tue 10 May 2011)', """\
Dear Cabinet members,

The meeting of Breckland Council Cabinet arranged for Tue 10 May 2011 has been moved to Thursday 19 May 2011 at \
10:00, at Elizabeth House, Walpole Loke, Dereham. The attached invitation moves the entry in your calendar; the papers \
follow when they are published.

Mark Fretwell
Partnership (LSP) Officer, Breckland Council
""")

MEETING_CANCELLED = ('Cancelled: Cabinet, Tue 10 May 2011 (moved to Thursday 19 May 2011)', """\
Dear Cabinet members,

The meeting of Breckland Council Cabinet on Tue 10 May 2011 will not take place on that day: it has been moved to \
Thursday 19 May 2011. The attached cancellation clears the old slot from your calendar; the invitation for the new day \
follows separately.

Mark Fretwell
Partnership (LSP) Officer, Breckland Council
""")

MEETING_RECORD = ('Draft minutes: Cabinet (Tuesday 10 May 2011)', """\
Dear Cabinet members,

Please find attached the draft minutes of Breckland Council Cabinet, which met on Tuesday 10 May 2011.
They are a draft, to be confirmed as a correct record at the next meeting; please tell me of any correction.

Mark Fretwell
Partnership (LSP) Officer, Breckland Council
""")


EXPECTED = {name: value for name, value in globals().items() if name.isupper() and isinstance(value, tuple)}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bundled_templates_word_each_message_exactly_as_before(name, tmp_path):
    built = _build(name, _workspace(tmp_path), tmp_path)
    subject, body = built if isinstance(built, tuple) else (built.subject, built.body)
    assert (subject, body) == EXPECTED[name]


def test_every_kind_of_message_is_covered():
    kinds = {"QUESTIONNAIRE": "questionnaire", "REMINDER": "reminder", "INTERVIEW_REQUEST": "interview-request",
             "DRAFT_COMMENT": "draft-comment", "REPORTS_DUE": "officer-reminder", "PAPERS": "papers",
             "MEETING_REMINDER": "meeting-reminder", "MEETING_MOVED": "meeting-moved",
             "MEETING_CANCELLED": "meeting-cancelled", "MEETING_RECORD": "meeting-record"}
    assert set(kinds) <= set(EXPECTED) and set(kinds.values()) == set(KINDS)


def test_the_sponsor_is_copied_exactly_when_the_wording_says_so(tmp_path):
    ws = _workspace(tmp_path)
    first, last = _reminder(ws, "nhs-norfolk", date(2010, 11, 5)), _reminder(ws, "nhs-norfolk", date(2010, 11, 12))
    assert first.cc == () and "copied" not in first.body
    assert [c.name for c in last.cc] == ["Director of Public Health"] and "I have copied Director" in last.body


def test_values_are_shown_literally_never_read_as_template_code(tmp_path):
    ws = _workspace(tmp_path)
    nasty = "Smith & Sons <Ltd> {{ 7*7 }} {% if x %}"
    partner = ws.partners.partner["business-forum"].model_copy(update={"name": nasty})
    subject, body = questionnaire.covering_email(ws.partners, ws.timetable.cycle, partner, ws.mail)
    assert subject.startswith(f"SCS refresh: partner questionnaire for {nasty} (")
    assert f"We would value {nasty}'s views." in body


# --- the officer edits the wording ----------------------------------------------------------

def _copy_templates(tmp_path: Path) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "mail", templates / "mail")
    return templates


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new, 1))


def test_an_officer_edits_the_reminder_and_the_next_reminder_says_it(tmp_path):
    templates = _copy_templates(tmp_path)
    before = _reminder(_workspace(tmp_path, templates), "business-forum", date(2010, 11, 5))
    reminder = templates / "mail" / "reminder.txt"
    _edit(reminder, "{% else %}Reminder{% endif %}", "{% else %}A gentle reminder{% endif %}")
    _edit(reminder, "and please ignore this message.", "and please ignore this e-mail.\n\n"
                    "{% if not due_today %}There is still time: the deadline is {{ deadline }}.{% endif %}")
    after = _reminder(_workspace(tmp_path, templates), "business-forum", date(2010, 11, 5))  # no restart
    assert before.subject == EXPECTED["REMINDER"][0]
    assert after.subject == before.subject.replace("Reminder:", "A gentle reminder:", 1)
    assert "please ignore this e-mail.\n\nThere is still time: the deadline is Friday 12 November 2010.\n" in after.body
    assert "ignore this message" not in after.body


def scs(*args: str) -> subprocess.CompletedProcess:
    """The real console script, as the officer runs it."""
    return subprocess.run([str(Path(sys.executable).parent / "scs"), *args], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ), timeout=60)


@pytest.mark.parametrize("file, old, new, line, message", [
    ("reminder.txt", "{{ sponsor_name }}", "{{ sponsor }}", 8,
     "unknown variable {{ sponsor }} (this e-mail may use: contact_name, deadline, due_today, officer_name, "
     "officer_role, partner_name, partnership, reference, reply_to, sponsor_copied, sponsor_name); check the "
     "spelling, templates/README.md lists what each holds"),
    ("papers.txt", "Dear {{ member_name }},", "Dear {{ member_name },", 3,
     "not a valid template: unexpected '}'; check the {% %} and {{ }} tags"),
])
def test_a_template_mistake_is_one_line_naming_file_and_line_from_scs_check(tmp_path, file, old, new, line, message):
    templates = _copy_templates(tmp_path)
    _edit(templates / "mail" / file, old, new)
    proc = scs("--config-dir", str(ROOT / "config"), "--templates-dir", str(templates), "check")
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    errors = [x for x in proc.stderr.splitlines() if not x.startswith("warning: ")]  # the 2011 election's
    assert errors == [f"error: {templates / 'mail' / file}:{line}: {message}"]


@pytest.mark.parametrize("file, old, new, line, message", [
    ("reports-due.txt", "Subject: Reports due {{ report_deadline }}", "Subject: Reports due {{ report_date }}", 1,
     "unknown variable {{ report_date }}"),
    ("interview-request.txt", "{% endfor %}\n", "", 18, "not a valid template: Unexpected end of template"),
    ("draft-comment.txt", "Subject: ", "Subj: ", 1, "the first line must be the subject, written 'Subject: ...'"),
    ("meeting-reminder.txt", "\n\nDear", "\nDear", 2, "the second line must be blank"),
    ("questionnaire.txt", "{{ deadline }})", "{{ deadline|in_words }})", 1,
     "not a valid template: No filter named 'in_words'"),
])
def test_more_template_mistakes_are_located(tmp_path, file, old, new, line, message):
    templates = _copy_templates(tmp_path)
    _edit(templates / "mail" / file, old, new)
    with pytest.raises(ConfigError) as err:
        check_all(ROOT / "config", templates)
    [problem] = err.value.lines()
    assert problem.startswith(f"{templates / 'mail' / file}:{line}: {message}"), problem


def test_a_missing_template_is_one_line_naming_the_file(tmp_path):
    templates = _copy_templates(tmp_path)
    (templates / "mail" / "meeting-reminder.txt").unlink()
    proc = scs("--config-dir", str(ROOT / "config"), "--templates-dir", str(templates), "check")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert [x for x in proc.stderr.splitlines() if not x.startswith("warning: ")] == [
        f"error: {templates / 'mail' / 'meeting-reminder.txt'}: file not found; it holds the wording of the members' "
        "reminder before a meeting (copy it from the templates/mail folder that comes with the tool)"]


def test_without_a_mail_folder_a_message_names_the_template_it_needs(tmp_path):
    ws = _workspace(tmp_path, tmp_path / "no-templates")  # the config alone loads: nothing is sent yet
    with pytest.raises(ConfigError) as err:
        _reminder(ws, "business-forum", date(2010, 11, 5))
    [line] = err.value.lines()
    assert line.startswith(f"{tmp_path / 'no-templates' / 'mail' / 'reminder.txt'}: file not found")


def test_templates_readme_lists_every_file_and_variable():
    readme = (ROOT / "templates" / "README.md").read_text()
    for kind in KINDS.values():
        assert f"`{kind.file}`" in readme
        for name in kind.variables | COMMON:
            assert f"`{name}`" in readme, name
