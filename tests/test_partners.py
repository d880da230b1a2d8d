"""Partners: the Word questionnaire, responses in (docx, CSV, XLSX), chasing, interviews, status."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document

from scs_refresh.core.errors import ConfigError, UserError
from scs_refresh.partners import chasing, interviews, questionnaire, responses
from scs_refresh.partners import outreach as service
from scs_refresh.as_at import records_on
from scs_refresh.documents.render import Template, TemplateError
from scs_refresh.partners.status import status
from scs_refresh.core.folders import Dirs
from scs_refresh.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SENT = datetime(2010, 10, 15, 9, 0)


@pytest.fixture
def setup(config_dir: Path, tmp_path: Path) -> service.Setup:
    return Workspace.load(Dirs(config=config_dir, out=tmp_path / "out", state=tmp_path / "state",
                               templates=ROOT / "templates")).outreach()


def _docx(setup: service.Setup, partner_id: str, **changes) -> bytes:
    partner = setup.partners.partner[partner_id].model_copy(update=changes)
    qs = questionnaire.Questionnaires(setup.partners, setup.timetable.cycle,
                                      Template(setup.dirs.templates / "questionnaire_tpl.docx"), setup.wording)
    return qs.message(partner).attachments[0].content


def _fill(data: bytes, answers: dict[str, list[str]]) -> Document:
    """Type answers into the boxes the way a partner does in Word: into the cell under each question."""
    doc = Document(io.BytesIO(data))
    tables = iter(doc.tables)
    for p in doc.paragraphs:
        ref = p.text.split(" ", 1)[0]
        if ref.startswith("Q"):
            cell = next(tables).cell(0, 0)
            for i, line in enumerate(answers.get(ref, [])):
                (cell.paragraphs[0] if i == 0 else cell.add_paragraph()).add_run(line)
    return doc


# -- the Word questionnaire ------------------------------------------------------------------
def test_questionnaire_is_a4_personalised_with_one_box_per_question(setup):
    doc = Document(io.BytesIO(_docx(setup, "norfolk-constabulary")))
    text = "\n".join(p.text for p in doc.paragraphs)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "For: Norfolk Constabulary" in text
    assert "by Friday 12 November 2010" in text
    assert "Reference: SCS-Q/scs-refresh-2010-11/norfolk-constabulary" in text
    assert doc.core_properties.identifier == "SCS-Q/scs-refresh-2010-11/norfolk-constabulary"
    assert len(doc.tables) == len(setup.partners.questionnaire.numbered) == 10
    assert all(len(t.rows) == 1 and len(t.columns) == 1 for t in doc.tables)
    assert "{{" not in text and "{%" not in text


def test_names_are_rendered_literally_not_as_markup_or_template(setup):
    nasty = "Smith & Sons <Ltd> {{ 7*7 }} {% if x %}"
    doc = Document(io.BytesIO(_docx(setup, "business-forum", name=nasty)))
    assert f"For: {nasty} (for" in "\n".join(p.text for p in doc.paragraphs)


def test_a_template_asking_for_an_unknown_field_is_refused(setup, tmp_path: Path):
    bad = Document()
    bad.add_paragraph("{{ partner_name }} {{ budget_code }}")
    bad.save(tmp_path / "bad_tpl.docx")
    template = Template(tmp_path / "bad_tpl.docx")
    p = setup.partners.partners[0]
    with pytest.raises(TemplateError, match=r"bad_tpl.docx: no value for template field\(s\) budget_code"):
        template.render(questionnaire.context(setup.partners, setup.timetable.cycle, p))


def test_covering_email_names_partner_deadline_and_areas(setup):
    p = setup.partners.partner["nhs-norfolk"]
    _, body = questionnaire.covering_email(setup.partners, setup.timetable.cycle, p, setup.wording)
    assert body.startswith("Dear Locality Commissioning Manager,")
    assert "by Friday 12 November 2010" in body and "4. Links to current strategies or projects" in body
    assert "one-to-one interview" in body  # NHS Norfolk is flagged for one


# -- responses in: .docx ---------------------------------------------------------------------
def test_filled_in_docx_is_recognised_and_answers_kept_literally(setup, tmp_path: Path):
    doc = _fill(_docx(setup, "voluntary-norfolk"), {
        "Q1.1": ["Rural isolation & transport", "<b>Volunteering</b> {{ 7*7 }}"],
        "Q1.2": ["Yes"], "Q2.2": ["Maybe"], "Q4.2": ["Befriending scheme"]})
    doc.save(tmp_path / "returned.docx")
    got = responses.read_docx(tmp_path / "returned.docx", setup.partners, setup.timetable.cycle, date(2010, 11, 2))
    assert got.partner_id == "voluntary-norfolk"
    assert got.answers == {"priorities": "Rural isolation & transport\n<b>Volunteering</b> {{ 7*7 }}",
                           "scs-still-relevant": "Yes", "board-attendance": "Maybe", "projects": "Befriending scheme"}
    assert "Q2.2 (board-attendance) expects Yes or No" in got.problems
    assert "Q2.1 (commitment) is required but blank" in got.problems


def test_reimporting_a_docx_updates_the_response(setup, tmp_path: Path):
    path = tmp_path / "returned.docx"
    with setup.store() as store:
        _fill(_docx(setup, "jobcentre-plus"), {"Q1.1": ["Jobs"]}).save(path)
        assert responses.import_responses(store, path, setup.partners, setup.timetable.cycle, date(2010, 11, 2),
                                          SENT) == {"jobcentre-plus": "new"}
        _fill(_docx(setup, "jobcentre-plus"), {"Q1.1": ["Jobs and skills"]}).save(path)
        assert responses.import_responses(store, path, setup.partners, setup.timetable.cycle, date(2010, 11, 3),
                                          SENT) == {"jobcentre-plus": "updated"}
        [resp] = store.responses().values()
    assert resp.answers == {"priorities": "Jobs and skills"} and resp.imports == 2


def test_a_docx_that_is_not_ours_is_refused(setup, tmp_path: Path):
    Document().save(tmp_path / "letter.docx")
    with pytest.raises(ConfigError, match=r"letter\.docx: not one of our questionnaires"):
        responses.read_docx(tmp_path / "letter.docx", setup.partners, setup.timetable.cycle, date(2010, 11, 2))


def test_a_docx_for_an_unknown_partner_is_refused_and_nothing_stored(setup, tmp_path: Path):
    data = _docx(setup, "business-forum", id="chamber-of-trade")
    (tmp_path / "q.docx").write_bytes(data)
    with setup.store() as store, pytest.raises(ConfigError, match="q.docx: partner 'chamber-of-trade' is not in"):
        responses.import_responses(store, tmp_path / "q.docx", setup.partners, setup.timetable.cycle,
                                   date(2010, 11, 2), SENT)
    with setup.store() as store:
        assert store.responses() == {}


def test_a_file_that_is_not_a_docx_is_refused(setup, tmp_path: Path):
    (tmp_path / "fake.docx").write_text("hello")
    with pytest.raises(ConfigError, match="fake.docx: not a Word .docx file"):
        responses.read_docx(tmp_path / "fake.docx", setup.partners, setup.timetable.cycle, date(2010, 11, 2))


# -- responses in: CSV / XLSX survey exports -------------------------------------------------
def _survey(setup, rows: list[dict]) -> list[dict]:
    base = {q.id: "" for _, q in setup.partners.questionnaire.numbered}
    return [{"partner_id": r.pop("partner_id"), **base, **r} for r in rows]


def test_csv_export_one_row_per_partner(setup, tmp_path: Path):
    import pandas as pd

    rows = _survey(setup, [{"partner_id": "nhs-norfolk", "priorities": "Health =1+1", "received_on": "05/11/2010"},
                           {"partner_id": "environment-agency", "evidence": "Flood risk maps"}])
    pd.DataFrame(rows).to_csv(tmp_path / "survey.csv", index=False)
    got = responses.read_table(tmp_path / "survey.csv", setup.partners, date(2010, 11, 8))
    assert [(r.partner_id, r.answers, r.received_on) for r in got] == [
        ("nhs-norfolk", {"priorities": "Health =1+1"}, date(2010, 11, 5)),
        ("environment-agency", {"evidence": "Flood risk maps"}, date(2010, 11, 8))]


def test_xlsx_export_with_reference_headers(setup, tmp_path: Path):
    import pandas as pd

    refs = dict((q.id, ref) for ref, q in setup.partners.questionnaire.numbered)
    rows = _survey(setup, [{"partner_id": "norfolk-probation", "priorities": "Reducing reoffending"}])
    pd.DataFrame([{refs.get(k, k): v for k, v in r.items()} for r in rows]).to_excel(tmp_path / "s.xlsx", index=False)
    with setup.store() as store:
        assert responses.import_responses(store, tmp_path / "s.xlsx", setup.partners, setup.timetable.cycle,
                                          date(2010, 11, 8), SENT) == {"norfolk-probation": "new"}
        assert store.responses()["norfolk-probation"].answers == {"priorities": "Reducing reoffending"}


def test_csv_missing_columns_is_refused(setup, tmp_path: Path):
    (tmp_path / "survey.csv").write_text("partner_id,priorities\nnhs-norfolk,Health\n")
    with pytest.raises(ConfigError, match=r"survey\.csv: missing columns: scs-still-relevant, gaps-barriers"):
        responses.read_table(tmp_path / "survey.csv", setup.partners, date(2010, 11, 8))


def test_csv_with_unknown_partner_stores_nothing(setup, tmp_path: Path):
    import pandas as pd

    rows = _survey(setup, [{"partner_id": "nhs-norfolk", "priorities": "Health"},
                           {"partner_id": "acme-ltd", "priorities": "Profit"}])
    pd.DataFrame(rows).to_csv(tmp_path / "survey.csv", index=False)
    with setup.store() as store:
        with pytest.raises(ConfigError, match=r"survey\.csv: row 3: partner 'acme-ltd' is not in partners.yaml"):
            responses.import_responses(store, tmp_path / "survey.csv", setup.partners, setup.timetable.cycle,
                                       date(2010, 11, 8), SENT)
        assert store.responses() == {}


def test_an_unsupported_file_type_is_refused(setup, tmp_path: Path):
    (tmp_path / "answers.pdf").write_bytes(b"%PDF")
    with pytest.raises(ConfigError, match=r"answers\.pdf: a \.pdf file is not something this tool imports: give a returned questionnaire"):
        responses.read_file(tmp_path / "answers.pdf", setup.partners, setup.timetable.cycle, date(2010, 11, 8))


# -- chasing (pure) --------------------------------------------------------------------------
@pytest.mark.parametrize("on, expected", [
    (date(2010, 11, 4), []),                       # before the first reminder
    (date(2010, 11, 5), ["first"]),                # 7 days before the 12 November deadline
    (date(2010, 11, 9), ["first"]),                # missed days: still only the latest owed
    (date(2010, 11, 10), ["second"]),
    (date(2010, 11, 12), ["deadline"]),
])
def test_due_reminders_latest_owed_only(setup, on, expected):
    due = chasing.due_reminders(setup.partners, on, {"nhs-norfolk": date(2010, 10, 15)}, set(), {})
    assert [d.reminder.id for d in due] == expected


def test_due_reminders_skip_respondents_unsent_and_already_reminded(setup):
    sent = {p.id: date(2010, 10, 15) for p in setup.partners.partners[:3]}
    first, second, third = (p.id for p in setup.partners.partners[:3])
    due = chasing.due_reminders(setup.partners, date(2010, 11, 10), sent, responded={first},
                                reminded={second: {"second"}})
    assert [(d.partner.id, d.reminder.id) for d in due] == [(third, "second")]
    later = chasing.due_reminders(setup.partners, date(2010, 11, 5), sent, set(), reminded={third: {"second"}})
    assert third not in [d.partner.id for d in later]  # never an earlier reminder after a later one


def test_deadline_reminder_copies_the_sponsor(setup):
    [due] = chasing.due_reminders(setup.partners, date(2010, 11, 12), {"nhs-norfolk": date(2010, 10, 15)}, set(), {})
    msg = chasing.reminder_message(setup.partners, setup.timetable.cycle, due, setup.wording)
    assert [c.email for c in msg.cc] == ["public.health@nhs.example.org"]
    assert msg.subject.startswith("Due today") and "copied Director of Public Health" in msg.body


# -- interviews and status -------------------------------------------------------------------
def test_interviews_request_record_and_incomplete(setup):
    cycle = setup.timetable.cycle
    with setup.store() as store:
        asked = interviews.queue_requests(store, setup.partners, cycle, setup.delivery.sender, date(2010, 11, 1), SENT,
                                          setup.wording)
        assert asked == [p.id for p in setup.partners.partners if p.interview]
        assert interviews.queue_requests(store, setup.partners, cycle, setup.delivery.sender,
                                         date(2010, 11, 2), SENT, setup.wording) == []
        interviews.record(store, setup.partners, "nhs-norfolk", agreed_at=datetime(2010, 11, 17, 14),
                          on=date(2010, 11, 3))
        interviews.record(store, setup.partners, "breckland-council", notes="Wants fewer, sharper priorities",
                          on=date(2010, 11, 19))
        with pytest.raises(UserError, match="no partner 'nobody'"):
            interviews.record(store, setup.partners, "nobody", held=True, on=date(2010, 11, 19))
        known = store.interviews()
        left = {i.partner.id: i.state for i in interviews.incomplete(known, setup.partners)}
        assert "breckland-council" not in left
        assert left["nhs-norfolk"] == "agreed for Wednesday 17 November 2010 at 14:00"
        assert interviews.stage_warning(known, setup.partners, setup.timetable, date(2010, 11, 20)) is None
        warning = interviews.stage_warning(known, setup.partners, setup.timetable, date(2011, 2, 1))
        assert warning.startswith(f"{len(left)} interviews incomplete; they were due by the end of the Testing stage")
        request = store.raw(interviews.request_key(cycle, "nhs-norfolk")).decode()
        assert "Wednesday 17 November 2010 at 14:00" in request


def test_status_shows_sent_reminded_responded_overdue(setup):
    service.queue_questionnaires(setup, SENT)
    service.deliver(setup, SENT)
    due = service.queue_chase(setup, date(2010, 11, 5), datetime(2010, 11, 5, 9))
    report = service.deliver(setup, datetime(2010, 11, 5, 9))
    summary = service.chase_summary(setup, due, report)
    assert "| NHS Norfolk (Primary Care Trust) | first | 2010-11-05 | no | yes |" in summary
    assert summary.count("| first |") == 12
    with setup.store() as store:
        store.save_response(partner_id="nhs-norfolk", received_on=date(2010, 11, 8), source_file="f",
                            source_kind="csv", answers={}, problems=[], at=SENT)
    rows = {r.partner_id: r for r in status(records_on(setup.dirs.store, date(2010, 11, 13)), setup.partners,
                                            setup.timetable.cycle, date(2010, 11, 13))}
    assert rows["nhs-norfolk"].responded_on == date(2010, 11, 8) and not rows["nhs-norfolk"].overdue
    assert rows["business-forum"].sent == "sent 2010-10-15"
    assert rows["business-forum"].reminders == [("first", date(2010, 11, 5))]
    assert rows["business-forum"].overdue
    # as at a day before it arrived, the response does not count yet
    earlier = {r.partner_id: r for r in status(records_on(setup.dirs.store, date(2010, 11, 7)), setup.partners,
                                               setup.timetable.cycle, date(2010, 11, 7))}
    assert earlier["nhs-norfolk"].responded_on is None
