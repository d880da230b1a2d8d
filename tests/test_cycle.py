"""The whole 2010/11 cycle through the real daily tick flow on the ephemeral Prefect API."""

from __future__ import annotations

import email
import re
import shutil
from collections import Counter
from datetime import date, datetime
from email import policy

import pytest

from scs_refresh.core.folders import Dirs
from scs_refresh.documents.accessibility import check_html

from .conftest import ROOT

# the cycle takes about 25 s to run: `make test-all` and CI run it, `make test` does not
pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

# Every tick of the cycle and what it did, worked out by hand from the seed's dates and the
# England and Wales calendar: no tick on Good Friday (22 Apr), Easter Monday (25 Apr), the
# royal wedding (29 Apr) or the early May bank holiday (2 May 2011).
EXPECTED = [
    ("2010-10-15", ["questionnaires"]),
    ("2010-11-01", ["interview-requests"]),
    ("2010-11-05", ["chase:first"]),
    ("2010-11-10", ["chase:second"]),
    ("2010-11-11", ["officer-reminder:lsp-board-2010-12-03:5"]),
    ("2010-11-12", ["chase:deadline"]),
    ("2010-11-17", ["officer-reminder:lsp-board-2010-12-03:1"]),
    ("2010-11-18", ["papers:lsp-board-2010-12-03"]),
    ("2010-11-25", ["publish:lsp-board-2010-12-03"]),
    ("2010-12-01", ["member-reminder:lsp-board-2010-12-03"]),
    ("2010-12-08", ["minutes:lsp-board-2010-12-03@2010-12-03", "decision-notice:lsp-board-2010-12-03@2010-12-03"]),
    ("2011-01-12", ["officer-reminder:lsp-board-2011-02-03:5"]),
    ("2011-01-18", ["officer-reminder:lsp-board-2011-02-03:1"]),
    ("2011-01-19", ["papers:lsp-board-2011-02-03"]),
    ("2011-01-26", ["publish:lsp-board-2011-02-03"]),
    ("2011-02-01", ["member-reminder:lsp-board-2011-02-03"]),
    ("2011-02-08", ["minutes:lsp-board-2011-02-03@2011-02-03", "decision-notice:lsp-board-2011-02-03@2011-02-03"]),
    ("2011-03-16", ["officer-reminder:lsp-board-2011-04-07:5"]),
    ("2011-03-22", ["officer-reminder:lsp-board-2011-04-07:1"]),
    ("2011-03-23", ["papers:lsp-board-2011-04-07"]),
    ("2011-03-30", ["publish:lsp-board-2011-04-07"]),
    ("2011-04-05", ["member-reminder:lsp-board-2011-04-07"]),
    ("2011-04-06", ["officer-reminder:cmt-2011-04-27:5"]),
    ("2011-04-11", ["officer-reminder:executive-board-2011-05-09:5"]),
    ("2011-04-12", ["officer-reminder:cabinet-2011-05-10:5", "officer-reminder:cmt-2011-04-27:1",
                    "minutes:lsp-board-2011-04-07@2011-04-07", "decision-notice:lsp-board-2011-04-07@2011-04-07"]),
    ("2011-04-13", ["papers:cmt-2011-04-27"]),
    ("2011-04-14", ["officer-reminder:full-council-2011-05-12:5"]),
    ("2011-04-15", ["officer-reminder:executive-board-2011-05-09:1", "forward-plan:cabinet-2011-05-10"]),
    ("2011-04-18", ["officer-reminder:cabinet-2011-05-10:1", "papers:executive-board-2011-05-09"]),
    ("2011-04-19", ["papers:cabinet-2011-05-10"]),
    ("2011-04-20", ["officer-reminder:full-council-2011-05-12:1", "papers:submission-2011-04-20",
                    "publish:cmt-2011-04-27"]),
    ("2011-04-21", ["officer-reminder:lsp-board-2011-05-19:5", "papers:full-council-2011-05-12",
                    "member-reminder:cmt-2011-04-27"]),
    ("2011-04-27", ["publish:executive-board-2011-05-09"]),
    ("2011-04-28", ["publish:cabinet-2011-05-10"]),
    ("2011-05-03", ["officer-reminder:lsp-board-2011-05-19:1"]),
    ("2011-05-04", ["minutes:cmt-2011-04-27@2011-04-27", "decision-notice:cmt-2011-04-27@2011-04-27",
                    "papers:lsp-board-2011-05-19", "publish:full-council-2011-05-12"]),
    ("2011-05-05", ["member-reminder:executive-board-2011-05-09"]),
    ("2011-05-06", ["member-reminder:cabinet-2011-05-10"]),
    ("2011-05-10", ["member-reminder:full-council-2011-05-12"]),
    ("2011-05-11", ["minutes:executive-board-2011-05-09@2011-05-09",  # the Executive: 2 working days
                    "decision-notice:executive-board-2011-05-09@2011-05-09", "publish:lsp-board-2011-05-19"]),
    ("2011-05-12", ["minutes:cabinet-2011-05-10@2011-05-10", "decision-notice:cabinet-2011-05-10@2011-05-10",
                    "scorecard:*"]),  # Full Council adopts the SCS: its scorecard, for the evidence as it stands
    ("2011-05-17", ["minutes:full-council-2011-05-12@2011-05-12",
                    "decision-notice:full-council-2011-05-12@2011-05-12", "member-reminder:lsp-board-2011-05-19"]),
]


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    from flows.cycle import simulate

    base = tmp_path_factory.mktemp("cycle")
    shutil.copytree(ROOT / "config", base / "config")
    shutil.copytree(ROOT / "evidence", base / "evidence")  # the manifest names files beside config/
    dirs = Dirs(base / "config", base / "out", base / "state", ROOT / "templates")
    return dirs, simulate(dirs, date(2010, 10, 7), date(2011, 5, 19), pdf=False)


def test_the_exact_actions_of_every_tick(cycle):
    _, report = cycle

    def key(k: str) -> str:  # a scorecard refresh is keyed by a fingerprint of the evidence
        return "scorecard:*" if k.startswith("scorecard:") else k

    assert [(str(d), [key(o.action.key) for o in outs]) for d, outs in report.ticks] == EXPECTED


def test_new_evidence_after_adoption_refreshes_the_scorecard_once(cycle):
    from scs_refresh.automation import tick

    dirs, _ = cycle
    ctx = tick.Context.load(dirs, pdf=False)
    assert tick.pending(ctx, date(2011, 5, 20)) == []  # the evidence is as it was on 12 May
    extra = dirs.config.parent / "evidence" / "new_return.csv"
    extra.write_text("area,value\nBreckland,1\n")
    try:
        [action] = tick.pending(ctx, date(2011, 5, 20))
        assert action.kind == "refresh_scorecard"
        tick.run(ctx, action, date(2011, 5, 20))
        assert tick.pending(ctx, date(2011, 5, 23)) == []
    finally:
        extra.unlink()


def test_partner_replies_arrive_and_only_non_respondents_are_chased(cycle):
    dirs, report = cycle
    from scs_refresh.core.store import Store

    assert len(report.replies) == 11  # one partner never replies
    with Store.open(dirs.store) as store:
        assert len(store.responses()) == 11
        chased = Counter(r.partner_id for r in store.sends(kind="reminder"))
    # breckland-council replied on 29 Oct, before any reminder; the town and parish councils never did.
    assert "breckland-council" not in chased and chased["town-parish-councils"] == 3
    assert chased["nhs-norfolk"] == 1  # replied on 8 Nov, after the first reminder only


def test_each_member_gets_the_papers_once_and_exempt_items_are_never_public(cycle):
    from scs_refresh.timetable.model import load_timetable

    dirs, _ = cycle
    members = {m.email for m in load_timetable(dirs.timetable).body["lsp-board"].members}
    papers = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
              for p in (dirs.out / "outbox").glob("publish--lsp-board-2010-12-03*.eml")]
    recipients = [m["To"].addresses[0].addr_spec for m in papers]
    assert sorted(recipients) == sorted(members)  # every member, once each
    assert [a.get_filename() for a in papers[0].iter_attachments()] == [
        "lsp-board-2010-12-03-board-pack.docx", "lsp-board-2010-12-03.ics"]
    meeting = dirs.out / "lsp-board-2010-12-03"
    exempt = [p.name for p in meeting.glob("*.docx") if "funding-allocations" in p.name]
    assert exempt == ["03-partnership-funding-allocations-2011-12.docx"]
    published = sorted(p.name for p in (dirs.out / "public" / "lsp-board-2010-12-03").rglob("*") if p.is_file())
    assert "00-agenda.docx" in published and "01-update-report-on-scs-refresh-and-breckland-partnership.docx" \
        in published
    assert not [p for p in published if "funding-allocations" in p or "board-pack" in p]
    # Every published paper is also an accessible web page, and none is the exempt one.
    public = dirs.out / "public"
    docs, pages = list(public.rglob("*.docx")), list(public.glob("*/html/*.html"))
    assert docs and sorted(p.stem for p in docs) == sorted(p.stem for p in pages)
    assert all(check_html(p) == [] for p in pages)
    # The meetings site, rebuilt at each publication and at the end: the Strategy adopted on 12 May.
    assert check_html(public / "index.html") == [] and check_html(public / "strategy.html") == []
    assert "adopted the Strategy at its meeting on Thursday 12 May 2011" in (public / "strategy.html").read_text()
    # Nothing public names the exempt paper: not the agenda, not a later report's background papers,
    # not a web page, feed or calendar (the cycle runs without PDFs; tests/test_pdf*.py read PDFs).
    leaks = [str(p.relative_to(public)) for p in public.rglob("*") if p.is_file() and "Partnership funding allocations"
             in (_docx_text(p) if p.suffix == ".docx" else p.read_bytes().decode("utf-8", "replace"))]
    assert leaks == []
    agenda = _docx_text(public / "lsp-board-2010-12-03" / "00-agenda.docx")
    assert "Exempt item, not for publication: paragraph 3 of Part 1 of Schedule 12A" in agenda
    assert agenda.index("the press and public be excluded") < agenda.index("Exempt item, not for publication")


def _docx_text(path) -> str:
    import docx

    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_running_the_cycle_again_does_and_sends_nothing(cycle):
    from flows.cycle import simulate
    from scs_refresh.core.store import Store

    dirs, _ = cycle
    with Store.open(dirs.store) as store:
        sent_before = len(store.sends())
    again = simulate(dirs, date(2010, 10, 7), date(2011, 5, 19), pdf=False)
    assert again.ticks == [] and again.replies == [] and again.decisions == []
    with Store.open(dirs.store) as store:
        assert len(store.sends()) == sent_before
    index = (dirs.out / "index.md").read_text()
    assert "| 2011-04-27 | 2011-04-27 | publish:executive-board-2011-05-09 |" in index


def test_the_board_and_the_committees_decide_on_their_days(cycle):
    _, report = cycle
    assert [(str(d), line) for d, line in report.decisions] == [
        ("2010-10-07", "lsp-board-2010-10-07: approved"), ("2010-12-03", "lsp-board-2010-12-03: approved"),
        ("2011-02-03", "lsp-board-2011-02-03: approved with amendments"),
        ("2011-04-07", "lsp-board-2011-04-07: approved"), ("2011-04-27", "cmt-2011-04-27: approved with amendments"),
        ("2011-05-09", "executive-board-2011-05-09: approved"), ("2011-05-10", "cabinet-2011-05-10: approved"),
        ("2011-05-12", "full-council-2011-05-12: approved"), ("2011-05-19", "lsp-board-2011-05-19: approved")]


def _texts(folder) -> dict[str, str]:
    import docx

    out = {}
    for path in sorted(folder.glob("*.docx")):
        doc = docx.Document(str(path))
        out[path.name] = "\n".join([p.text for p in doc.paragraphs]
                                   + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    return out


def test_every_paper_was_true_on_the_day_it_was_written_and_is_written_the_same_again(cycle, tmp_path):
    """For every meeting of the demo: the papers quote no release published after the day they were
    written, count the returns and interviews the status gives for that day, and name only decisions
    taken by then; written again for that day after the whole cycle has run, they say the same."""
    import json
    import re

    from scs_refresh.as_at import load_state, records_on
    from scs_refresh.papers.generate import generate_meeting_papers
    from scs_refresh.partners.status import status
    from scs_refresh.workspace import Workspace

    dirs, _ = cycle
    shutil.copytree(dirs.out, tmp_path / "out")
    shutil.copytree(dirs.state, tmp_path / "state")
    again = Dirs(dirs.config, tmp_path / "out", tmp_path / "state", dirs.templates)
    ws = Workspace.load(again)
    written = {json.loads(p.read_text())["meeting"]: date.fromisoformat(json.loads(p.read_text())["generated_for"])
               for p in dirs.out.glob("*/papers.json")}
    assert len(written) == 9
    for meeting, on in sorted(written.items(), key=lambda m: m[1]):
        original = _texts(dirs.out / meeting)
        text = "\n".join(original.values())
        later = [s for s in ws.evidence.sources if s.published > on]
        quoted = "\n".join(line for line in text.splitlines() if "Not yet published, so not quoted:" not in line)
        assert not [s.title for s in later if s.title in quoted], meeting  # named only as awaited
        named = [datetime.strptime(d, "%d %B %Y").date()
                 for d in re.findall(r"published (\d{1,2} [A-Z][a-z]+ \d{4})", text)]
        assert all(d <= on for d in named), (meeting, named)
        rows = status(records_on(dirs.store, on), ws.partners, ws.timetable.cycle, on)
        for n, m in re.findall(r"(\d+) of (\d+) partners have responded", text):
            assert (int(n), int(m)) == (sum(1 for r in rows if r.responded_on), len(rows)), meeting
        for n, m in re.findall(r"One to one interviews: (\d+) of (\d+) held", text):
            assert int(n) == sum(1 for r in rows if r.interview == "held"), meeting
        for d in re.findall(r"approved it on (\d{2} [A-Z][a-z]+ \d{4})", text):
            assert datetime.strptime(d, "%d %B %Y").date() <= on, meeting
        generate_meeting_papers(load_state(ws, on), meeting, again.out, again.templates, pdf=False)
        assert _texts(again.out / meeting) == original, meeting


def test_the_strategy_grows_and_each_pack_holds_the_version_current_on_its_day(cycle):
    """Partners' comments accepted, the Board's amendment and a committee's make versions, each with its change
    summary (at whose request) and tracked copy; each meeting that considers the Strategy gets the version
    current on the day its papers were written; after Full Council the adopted Strategy is published."""
    import json

    import docx

    from scs_refresh.strategy import versions
    from scs_refresh.strategy.draft import AMENDMENTS

    dirs, _ = cycle
    scs = dirs.out / "scs"
    numbers = versions.numbers(scs)
    assert len(numbers) >= 4
    requested = set()
    for n in numbers[1:]:
        assert (scs / f"draft-v{n}-tracked.docx").is_file()
        table = docx.Document(str(scs / f"changes-v{n}.docx")).tables[0]
        requested |= {r.cells[2].text for r in table.rows[1:]}
    assert {"NHS Norfolk (Primary Care Trust) (comment accepted)", "Breckland Partnership (LSP) Board",
            "Corporate Management Team (CMT)"} <= requested
    considered = {}
    for manifest in dirs.out.glob("*/papers.json"):
        m = json.loads(manifest.read_text())
        assert m["not_produced"] == [], m["meeting"]
        texts = _texts(manifest.parent)
        assert not [name for name, t in texts.items() if "Update Field" in t or "not produced by" in t]
        if m["draft_version"] is None:
            continue
        on = date.fromisoformat(m["generated_for"])
        assert m["draft_version"] == versions.latest(scs, on)[0], m["meeting"]
        considered[m["meeting"]] = m["draft_version"]
        pack = manifest.parent / m["pack"]
        assert f"Draft version {m['draft_version']} for the Breckland Partnership" in _docx_text(pack), m["meeting"]
    assert {"cmt-2011-04-27", "executive-board-2011-05-09", "cabinet-2011-05-10", "full-council-2011-05-12",
            "lsp-board-2011-05-19"} <= set(considered)
    assert considered["lsp-board-2011-02-03"] == 1 and considered["lsp-board-2011-05-19"] == numbers[-1]
    [log] = [t for name, t in _texts(dirs.out / "lsp-board-2011-04-07").items()
             if name.endswith("-comments-on-the-draft-strategy.docx")]
    assert "Partly accepted: Partners cannot promise every business by 2014" in log and "Not accepted: " in log
    [launch] = [t for name, t in _texts(dirs.out / "lsp-board-2011-05-19").items()
                if name.endswith("-launch-and-publicity-pack.docx")]
    assert "Launch and publicity plan" in launch and "Partners sign the Strategy" in launch
    adopted = _docx_text(dirs.out / "public" / "strategy" / "adopted-strategy.docx")
    assert "draft" not in adopted.lower()
    assert "Adopted by Breckland Council (Full Council) on 12 May 2011" in adopted and AMENDMENTS in adopted
    assert "The Strategy is reviewed each year against the delivery plan scorecard" in adopted


#: Words of the tool, never of the council: no paper of the demo may say them (issue #12, 7).
TOOL_WORDS = ("seed 0", "policy 002", "demonstration", "demo ", "this version", "config", "yaml", "Update Field",
              "TODO", "set its date", "pipeline", "prefect", "scs_refresh", "placeholder", "`scs", "{{", "{%")


def _every_text(path) -> list[str]:
    """A .docx's text as a reader sees it: paragraphs, table cells, and each section's headers and footers."""
    import docx

    doc = docx.Document(str(path))
    lines = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    for s in doc.sections:
        for part in (s.header, s.footer, s.first_page_header, s.first_page_footer):
            lines += [p.text for p in part.paragraphs] + [c.text for t in part.tables for r in t.rows
                                                           for c in r.cells]
    return lines


def test_every_paper_speaks_the_councils_words_not_the_tools(cycle):
    dirs, _ = cycle
    papers = sorted(dirs.out.rglob("*.docx"))
    assert len({p.parent for p in papers}) >= 10  # every meeting, the submission, the drafts, the public folder
    found = {}
    for path in papers:
        for line in _every_text(path):
            for word in TOOL_WORDS:
                if word.lower() in line.lower():
                    found.setdefault(word, f"{path.relative_to(dirs.out)}: {line[:160]}")
    assert found == {}


def test_each_step_of_the_chain_has_its_own_report_with_the_decisions_before_it(cycle):
    dirs, _ = cycle
    chain = ("cmt-2011-04-27", "executive-board-2011-05-09", "cabinet-2011-05-10", "full-council-2011-05-12")
    reports = {m: "\n".join(_every_text(next((dirs.out / m).glob("01-*.docx")))) for m in chain}
    asks = {m: re.search(r"It is recommended that .*?:\n2\.1\t(.*)", text).group(1) for m, text in reports.items()}
    assert len(set(asks.values())) == 4, asks
    for meeting, text in reports.items():
        assert "At its meeting on 07 April 2011 the Breckland Partnership (LSP) Board agreed and ratified" in text
        assert "an equality impact assessment screening of the Strategy on 08 April 2011" in text, meeting
        assert [p.name for p in (dirs.out / meeting).glob("*equality-impact-assessment*.docx")], meeting
    # Written before CMT met (27 April); the papers published after it were brought up to date first, so each
    # quotes what was decided by the day it was published, and only that.
    cmt = "On 27 April 2011 the Corporate Management Team (CMT) endorsed the Strategy and referred it to the"
    assert cmt not in reports["cmt-2011-04-27"]
    for later in chain[1:]:
        assert cmt in reports[later], later
        assert "It agreed this amendment: The Strategy is reviewed each year" in reports[later], later
    assert "The Breckland Council Executive Board is due to consider the Strategy on 09 May 2011." \
        in reports["cabinet-2011-05-10"]
    # the exempt paper: its marking and its table, to members only
    exempt = "\n".join(_every_text(dirs.out / "lsp-board-2010-12-03" / "03-partnership-funding-allocations-2011-12.docx"))
    assert "NOT FOR PUBLICATION by virtue of paragraph 3 of Part 1 of Schedule 12A to the Local Government Act 1972" \
        in exempt and "Total allocated 2011/12" in exempt
