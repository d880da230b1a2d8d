"""Meeting papers from the bundled timetable: rendered, re-opened and read like a member would."""

import json
import re
import shutil
from pathlib import Path
from dataclasses import replace
from datetime import date, datetime

import docx
import lxml.html
import pytest

from scs_refresh.core.errors import ConfigError, UserError
from scs_refresh.documents.accessibility import check_docx, check_html, check_pdf
from scs_refresh.papers.funding import load_funding
from scs_refresh.papers.wording import load_papers_config
from scs_refresh.documents.structure import Subsection
from scs_refresh.papers.contexts import RefreshState, agenda_context
from scs_refresh.papers.generate import generate_meeting_papers
from scs_refresh.documents.pdf import pictures, soffice
from scs_refresh.documents.render import TableData
from scs_refresh.timetable.model import load_timetable
from scs_refresh.core.folders import Dirs
from scs_refresh.workspace import Workspace

from .conftest import ROOT

TEMPLATES = ROOT / "templates"


@pytest.fixture(scope="module")
def state():
    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    return RefreshState(tt, load_papers_config(ROOT / "config" / "papers.yaml"), on=date(2010, 11, 18),
                        funding=load_funding(ROOT / "config" / "funding_allocations.yaml"))


def headings(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]


def test_board_report_in_the_seed_format(state, tmp_path):
    result = generate_meeting_papers(state, "lsp-board-2010-12-03", tmp_path, TEMPLATES, pdf=False)
    report, exempt = result.papers
    assert exempt.name == "02-partnership-funding-allocations-2011-12.docx"
    doc = docx.Document(str(report))
    text = [p.text for p in doc.paragraphs]
    assert text[:4] == ["BRECKLAND PARTNERSHIP", "03 December 2010",
                        "Report of Mark Fretwell, Partnership (LSP) Officer, Breckland Council",
                        "Update report on SCS refresh and Breckland Partnership"]
    top = [h for h in headings(doc) if re.match(r"^\d\. ", h)]
    assert top == ["1. Purpose of Report", "2. Recommendations", "3. Background", "4. Issues", "5. Options",
                   "6. Reasons for Recommendation(s)"]
    numbers = [t.split("\t")[0] for t in text if "\t" in t]
    assert numbers[:2] == ["1.1", "1.2"] and "2.3" in numbers and "4.1.1" in numbers and "5.4" in numbers
    assert "2.3\tAgree the next steps and dates to the draft SCS at the LSP Board on 03 February 2011." in text
    # Stage progress as at 18 Nov 2010: scoping in progress, the rest not started.
    stages = doc.tables[0]
    assert [c.text for c in stages.rows[0].cells] == ["Stage", "Dates", "Status at 18 November 2010"]
    assert [r.cells[2].text for r in stages.rows[1:]] == ["In progress", "Not started", "Not started", "Not started"]
    assert doc.core_properties.title == "Update report on SCS refresh and Breckland Partnership"
    assert check_docx(report) == []
    assert "Review of the Breckland Partnership (partnership_review): not written, nothing to write it from yet" \
        in result.not_produced[0]


def test_untrusted_text_in_a_section_appears_literally(state, tmp_path):
    hostile = "Partner said {{ 7*7 }} & <w:p> {% for x in y %} — keep it"
    extra = replace(state,
                         extra_issues=[Subsection("WHAT PARTNERS SAID", [hostile],
                                                  TableData(["Partner", "Answer"], [["Police", hostile]]))])
    result = generate_meeting_papers(extra, "lsp-board-2010-12-03", tmp_path, TEMPLATES, pdf=False)
    doc = docx.Document(str(result.papers[0]))
    assert any(p.text.endswith(hostile) for p in doc.paragraphs)
    assert doc.tables[-1].cell(1, 1).text == hostile


def test_committee_report_layout(state, tmp_path):
    later = replace(state, on=date(2011, 4, 21))
    result = generate_meeting_papers(later, "executive-board-2011-05-09", tmp_path, TEMPLATES, pdf=False)
    doc = docx.Document(str(result.papers[0]))
    hs = headings(doc)
    for h in ["1. Purpose of the Report", "2. Recommendation(s)", "3. Background", "4. Options",
              "5. Reasons for Recommendation(s)", "6. Implications", "6.1 Legal", "6.2 Financial", "6.3 Risk",
              "6.4 Equality", "7. Contact Officer", "8. Background Papers"]:
        assert h in hs
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Breckland Council Executive Board: 09 May 2011" in text
    assert "Update report on SCS refresh and Breckland Partnership, report to the Breckland Partnership (LSP) " \
           "Board, 03 December 2010" in text


def test_agenda_items_and_two_hour_warning(state):
    event = state.timetable.event["lsp-board-2011-02-03"]
    papers = [(p, f"Paper {c}") for p, c in zip(event.papers, "AB") if p.kind in ("board_report", "draft_scs")]
    plan = agenda_context(state, event, papers)
    assert [i["title"] for i in plan.context["items"]][4:6] == [p.title for p, _ in papers]
    assert plan.minutes == 5 + 5 + 5 + 5 + 30 + 40 + 5 + 5 and plan.warnings == []
    long = agenda_context(state, event, papers * 2)
    assert long.minutes == 170 and "runs 170 minutes, over the 120-minute limit" in long.warnings[0]
    assert long.context["finish_time"] == "12:50"


def test_board_pack_merges_agenda_and_papers(state, tmp_path):
    result = generate_meeting_papers(state, "lsp-board-2010-12-03", tmp_path, TEMPLATES, pdf=False)
    pack = docx.Document(str(result.pack))
    text = [p.text for p in pack.paragraphs]
    assert text[0] == "BRECKLAND PARTNERSHIP" and "Items of business" in text
    assert "Update report on SCS refresh and Breckland Partnership" in text
    assert pack.core_properties.title.startswith("Board pack: LSP Board, 03 December 2010")
    assert check_docx(result.pack) == []


@pytest.mark.slow  # a PDF of every paper of every meeting: about 20 s
@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed (.ci/run installs it)")
def test_every_meeting_converts_to_pdf_with_continuous_page_numbers(state, tmp_path):
    import subprocess

    for s in state.timetable.schedule:
        e = s.event
        if e.type != "meeting":
            continue
        result = generate_meeting_papers(replace(state, on=s.report_deadline),
                                         e.id, tmp_path, TEMPLATES)
        assert result.pdfs and all(p.read_bytes().startswith(b"%PDF") for p in result.pdfs)
        for pdf_file in result.pdfs:  # tagged, en-GB, title shown, every picture a described figure
            source = next(p for p in [*result.papers, result.agenda, result.pack] if p and p.stem == pdf_file.stem)
            assert check_pdf(pdf_file, pictures(source)) == [], pdf_file
        for path in [*result.papers, result.agenda, result.pack]:
            if path:
                assert check_docx(path) == [], path
    pack_pdf = tmp_path / "lsp-board-2011-02-03" / "pdf" / "lsp-board-2011-02-03-board-pack.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pack_pdf), "-"], capture_output=True, text=True).stdout
    pages = [line.split("Page")[-1].strip() for line in text.splitlines() if "\tPage" in line or " Page " in line]
    assert pages == [str(n) for n in range(1, len(pages) + 1)] and len(pages) >= 3


def test_unknown_meeting_and_milestone(state, tmp_path):
    with pytest.raises(UserError, match="no meeting 'lsp-board-2099-01-01'"):
        generate_meeting_papers(state, "lsp-board-2099-01-01", tmp_path, TEMPLATES)
    with pytest.raises(UserError, match="has no date yet"):
        generate_meeting_papers(state, "away-day-2011-03", tmp_path, TEMPLATES)
    text = (ROOT / "config" / "timetable.yaml").read_text().replace(
        "      - {kind: submission_pack, title: SCS approval report and papers for council committees, purpose: approve}",
        "      - {kind: minutes, title: Note of the submission}")
    (tmp_path / "timetable.yaml").write_text(text)
    plain = RefreshState(load_timetable(tmp_path / "timetable.yaml"), state.papers, state.on)
    with pytest.raises(UserError, match="is a milestone, not a meeting"):
        generate_meeting_papers(plain, "submission-2011-04-20", tmp_path, TEMPLATES)


def test_template_missing_a_field_is_an_error_naming_it(state, tmp_path):
    import docx as _docx

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    tpl = _docx.Document(str(templates / "agenda_tpl.docx"))
    tpl.add_paragraph("Quorum: {{ quorum }}")
    tpl.save(str(templates / "agenda_tpl.docx"))
    with pytest.raises(UserError, match=r"agenda_tpl\.docx: no value for template field\(s\) quorum"):
        generate_meeting_papers(state, "lsp-board-2010-12-03", tmp_path / "out", templates, pdf=False)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_meeting_written_again_is_all_or_nothing(state, tmp_path):
    """The papers of a meeting are one set: a run that fails half-way (here the agenda's template
    asks for a field nobody gives) leaves the last good set exactly as it was, and no debris."""
    import docx as _docx

    first = generate_meeting_papers(state, "lsp-board-2010-12-03", tmp_path / "out", TEMPLATES, pdf=False)
    assert first.folder == tmp_path / "out" / "lsp-board-2010-12-03" and all(f.is_file() for f in first.files())
    before = _files(first.folder)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    tpl = _docx.Document(str(templates / "agenda_tpl.docx"))
    tpl.add_paragraph("Quorum: {{ quorum }}")
    tpl.save(str(templates / "agenda_tpl.docx"))
    later = replace(state, on=date(2010, 11, 25))  # the report would say more
    with pytest.raises(UserError, match="quorum"):
        generate_meeting_papers(later, "lsp-board-2010-12-03", tmp_path / "out", templates, pdf=False)
    assert _files(first.folder) == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["lsp-board-2010-12-03"]


#: Each committed template and how its build script is told where to write (a folder or a file).
BUILT_BY = {"build_templates.py": ("board_report_tpl.docx", "committee_report_tpl.docx", "agenda_tpl.docx",
                                   "equality_screening_tpl.docx", "record_tpl.docx"),
            "build_questionnaire_tpl.py": ("questionnaire_tpl.docx",),
            "build_scs_template.py": ("scs_draft_tpl.docx", "scs_paper_tpl.docx"),
            "build_review_template.py": ("partnership_review_tpl.docx",)}


def test_committed_templates_match_the_build_scripts(tmp_path):
    """Every .docx in templates/ is, part for part, what its build script makes (re-run it after editing)."""
    import os
    import subprocess
    import sys
    import zipfile

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for script, names in BUILT_BY.items():
        target = tmp_path if len(names) > 1 else tmp_path / names[0]
        subprocess.run([sys.executable, str(TEMPLATES / script), str(target)], check=True, capture_output=True, env=env)
    assert sorted(p.name for p in TEMPLATES.glob("*_tpl.docx")) == sorted(n for ns in BUILT_BY.values() for n in ns)
    for built in tmp_path.glob("*_tpl.docx"):
        with zipfile.ZipFile(built) as a, zipfile.ZipFile(TEMPLATES / built.name) as b:
            assert sorted(a.namelist()) == sorted(b.namelist()), built.name
            for part in a.namelist():
                assert a.read(part) == b.read(part), f"{built.name}:{part} is out of date"


def test_wording_with_an_unknown_placeholder_is_rejected(tmp_path):
    text = (ROOT / "config" / "papers.yaml").read_text().replace("{next_meeting}.", "{next_meeting} {chair}.", 1)
    (tmp_path / "papers.yaml").write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_papers_config(tmp_path / "papers.yaml")
    assert "purposes.agree-process.recommendations[2]: unknown placeholder {chair}" in exc.value.lines()[0]


def test_timetable_purpose_without_wording(tmp_path, config_dir):
    from scs_refresh.workspace import check_all

    text = (config_dir / "papers.yaml").read_text().replace("  launch:\n", "  launched:\n")
    (config_dir / "papers.yaml").write_text(text)
    with pytest.raises(ConfigError) as exc:
        check_all(config_dir)
    assert "no wording for purpose 'launch', used by lsp-board-2011-05-19" in exc.value.lines()[0]


@pytest.fixture(scope="module")
def evidence(tmp_path_factory):
    from scs_refresh.papers.contexts import EvidenceSnapshot
    from scs_refresh.as_at import evidence_snapshot

    out = tmp_path_factory.mktemp("out")
    snap = evidence_snapshot(Workspace.load(Dirs(ROOT / "config", out, out / "state")), date(2010, 11, 18))
    assert isinstance(snap, EvidenceSnapshot)
    return snap


def test_board_report_quotes_partner_returns_and_traceable_evidence(state, evidence, tmp_path):
    from scs_refresh.papers.contexts import PartnerReturns
    from scs_refresh.partners.status import PartnerStatus

    rows = [PartnerStatus("nhs-norfolk", "NHS Norfolk", "sent 2010-10-15", [("first", date(2010, 11, 5))],
                          date(2010, 11, 8), [], False, "held"),
            PartnerStatus("police", "Norfolk Constabulary", "sent 2010-10-15", [("first", date(2010, 11, 5))],
                          None, [], True, "requested")]
    full = replace(state, partners=PartnerReturns(date(2010, 11, 12), rows),
                        evidence=evidence)
    result = generate_meeting_papers(full, "lsp-board-2010-12-03", tmp_path, TEMPLATES, pdf=False)
    doc = docx.Document(str(result.papers[0]))
    text = [p.text for p in doc.paragraphs]
    assert "4.2 PARTNER QUESTIONNAIRE AND INTERVIEWS" in text and "4.3 EVIDENCE HEADLINES" in text
    assert any("1 of 2 partners have responded" in t for t in text)
    assert any(t.startswith("4.2.2\tStill awaited after the deadline: Norfolk Constabulary") for t in text)
    assert any("One to one interviews: 1 of 2 held." in t for t in text)
    returns = next(t for t in doc.tables if t.rows[0].cells[0].text == "Partner")
    assert [c.text for c in returns.rows[2].cells] == ["Norfolk Constabulary", "sent 2010-10-15", "first 05 Nov",
                                                       "overdue", "requested"]
    # Evidence: the Place Survey figure, attributed; charts with alt text; an annex naming real files.
    headlines = next(t for t in doc.tables if t.rows[0].cells[0].text == "Theme and indicator")
    assert any("82.2%" in r.cells[1].text and "Place Survey 2008" in r.cells[2].text for r in headlines.rows)
    alts = [d.get("descr") for d in doc.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    digest_alts = {c.alt_text for _, c in evidence.digest.charts}
    assert len(alts) == 2 and all(a in digest_alts for a in alts)
    assert "Annex A: Sources of evidence" in text
    annex = doc.tables[-1]
    files = [r.cells[4].text.replace("\u200b", "") for r in annex.rows[1:]]  # a file name may break after "_"
    assert files and all((ROOT / "evidence" / f).is_file() for f in files)
    assert not any(r.cells[0].text.count("ILLUSTRATIVE") > 1 for r in annex.rows)
    assert check_docx(result.papers[0]) == []


@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed (.ci/run installs it)")
def test_the_3_december_papers_are_released_as_tagged_pdfs_with_described_charts(state, evidence, tmp_path):
    import pikepdf

    full = replace(state, evidence=evidence)
    result = generate_meeting_papers(full, "lsp-board-2010-12-03", tmp_path, TEMPLATES)
    assert sorted(p.name for p in result.pdfs) == sorted(
        p.stem + ".pdf" for p in [result.agenda, *result.papers, result.pack])
    for pdf_file in result.pdfs:
        with pikepdf.open(pdf_file) as p:
            assert "/StructTreeRoot" in p.Root and p.Root.MarkInfo.Marked is True and p.Root.Lang == "en-GB", pdf_file
            assert p.Root.ViewerPreferences.DisplayDocTitle is True and str(p.docinfo.Title).strip()
    with pikepdf.open(tmp_path / "lsp-board-2010-12-03" / "pdf" / f"{result.papers[0].stem}.pdf") as p:
        assert str(p.docinfo.Title) == "Update report on SCS refresh and Breckland Partnership"
        alts, stack = [], [p.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    alts.append(str(node.Alt))
                if "/K" in node:
                    stack.append(node.K)
    assert len(alts) == 2 and set(alts) <= {c.alt_text for _, c in evidence.digest.charts}  # each chart's own words


def test_the_3_december_board_carries_the_partnership_review(state, tmp_path):
    from scs_refresh.core.folders import Dirs

    with_review = replace(state,
                               review=Workspace.load(Dirs(ROOT / "config", tmp_path, tmp_path)).review_inputs())
    result = generate_meeting_papers(with_review, "lsp-board-2010-12-03", tmp_path, TEMPLATES, pdf=False)
    assert result.not_produced == []
    assert [p.name for p in result.papers] == ["01-update-report-on-scs-refresh-and-breckland-partnership.docx",
                                               "partnership_review_2010-12-03.docx",
                                               "03-partnership-funding-allocations-2011-12.docx"]
    agenda = docx.Document(str(result.agenda)).tables[0]
    assert [r.cells[4].text for r in agenda.rows[1:] if r.cells[4].text] == ["Paper A", "Paper B", "Paper C (exempt)"]
    # The agenda and the open papers as web pages; never the exempt paper (Schedule 12A).
    assert [p.relative_to(tmp_path / "lsp-board-2010-12-03").as_posix() for p in result.pages] == [
        "html/00-agenda.html", "html/01-update-report-on-scs-refresh-and-breckland-partnership.html",
        "html/partnership_review_2010-12-03.html"]
    assert all(check_html(p) == [] for p in result.pages)
    manifest = json.loads((tmp_path / "lsp-board-2010-12-03" / "papers.json").read_text())
    assert [f for f in manifest["files"] if f.endswith(".html")] == [
        p.relative_to(tmp_path / "lsp-board-2010-12-03").as_posix() for p in result.pages]
    review = lxml.html.fromstring(result.pages[2].read_bytes())
    assert review.findtext(".//h1").startswith("Review of the Breckland Partnership") and review.find(".//img").get("alt")
    pack = "\n".join(p.text for p in docx.Document(str(result.pack)).paragraphs)
    assert "Review of the Breckland Partnership" in pack and "Partnership Register" in pack


def test_the_3_february_board_receives_the_draft_strategy_and_what_changed(evidence, tmp_path):
    from scs_refresh.as_at import draft_sources
    from scs_refresh.core.folders import Dirs

    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    cfg = load_papers_config(ROOT / "config" / "papers.yaml")
    on = date(2011, 1, 19)
    state = RefreshState(tt, cfg, on, evidence=evidence,
                         draft=draft_sources(Workspace.load(Dirs(ROOT / "config", tmp_path, tmp_path / "state")), on))
    first = generate_meeting_papers(state, "lsp-board-2011-02-03", tmp_path, TEMPLATES, pdf=False)
    names = [p.name for p in first.papers]
    assert names == ["01-draft-sustainable-community-strategy.docx",
                     "02-draft-sustainable-community-strategy-2011.docx"] and first.not_produced == []
    assert (tmp_path / "scs" / "draft-v1.docx").read_bytes() == first.papers[1].read_bytes()
    report = [p.text for p in docx.Document(str(first.papers[0])).paragraphs]
    assert any(t.endswith(" THE DRAFT STRATEGY") for t in report)
    # The 7 April Board: nothing changed, so the same version goes again and the report says so.
    april = replace(state, on=date(2011, 3, 23))
    again = generate_meeting_papers(april, "lsp-board-2011-04-07", tmp_path, TEMPLATES, pdf=False)
    assert sorted(p.name for p in (tmp_path / "scs").glob("draft-v*.docx")) == ["draft-v1.docx"]
    report = [p.text for p in docx.Document(str(again.papers[0])).paragraphs]
    assert any("Draft version 1 of the Strategy, as at 19 January 2011, accompanies this report. It is unchanged "
               "since the Board last saw it, on 03 February 2011." in t for t in report)


def test_the_20_april_submission_pack(evidence, tmp_path):
    from scs_refresh.as_at import draft_sources
    from scs_refresh.core.folders import Dirs

    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    on = date(2011, 4, 20)
    state = RefreshState(tt, load_papers_config(ROOT / "config" / "papers.yaml"), on, evidence=evidence,
                         draft=draft_sources(Workspace.load(Dirs(ROOT / "config", tmp_path, tmp_path / "state")), on))
    result = generate_meeting_papers(state, "submission-2011-04-20", tmp_path, TEMPLATES, pdf=False)
    assert [p.name for p in result.papers] == [
        "01-scs-approval-report-and-papers-for-council-committees.docx", "02-sustainable-community-strategy.docx"]
    assert result.agenda is None and result.pack.name == "submission-2011-04-20-submission-pack.docx"
    report = [p.text for p in docx.Document(str(result.papers[0])).paragraphs]
    assert "Breckland Council committees: 20 April 2011" in report
    assert check_docx(result.papers[0]) == [] and check_docx(result.pack) == []
    assert docx.Document(str(result.pack)).core_properties.title == "Submission to Breckland Council committees, " \
                                                                    "20 April 2011"


def test_a_pack_with_the_draft_keeps_partners_hostile_text_literal(evidence, tmp_path):
    from scs_refresh.as_at import draft_sources
    from scs_refresh.core.folders import Dirs
    from scs_refresh.core.store import Store

    hostile = "We need {{ 7*7 }} & <w:p> {% for x in y %} more buses"
    with Store.open(tmp_path / "state" / "scs.sqlite") as store:
        store.save_response(partner_id="norfolk-constabulary", received_on=date(2010, 11, 9), source_file="x.csv",
                            source_kind="csv", answers={"priorities": hostile, "scs-still-relevant": "Yes"},
                            problems=[], at=datetime(2010, 11, 9, 9))
    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    on = date(2011, 1, 19)
    state = RefreshState(tt, load_papers_config(ROOT / "config" / "papers.yaml"), on, evidence=evidence,
                         draft=draft_sources(Workspace.load(Dirs(ROOT / "config", tmp_path, tmp_path / "state")), on))
    result = generate_meeting_papers(state, "lsp-board-2011-02-03", tmp_path, TEMPLATES, pdf=False)
    pack = "\n".join(p.text for p in docx.Document(str(result.pack)).paragraphs)
    pack += "\n".join(c.text for t in docx.Document(str(result.pack)).tables for r in t.rows for c in r.cells)
    assert hostile in pack
