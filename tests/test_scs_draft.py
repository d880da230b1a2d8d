"""The draft SCS: a section per theme with evidence and charts, partners quoted literally, a
provenance annex that resolves to the evidence files, versions and the change summary."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import docx
import docx.text.paragraph
import pytest
from typer.testing import CliRunner

from scs_cli.main import app
from scs_refresh.workspace import check_all
from scs_refresh.core.errors import ConfigError
from scs_refresh.evidence.collate import collate_and_write
from scs_refresh.strategy import versions as scs_versions
from scs_refresh.documents.accessibility import check_docx
from scs_refresh.documents.contents import pdf_pages
from scs_refresh.documents.pdf import soffice, to_pdf
from scs_refresh.documents.tracked import revisions
from scs_refresh.strategy.draft import write_draft
from scs_refresh.workspace import Workspace
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store

from .conftest import ROOT

ON = date(2011, 4, 1)  # the draft as it stood for ratification: IMD 2010 (24 March 2011) is out
HOSTILE = "Partner said {{ 7*7 }} & <w:p> {% for x in y %} — keep it"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


@pytest.fixture(scope="module")
def evidence(tmp_path_factory):
    """The bundled evidence collated once for the module: (digest, charts folder)."""
    out = tmp_path_factory.mktemp("evidence-out")
    inputs = Workspace.load(Dirs(config=ROOT / "config", out=out, state=out)).draft_inputs()
    base, folder = collate_and_write(inputs.manifest, out, ON)
    return base.digest, folder / "charts"


@pytest.fixture(scope="module")
def inputs():
    return Workspace.load(Dirs(config=ROOT / "config", out=Path("out"), state=Path("state"))).draft_inputs()


def draft(inputs, evidence, out: Path, responses=None, on: date = ON):
    digest, charts = evidence
    return write_draft(inputs, digest, responses or {}, charts, out, ROOT / "templates", on)


def answered(store_file: Path, partner_id: str, answers: dict[str, str]) -> dict:
    with Store.open(store_file) as store:
        store.save_response(partner_id=partner_id, received_on=date(2010, 11, 10), source_file="q.docx",
                            source_kind="docx", answers=answers, problems=[], at=datetime(2010, 11, 10, 9))
    with Store.open(store_file) as store:
        return store.responses()


def docx_text(path: Path) -> str:
    """Every paragraph of a document, its tables' cells included."""
    return "\n".join(p.text for p in docx.Document(str(path)).element.body.iter(f"{W}p") for p in [docx.text.paragraph.Paragraph(p, None)])


def sections(doc) -> dict[str, list]:
    """Body paragraphs grouped under each Heading 1, in order."""
    out, current = {}, None
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            current = p.text
            out[current] = []
        elif current:
            out[current].append(p)
    return out


def test_a_section_per_theme_each_with_a_chart_and_its_parts(inputs, evidence, tmp_path):
    result = draft(inputs, evidence, tmp_path)
    doc = docx.Document(str(result.docx))
    by_heading = sections(doc)
    themes = [f"{i}. {t.title}" for i, t in enumerate(inputs.scs.themes, 2)]
    assert [h for h in by_heading if re.match(r"^\d+\. ", h)] == ["1. Our vision", *themes]
    for i, heading in enumerate(themes, 2):
        paras = by_heading[heading]
        subs = [p.text for p in paras if p.style.name == "Heading 2"]
        assert subs == [f"{i}.1 Vision", f"{i}.2 What the evidence tells us", f"{i}.3 What partners said",
                        f"{i}.4 Priorities", f"{i}.5 Outcomes we will measure"]
        pictures = [d for p in paras for d in p._p.iter(f"{WP}docPr")]
        assert 1 <= len(pictures) <= inputs.scs.charts_per_theme
        assert all(d.get("descr", "").startswith(("Bar chart.", "Line chart.")) for d in pictures)
    # The contents list gives each heading's page as LibreOffice lays the Strategy out: no field to update.
    contents = [p.text.split("\t") for p in by_heading["Contents"] if "\t" in p.text]
    assert [c[:2] for c in contents[:3]] == [["1", "Our vision"], ["2", "Breckland in context"],
                                             ["3", "Safer and stronger communities"]]
    assert "Update Field" not in "\n".join(p.text for p in doc.paragraphs)
    if soffice():
        pages = [int(c[2]) for c in contents]
        assert pages[0] == 2 and pages == sorted(pages) and len(set(pages)) == len(pages)  # a page break per theme
        text = pdf_pages(to_pdf([result.docx], tmp_path / "pdf")[0])
        for (_, title, page) in contents[:-1]:
            assert title in text[int(page) - 1], (title, page)
    # Outcomes with owners (partner names) and baselines from the evidence.
    crime = next(t for t in doc.tables if t.rows[0].cells[0].text == "Outcome"
                 and "Recorded crime" in t.rows[1].cells[0].text)
    assert [c.text for c in crime.rows[1].cells][1:] == ["Recorded crime per 1,000 population", "54.1 (2010) ILLUSTRATIVE",
                                                         "Norfolk Constabulary"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "ILLUSTRATIVE: the vision, priorities and outcomes in this Strategy are example wording" in text
    assert "Ranked 5th highest of 7 Norfolk districts and 135th highest of 201 English district councils" in text
    assert check_docx(result.docx) == []
    assert doc.core_properties.title == "Breckland Sustainable Community Strategy 2011 to 2014: draft"


def test_provenance_annex_entries_are_files_in_the_evidence_folder(inputs, evidence, tmp_path):
    doc = docx.Document(str(draft(inputs, evidence, tmp_path).docx))
    annex = doc.tables[-1]
    header = [c.text for c in annex.rows[0].cells]
    assert header == ["Source", "Publisher", "Period", "Published", "File", "Status"]
    rows = [[c.text.replace("\u200b", "") for c in r.cells] for r in annex.rows[1:]]  # file names may break after "_"
    assert len(rows) == len(evidence[0].provenance) == len(inputs.manifest.released(ON))
    assert "24 March 2011" in [r[3] for r in rows] and not [r for r in rows if "2019" in r[0] or "2021" in r[3]]
    for row in rows:
        assert (inputs.manifest.folder / row[4]).is_file(), row[4]
        assert row[0].endswith("(ILLUSTRATIVE)") == ("illustrative" in row[4])


def test_partner_answers_are_quoted_literally_and_the_file_opens(inputs, evidence, tmp_path):
    responses = answered(tmp_path / "scs.sqlite", "norfolk-constabulary",
                         {"priorities": HOSTILE, "gaps-barriers": "   ", "commitment": "not quoted in any theme"})
    result = draft(inputs, evidence, tmp_path / "scs", responses)
    doc = docx.Document(str(result.docx))
    said = [p.text for p in sections(doc)["3. Safer and stronger communities"] if p.text.startswith("3.3.")]
    assert said == [f"3.3.1\tNorfolk Constabulary (Q1.1, \u201cWhat are your organisation's three key priorities "
                    f"for Breckland over the next three years?\u201d): \u201c{HOSTILE}\u201d"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "not quoted in any theme" not in text and "49" not in said[0]
    # The constabulary is not one of the partners the health theme quotes.
    assert HOSTILE not in "\n".join(p.text for p in sections(doc)["5. Healthier communities and older people"])
    assert "No answers yet to questions Q1.1, Q3.1 from NHS Norfolk" in text
    assert check_docx(result.docx) != []  # read without the quotes, the answer looks like a tag ...
    assert check_docx(result.docx, [HOSTILE]) == []  # ... which it is not
    if soffice():
        assert to_pdf([result.docx], tmp_path / "pdf")[0].read_bytes()[:5] == b"%PDF-"


def test_versions_and_the_change_summary(inputs, evidence, tmp_path):
    out = tmp_path / "scs"
    first = draft(inputs, evidence, out)
    assert (first.version, first.new) == (1, True)
    assert "This is the first draft of the Strategy" in docx_text(first.changes)
    assert first.tracked is None  # nothing to compare with

    again = draft(inputs, evidence, out, on=date(2011, 4, 4))
    assert (again.version, again.new) == (1, False)
    assert sorted(p.name for p in out.iterdir()) == ["changes-v1.docx", "draft-v1.docx", "draft-v1.json"]

    responses = answered(tmp_path / "scs.sqlite", "nhs-norfolk", {"priorities": "Reduce smoking & obesity"})
    scs = inputs.scs.model_copy(update={"themes": [
        t.model_copy(update={"priorities": [*t.priorities, "Support carers"]}) if t.id == "health-older-people" else t
        for t in inputs.scs.themes]})
    second = draft(replace(inputs, scs=scs), evidence, out, responses)
    assert (second.version, second.new) == (2, True)
    assert second.changed == {
        "Children and young people": ["partner answer quoted: NHS Norfolk (Primary Care Trust) (Q1.1)"],
        "Healthier communities and older people": ["priority added: Support carers",
                                                   "partner answer quoted: NHS Norfolk (Primary Care Trust) (Q1.1)"],
        "Partners' questionnaire returns": ["0 of 12 -> 1 of 12 partners"]}
    # The change summary is a paper: section, what changed, at whose request.
    summary = docx.Document(str(second.changes))
    assert check_docx(second.changes) == []
    rows = [[c.text for c in r.cells] for r in summary.tables[0].rows]
    assert rows[0] == ["Section", "What changed", "At whose request"]
    assert ["Healthier communities and older people", "Priority added: Support carers", "Partnership officer"] in rows
    assert ["Partners' questionnaire returns", "0 of 12 to 1 of 12 partners", "Partners' questionnaire returns"] in rows
    # ... and the tracked copy shows the new priority as inserted text, nothing else of the Strategy as moved.
    inserted, deleted = revisions(second.tracked)
    assert "Support carers" in "".join(inserted) and "Reduce smoking." not in "".join(deleted)
    snapshot = json.loads((out / "draft-v2.json").read_text())
    assert snapshot["version"] == 2 and snapshot["on"] == ON.isoformat()
    assert (out / "draft-v1.docx").is_file() and (out / "draft-v2.docx").is_file()


def test_changes_name_figures_outcomes_and_sections(inputs, evidence, tmp_path):
    draft(inputs, evidence, tmp_path)
    _, old = scs_versions.latest(tmp_path)
    new = json.loads(json.dumps(old))
    crime = new["themes"][1]
    figure = next(f for f in crime["figures"] if f["indicator"].startswith("Overall satisfaction"))
    figure["breckland"] = "80.0%"
    crime["outcomes"][0]["owner"] = "Norfolk County Council"
    new["themes"] = [t for t in new["themes"] if t["id"] != "context"]
    diff = scs_versions.changes(old, new)
    assert diff["Safer and stronger communities"] == [
        "outcome changed: Recorded crime per 1,000 population below the Norfolk rate: "
        "owner Norfolk Constabulary -> Norfolk County Council",
        "figure changed: Overall satisfaction with the local area (NI 5), 2008: breckland 82.2% -> 80.0%"]
    assert diff["Breckland in context"] == ["section removed"]
    assert scs_versions.changes(old, old) == {}


def test_an_outcome_indicator_missing_from_the_evidence_is_a_warning(inputs, evidence, tmp_path):
    theme = inputs.scs.themes[0]
    outcome = theme.outcomes[0].model_copy(update={"indicator": "Happiness index"})
    scs = inputs.scs.model_copy(update={"themes": [theme.model_copy(update={"outcomes": [outcome]}),
                                                   *inputs.scs.themes[1:]]})
    result = draft(replace(inputs, scs=scs), evidence, tmp_path)
    assert [w for w in result.warnings if "'context'" in w] == [
        "scs.yaml theme 'context': no indicator 'Happiness index' in the evidence digest; its baseline is left to be set"]
    table = next(t for t in docx.Document(str(result.docx)).tables if t.rows[0].cells[0].text == "Outcome")
    assert [c.text for c in table.rows[1].cells][1:3] == ["Happiness index", "to be set"]


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("old, new, expected", [
    ("  - id: context\n", "  - id: contexts\n",
     r"scs\.yaml:\d+: themes\[0\]\.id: no theme 'contexts' in evidence\.yaml"),
    ("owner: norfolk-constabulary", "owner: norfolk-police",
     r"scs\.yaml:\d+: themes\[1\]\.outcomes\[0\]\.owner: no partner 'norfolk-police' in partners\.yaml"),
    ("questions: [priorities, gaps-barriers]\n      partners", "questions: [priorities, favourite-colour]\n      partners",
     r"themes\[1\]\.partners_said\.questions\[1\]: no question 'favourite-colour' in the partners\.yaml questionnaire"),
    ("partners: [nhs-norfolk, norfolk-county-council", "partners: [nhs, norfolk-county-council",
     r"themes\[3\]\.partners_said\.partners\[0\]: no partner 'nhs' in partners\.yaml"),
    ("  - id: children-young-people\n", "  - id: stronger-communities\n",
     r"scs\.yaml:\d+: themes\[2\]\.id: theme id 'stronger-communities' is used twice"),
    ("charts_per_theme: 3", "charts_per_theme: 0", r"charts_per_theme: Input should be greater than or equal to 1"),
    ("    priorities:\n      - \"Keep a shared", "    priority:\n      - \"Keep a shared",
     r"scs\.yaml:\d+: themes\[0\]\.priorities: the key 'priorities' is required but missing"),
])
def test_scs_yaml_mistakes_are_named_with_file_line_and_key(config_dir, old, new, expected):
    _edit(config_dir / "scs.yaml", old, new)
    with pytest.raises(ConfigError) as err:
        check_all(config_dir)
    assert any(re.search(expected, line) for line in err.value.lines()), err.value.lines()


def test_scs_yaml_needs_evidence_and_partners_beside_it(config_dir):
    (config_dir / "evidence.yaml").unlink()
    with pytest.raises(ConfigError, match="scs.yaml: needs evidence.yaml beside it"):
        check_all(config_dir)


def test_cli_writes_a_version_once_and_reports_bad_config(config_dir, tmp_path):
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    args = ["--config-dir", str(config_dir), "--out-dir", str(tmp_path / "out"), "--state-dir", str(tmp_path / "state"),
            "--templates-dir", str(ROOT / "templates"), "scs-draft", "--on", "2011-01-20", "--no-pdf"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0] == f"wrote {tmp_path / 'out' / 'scs' / 'draft-v1.docx'} (draft version 1)"
    second = CliRunner().invoke(app, args)
    assert second.output == f"no changes since draft version 1: {tmp_path / 'out' / 'scs' / 'draft-v1.docx'} is current\n"
    _edit(config_dir / "scs.yaml", "owner: jobcentre-plus", "owner: job-centre")
    bad = CliRunner().invoke(app, args)
    assert bad.exit_code == 2
    assert "no partner 'job-centre' in partners.yaml" in bad.output and "Traceback" not in bad.output
    assert not (tmp_path / "state" / "scs.sqlite").exists()  # reading answers never creates a store


@pytest.mark.skipif(soffice() is None, reason="LibreOffice lays the Strategy out")
def test_a_version_whose_headings_keep_their_pages_is_laid_out_once(inputs, evidence, tmp_path, monkeypatch):
    """The next version is rendered with the last one's pages; checked against its own layout, it is
    rendered again only when a heading moved, and its contents always give the pages it has."""
    import scs_refresh.strategy.draft as module

    first = draft(inputs, evidence, tmp_path)
    kept = scs_versions.pages(tmp_path, first.version)
    assert kept and list(kept)[0] == "1. Our vision" and kept["1. Our vision"] == 2

    renders = []
    real = module.render_docx
    monkeypatch.setattr(module, "render_docx", lambda *a: renders.append(a[2]) or real(*a))
    digest, charts = evidence
    heads = module.headings(module.build_content(inputs.scs, digest, inputs.partners, {}, (), ()))
    make = lambda pages: module.context(module.build_content(inputs.scs, digest, inputs.partners, {}, (), ()),  # noqa: E731
                                        2, ON, charts, "P", "O", inputs.scs.charts_per_theme, pages)
    path, _, pages = module.render_strategy(ROOT / "templates", make, heads, tmp_path / "same.docx", kept)
    assert pages == kept and len(renders) == 1  # laid out once: its headings stayed where they were

    wrong = {h: p + 1 for h, p in kept.items()}
    path, _, pages = module.render_strategy(ROOT / "templates", make, heads, tmp_path / "moved.docx", wrong)
    assert pages == kept and len(renders) == 3  # the guess was wrong: rendered again with the pages found
    contents = [p.text.split("\t") for p in sections(docx.Document(str(path)))["Contents"] if "\t" in p.text]
    assert [int(c[2]) for c in contents] == list(kept.values())
