"""The bundled 2010/11 timetable, its derived deadlines, and every kind of bad timetable."""

from datetime import date
from pathlib import Path

import pytest

from scs_refresh.core.errors import ConfigError
from scs_refresh.timetable.model import as_json, load_timetable

from .conftest import ROOT

BUNDLED = ROOT / "config" / "timetable.yaml"


@pytest.fixture(scope="module")
def tt():
    return load_timetable(BUNDLED)


def test_four_stages_in_order_with_seed_windows(tt):
    assert [(s.id, s.window.start, s.window.end) for s in tt.stages] == [
        ("scoping", date(2010, 10, 1), date(2010, 11, 30)),
        ("testing", date(2010, 12, 1), date(2011, 1, 31)),
        ("draft", date(2011, 2, 1), date(2011, 3, 31)),
        ("approval", date(2011, 4, 1), date(2011, 5, 31)),
    ]
    questionnaire = next(a for a in tt.stage["scoping"].activities if a.id == "partner-questionnaire")
    assert questionnaire.detail == ["Key priorities and focus", "Future commitment of time and resources",
                                    "Evidence of need and consultation data", "Links to current strategies or projects"]


def test_every_dated_event_from_the_seed(tt):
    dated = [(s.event.date, s.event.body) for s in tt.schedule if not s.event.tba]
    assert dated == [
        (date(2010, 10, 7), "lsp-board"), (date(2010, 12, 3), "lsp-board"), (date(2011, 2, 3), "lsp-board"),
        (date(2011, 4, 7), "lsp-board"), (date(2011, 4, 20), None), (date(2011, 4, 27), "cmt"),
        (date(2011, 5, 9), "executive-board"), (date(2011, 5, 10), "cabinet"),
        (date(2011, 5, 12), "full-council"), (date(2011, 5, 19), "lsp-board"),
    ]


def test_away_day_is_a_window_not_a_date(tt):
    away = tt.event["away-day-2011-03"]
    assert away.tba and away.date is None
    assert (away.to_be_arranged.start, away.to_be_arranged.end) == (date(2011, 3, 1), date(2011, 3, 31))
    sched = next(s for s in tt.schedule if s.event.id == away.id)
    assert sched.publication_deadline is None and sched.report_deadline is None


@pytest.mark.parametrize("event_id, published, report", [
    ("lsp-board-2010-12-03", date(2010, 11, 25), date(2010, 11, 18)),
    ("lsp-board-2011-02-03", date(2011, 1, 26), date(2011, 1, 19)),
    ("lsp-board-2011-04-07", date(2011, 3, 30), date(2011, 3, 23)),
    ("cmt-2011-04-27", date(2011, 4, 20), date(2011, 4, 13)),  # seed: submitted 20 April
    ("executive-board-2011-05-09", date(2011, 4, 27), date(2011, 4, 18)),
    ("cabinet-2011-05-10", date(2011, 4, 28), date(2011, 4, 19)),
    ("full-council-2011-05-12", date(2011, 5, 4), date(2011, 4, 21)),
    ("lsp-board-2011-05-19", date(2011, 5, 11), date(2011, 5, 4)),
])
def test_deadlines(tt, event_id, published, report):
    s = next(s for s in tt.schedule if s.event.id == event_id)
    assert (s.publication_deadline, s.report_deadline) == (published, report)


def test_approval_chain_positions(tt):
    chain = {s.event.id: s.chain_position for s in tt.schedule if s.chain_position}
    assert list(chain) == tt.approval_chain and list(chain.values()) == [1, 2, 3, 4, 5, 6]


def test_each_meeting_knows_its_body_papers_and_recipients(tt):
    events = {e["id"]: e for e in as_json(tt)["events"]}
    exec_board = events["executive-board-2011-05-09"]
    assert exec_board["body_kind"] == "council_committee"
    assert {p["kind"] for p in exec_board["papers"]} == {"committee_report", "agenda", "board_pack"}
    assert "public inspection" in exec_board["recipients"]
    cmt = events["cmt-2011-04-27"]
    assert cmt["body_kind"] == "officer_group" and "public inspection" not in cmt["recipients"]
    assert any("lsp.chair@example.org" in r for r in events["lsp-board-2010-12-03"]["recipients"])


def test_a_future_cycle_is_planned_by_editing_dates_only(tmp_path):
    text = BUNDLED.read_text()
    for old, new in [("2010-", "2012-"), ("2011-", "2013-")]:
        text = text.replace(old, new)
    (tmp_path / "timetable.yaml").write_text(text)
    tt = load_timetable(tmp_path / "timetable.yaml")
    s = next(s for s in tt.schedule if s.event.id == "executive-board-2013-05-09")
    # Thu 9 May 2013: clear days 8, 7, 3, 2, 1 May (Mon 6 May 2013 is a bank holiday).
    assert s.event.date == date(2013, 5, 9)
    assert s.publication_deadline == date(2013, 4, 30)


# --- bad timetables: each gives file, line, key path and a plain sentence -----------------

def broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = BUNDLED.read_text()
    assert old in text, old
    path = tmp_path / "timetable.yaml"
    path.write_text(text.replace(old, new, count))
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as exc:
        load_timetable(path)
    lines = exc.value.lines()
    assert all(line.startswith(f"{path}:") and "\n" not in line for line in lines)
    return lines[0]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_unknown_key(tmp_path):
    path = broken(tmp_path, "    fed_by: testing\n", "    fed_by: testing\n    chiar: Fred\n")
    msg = error_of(path)
    assert f":{line_of(path, 'chiar')}: events[2].chiar: unknown key 'chiar'" in msg


def test_impossible_date(tmp_path):
    path = broken(tmp_path, "date: 2011-05-10", "date: 2011-02-30")
    msg = error_of(path)
    assert "events[8].date: 2011-02-30 is not a real date" in msg
    assert f":{line_of(path, '2011-02-30')}:" in msg


def test_date_in_the_wrong_format(tmp_path):
    msg = error_of(broken(tmp_path, "date: 2011-05-10", "date: 10/05/2011"))
    assert "events[8].date: '10/05/2011' is not a date; write it as YYYY-MM-DD" in msg


def test_stages_overlapping(tmp_path):
    msg = error_of(broken(tmp_path, "{start: 2010-12-01, end: 2011-01-31}", "{start: 2010-11-20, end: 2011-01-31}"))
    assert "stages[1].window.start: stage 'testing' starts Sat 20 Nov 2010, while stage 'scoping' runs until" in msg


def test_stages_out_of_order(tmp_path):
    msg = error_of(broken(tmp_path, "{start: 2011-02-01, end: 2011-03-31}", "{start: 2010-09-01, end: 2010-09-30}"))
    assert "stages[2].window.start: stage 'draft' starts Wed 1 Sep 2010, before the stage listed before it" in msg


def test_window_ending_before_it_starts(tmp_path):
    msg = error_of(broken(tmp_path, "{start: 2011-04-01, end: 2011-05-31}", "{start: 2011-05-31, end: 2011-04-01}"))
    assert "stages[3].window: the window ends (2011-04-01) before it starts (2011-05-31)" in msg


def test_meeting_outside_its_stage(tmp_path):
    msg = error_of(broken(tmp_path, "date: 2011-02-03", "date: 2011-01-27"))
    assert "events[2].date: Thu 27 Jan 2011 is outside the draft stage" in msg


def test_meeting_outside_its_stage_is_allowed_when_marked(tmp_path):
    path = broken(tmp_path, "    date: 2011-02-03\n",
                  "    date: 2011-01-27\n    outside_stage: Board brought forward by the Chair\n")
    assert load_timetable(path).event["lsp-board-2011-02-03"].date == date(2011, 1, 27)


def test_committee_chain_out_of_order(tmp_path):
    # Cabinet moved before the Executive Board (still inside the approval stage).
    msg = error_of(broken(tmp_path, "date: 2011-05-10", "date: 2011-05-05"))
    assert "approval_chain[3]: 'cabinet-2011-05-10' (Thu 5 May 2011) must come after " \
           "'executive-board-2011-05-09' (Mon 9 May 2011)" in msg


def test_paper_deadline_before_the_stage_that_feeds_it(tmp_path):
    # The 3 Feb Board fed by the draft stage would need its report by 19 Jan, before 1 Feb.
    msg = error_of(broken(tmp_path, "    fed_by: testing\n", "    fed_by: draft\n"))
    assert "events[2].fed_by: the papers for 'lsp-board-2011-02-03' are due Wed 19 Jan 2011, " \
           "before the stage that feeds them ('draft') starts on Tue 1 Feb 2011" in msg


def test_duplicate_ids(tmp_path):
    msg = error_of(broken(tmp_path, "id: cabinet-2011-05-10", "id: executive-board-2011-05-09"))
    assert "events[8].id: duplicate id 'executive-board-2011-05-09' (already used by events[7])" in msg


def test_duplicate_yaml_key(tmp_path):
    path = broken(tmp_path, "    date: 2011-05-12\n", "    date: 2011-05-12\n    date: 2011-05-13\n")
    msg = error_of(path)
    assert f":{line_of(path, '2011-05-13')}: events[9].date: the key 'date' is written twice" in msg


def test_tba_window_outside_its_stage(tmp_path):
    msg = error_of(broken(tmp_path, "to_be_arranged: {start: 2011-03-01, end: 2011-03-31}",
                          "to_be_arranged: {start: 2011-03-01, end: 2011-04-30}"))
    assert "events[3].to_be_arranged: the window is not inside the draft stage" in msg


def test_unknown_body_reference(tmp_path):
    msg = error_of(broken(tmp_path, "body: cabinet\n", "body: cabinnet\n"))
    assert "events[8].body: no body with id 'cabinnet'" in msg


def test_council_committee_below_statutory_clear_days(tmp_path):
    text = "    kind: council_committee\n    papers_due: {clear_days: 5}\n"
    msg = error_of(broken(tmp_path, text, text.replace("5", "3")))
    assert "bodies[2]: a council committee's papers must be open to inspection at least 5 clear days" in msg


def test_invalid_yaml_syntax(tmp_path):
    path = broken(tmp_path, "approval_chain:\n", "approval_chain: [\n")
    assert "not valid YAML" in error_of(path)


def test_missing_required_key(tmp_path):
    msg = error_of(broken(tmp_path, "    type: milestone\n", ""))
    assert "events[5].type: the key 'type' is required but missing" in msg


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_timetable(tmp_path / "nope.yaml")
    assert exc.value.lines() == [f"{tmp_path / 'nope.yaml'}: file not found"]
