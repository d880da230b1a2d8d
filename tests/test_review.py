"""The Partnership review: Appendix B applied criterion by criterion, overrides, flags, the
register from YAML and from a workbook (and every kind of bad row), and the Board report."""

import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from scs_refresh.core.errors import ConfigError
from scs_refresh.documents.accessibility import check_docx
from scs_refresh.review.assess import assess, assess_register, review_due
from scs_refresh.review.policy import (JUDGED_RISK, QUESTIONS, RISK_CRITERIA, VALUE_CRITERIA, Rating, overall,
                                       resources_rating)
from scs_refresh.review.register import (Partnership, find_register, load_register, load_register_xlsx,
                                         load_register_yaml, write_register_xlsx)
from scs_refresh.core.folders import Dirs

from .conftest import DATA, ROOT

H, M, L = Rating.HIGH, Rating.MEDIUM, Rating.LOW
ON = date(2010, 11, 20)


def _partnership(**changes) -> Partnership:
    base = dict(
        name="Test Partnership", lead_partner="Breckland Council", function="Testing", strategic_or_operational="strategic",
        statutory="N", meeting_frequency="Quarterly", representatives="A Officer (Officer)", priorities="CO 1.1",
        staff_hours_per_month=10, budget_contribution="£20,000", exit_impact="Inconvenience", role="influence",
        value_notes="Some", information_sharing="E-mail",
        risk={c.key: "Low" for c in JUDGED_RISK}, value={c.key: "Low" for c in VALUE_CRITERIA})
    return Partnership.model_validate({**base, **changes})


# --- the policy, transcribed ----------------------------------------------------------

def _seed_text() -> str:
    text = re.sub(r"\s+", " ", (DATA / "seeds" / "002_breckland_partnership_policy.txt").read_text())
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)  # words hyphenated across a line break: "sub- regional"


def test_every_criterion_and_question_is_the_policys_own_wording():
    text = _seed_text()
    for c in RISK_CRITERIA + VALUE_CRITERIA:
        for rating in Rating:
            # the seed's last value row wraps its final word "function" below the table
            assert c.wording(rating).removesuffix(" function") in text, (c.key, rating)
    for q in QUESTIONS:
        assert q.text in text, q.key
    assert len(RISK_CRITERIA) == 6 and len(VALUE_CRITERIA) == 9 and len(QUESTIONS) == 25


@pytest.mark.parametrize("amount, expected", [
    ("0", L), ("49999.99", L), ("50000", M), ("75000", M), ("100000", M), ("100000.01", H), ("1200000", H)])
def test_resource_contribution_boundaries(amount, expected):
    assert resources_rating(Decimal(amount)) is expected
    result = assess(_partnership(budget_contribution=amount), ON).risk_criteria[0]
    assert result.criterion.key == "resources" and result.rating is expected
    assert result.reason.endswith(RISK_CRITERIA[0].wording(expected))


def test_contribution_over_100k_reason_names_the_figure():
    result = assess(_partnership(budget_contribution="£150,000"), ON).risk_criteria[0]
    assert result.reason == "£150,000 a year: Council resource contribution greater than £100k"


@pytest.mark.parametrize("criterion", JUDGED_RISK + VALUE_CRITERIA, ids=lambda c: c.key)
def test_each_judged_criterion_is_applied_with_the_policy_wording(criterion):
    kind = "risk" if criterion in JUDGED_RISK else "value"
    judged = {c.key: "Low" for c in (JUDGED_RISK if kind == "risk" else VALUE_CRITERIA)}
    a = assess(_partnership(**{kind: {**judged, criterion.key: "High"}}), ON)
    results = {r.criterion.key: r for r in (a.risk_criteria if kind == "risk" else a.value_criteria)}
    assert results[criterion.key].rating is H and results[criterion.key].reason == criterion.high
    assert all(r.rating is L and r.reason == r.criterion.low for k, r in results.items()
               if k not in {criterion.key, "resources"})


def test_worked_example_overall_ratings():
    a = assess(_partnership(budget_contribution=120000,
                            risk={"time": "High", "fallout": "High", "priorities": "medium", "reputation": "Low",
                                  "administration": "Low"},
                            value={"corporate_plan": "High", "cost": "High", "funding": "Medium", "reputation": "Medium",
                                   "service_delivery": "Medium", "resilience": "Low", "influence": "Low",
                                   "statutory": "Low", "benefit": "High"}), ON)
    assert [r.rating for r in a.risk_criteria] == [H, H, H, M, L, L]
    assert a.risk.criteria is H  # three High is the most common level
    assert a.value.criteria is L  # 3 High, 3 Medium, 3 Low: a tie takes the lower level for value
    assert a.exit_candidate and "exit strategy candidate (Low value, High risk)" in a.flags


def test_overall_rule_ties():
    assert overall([H, L], prefer_higher=True) is H
    assert overall([H, L], prefer_higher=False) is L
    assert overall([M, M, H], prefer_higher=False) is M
    assert overall([L, L, H, H, M], prefer_higher=True) is H


def test_override_is_shown_beside_the_criteria_rating():
    a = assess(_partnership(budget_contribution=120000, risk={c.key: "High" for c in JUDGED_RISK},
                            risk_override={"rating": "Medium", "reason": "Shared with all districts", "by": "LSP Officer"}), ON)
    assert (a.risk.criteria, a.risk.final, a.risk.overridden) == (H, M, True)
    assert not a.exit_candidate  # the officer's rating is the one that counts
    assert "risk overridden: High by the criteria, Medium by the officer" in a.flags
    same = assess(_partnership(risk_override={"rating": "Low", "reason": "Agrees"}), ON)
    assert same.risk.override is not None and not same.risk.overridden


@pytest.mark.parametrize("last, on, due", [
    (None, ON, True), (date(2009, 11, 20), ON, False), (date(2009, 11, 19), ON, True), (ON, ON, False),
    (date(2010, 11, 21), ON, True), (date(2011, 2, 28), date(2012, 2, 29), False), (date(2011, 2, 27), date(2012, 2, 29), True)])
def test_review_due_within_a_year_of_on(last, on, due):
    assert review_due(last, on) is due


def test_bundled_register_is_illustrative_and_flags_what_it_should():
    register = load_register_yaml(ROOT / "config" / "partnerships.yaml")
    assert register.illustrative and len(register.partnerships) >= 12
    by_name = {a.partnership.short_name: a for a in assess_register(register, ON)}
    assert [k for k, a in by_name.items() if a.exit_candidate] == ["Towns"]
    assert by_name["ARP"].risk_criteria[0].rating is H and by_name["CSP"].risk_criteria[0].rating is M
    assert (by_name["Leaders Bd"].risk.criteria, by_name["Leaders Bd"].risk.final) == (H, M)
    assert {k for k, a in by_name.items() if a.review_due} == {"CYP Trust", "H&WB", "Towns"}


# --- bad registers: YAML ----------------------------------------------------------------

def _yaml_with(tmp_path, old: str, new: str) -> Path:
    text = (ROOT / "config" / "partnerships.yaml").read_text()
    assert old in text
    out = tmp_path / "partnerships.yaml"
    out.write_text(text.replace(old, new, 1))
    return out


@pytest.mark.parametrize("old, new, message", [
    ("    lead_partner: Breckland Council\n", "",
     r"partnerships\.yaml:\d+: partnerships\[0\]\.lead_partner: the key 'lead_partner' is required but missing"),
    ('budget_contribution: "£45,000"', 'budget_contribution: about 45k',
     r"partnerships\[0\]\.budget_contribution: 'about 45k' is not an amount of money"),
    ("risk: {time: High, fallout: High, priorities: High, reputation: Medium",
     "risk: {time: Hgh, fallout: High, priorities: High, reputation: Medium",
     r"partnerships\[0\]\.risk\.time: unknown rating 'Hgh'; use High, Medium or Low"),
    ("      reason: The board is being", "      why: The board is being",
     r"partnerships\[5\]\.risk_override\.reason: the key 'reason' is required"),
    ("  - name: Breckland Community Safety Partnership (CDRP)", "  - name: Moving Thetford Forward",
     r"partnerships\[7\]\.name: 'Moving Thetford Forward' is already in the register \(entry 2\)"),
    ("      effective: Partly", "      works: Partly", r"'works' is not an Appendix C question"),
    ("    statutory: N\n", "    statutory: maybe\n", r"partnerships\[0\]\.statutory: 'maybe' is not Y or N"),
])
def test_bad_yaml_register_names_file_line_and_field(tmp_path, old, new, message):
    with pytest.raises(ConfigError) as exc:
        load_register_yaml(_yaml_with(tmp_path, old, new))
    assert re.search(message, str(exc.value)), str(exc.value)


# --- the register as a workbook --------------------------------------------------------

@pytest.fixture
def xlsx(tmp_path) -> Path:
    register = load_register_yaml(ROOT / "config" / "partnerships.yaml")
    ratings = {a.partnership.name: (a.risk.criteria, a.value.criteria) for a in assess_register(register, ON)}
    return write_register_xlsx(register, ratings, tmp_path / "partnerships.xlsx")


def test_workbook_round_trip_keeps_every_field(xlsx):
    assert load_register_xlsx(xlsx) == load_register_yaml(ROOT / "config" / "partnerships.yaml")
    ws = openpyxl.load_workbook(xlsx)["Register"]
    header = [c.value for c in ws[1]]
    towns = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Breckland Market Towns Forum")
    assert towns[header.index("Overall risk (criteria)")] == "High"
    assert towns[header.index("Overall value (criteria)")] == "Low"


def _edit(xlsx: Path, row: int, column: str, value) -> Path:
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Register"]
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index(column) + 1).value = value
    wb.save(xlsx)
    return xlsx


@pytest.mark.parametrize("column, value, message", [
    ("Lead partner", None, "sheet 'Register' row 3, column 'Lead partner': required but empty"),
    ("Budget contribution (£)", "lots", "sheet 'Register' row 3, column 'Budget contribution (£)': 'lots' is not an amount of money"),
    ("Budget contribution (£)", -5, "row 3, column 'Budget contribution (£)': -5 is negative"),
    ("Risk: Reputation impact", "Severe", "row 3, column 'Risk: Reputation impact': unknown rating 'Severe'"),
    ("BC representatives (level)", "Cllr Smith", "row 3, column 'BC representatives (level)': 'Cllr Smith' should be a name and level"),
    ("Risk override", "Low", "row 3, column 'Risk override reason': required but empty"),
])
def test_bad_workbook_row_names_file_row_and_column(xlsx, column, value, message):
    with pytest.raises(ConfigError) as exc:
        load_register_xlsx(_edit(xlsx, 3, column, value))
    assert str(exc.value).startswith(f"{xlsx}: ") and message in str(exc.value), str(exc.value)


def test_bad_workbook_structure(xlsx, tmp_path):
    wb = openpyxl.load_workbook(xlsx)
    wb["Register"].cell(row=1, column=3, value="Lead partnr")
    wb["Appendix C"].append(["No Such Partnership", "Who has decision making power?", "Nobody"])
    wb.save(xlsx)
    problems = [str(p) for p in pytest.raises(ConfigError, load_register_xlsx, xlsx).value.problems]
    assert f"{xlsx}: sheet 'Register' row 1: unknown column 'Lead partnr' (misspelt, or not a register field)" in problems
    assert f"{xlsx}: sheet 'Register' row 1: the column 'Lead partner' is missing" in problems
    assert any("sheet 'Appendix C' row" in p and "'No Such Partnership' is not a partnership" in p for p in problems)
    (tmp_path / "junk.xlsx").write_text("not a workbook")
    with pytest.raises(ConfigError, match="junk.xlsx: not an Excel .xlsx workbook"):
        load_register_xlsx(tmp_path / "junk.xlsx")


def test_the_register_is_the_yaml_or_the_workbook_not_both(xlsx, tmp_path):
    assert find_register(tmp_path) == xlsx
    assert load_register(tmp_path).illustrative
    shutil.copy(ROOT / "config" / "partnerships.yaml", tmp_path)
    with pytest.raises(ConfigError, match="both partnerships.yaml and partnerships.xlsx exist"):
        find_register(tmp_path)


# --- the report -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from scs_refresh.review.paper import write_review_from_dirs
    from scs_refresh.workspace import Workspace

    tmp = tmp_path_factory.mktemp("review")
    ws = Workspace.load(Dirs(config=ROOT / "config", out=tmp / "out", state=tmp / "state"))
    return write_review_from_dirs(ws.timetable, ws.register, ws.review_content, ws.dirs, ON)


def test_report_follows_the_seed_format(report):
    assert report.docx.name == "partnership_review_2010-12-03.docx"
    doc = docx.Document(str(report.docx))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["BRECKLAND PARTNERSHIP", "03 December 2010",
                         "Report of Mark Fretwell, Partnership (LSP) Officer, Breckland Council"]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings[:7] == ["1. Purpose of Report", "2. Recommendations", "3. Background", "4. Issues",
                            "5. Options", "6. Reasons for Recommendation(s)",
                            "Appendix: each partnership against the Appendix B criteria"]
    numbers = [t.split("\t")[0] for t in texts if re.match(r"^\d(\.\d+)+\t", t)]
    assert numbers[:3] == ["1.1", "1.2", "1.3"] and "2.1" in numbers and "4.2.1" in numbers and "6.2" in numbers
    recs = [t for t in texts if t.startswith("2.")]
    assert any("exit strategy for Breckland Market Towns Forum" in t for t in recs)
    assert any("annual review of Norfolk Children and Young People's Trust" in t for t in recs)
    assert check_docx(report.docx) == []


def test_report_register_table_and_chart(report):
    doc = docx.Document(str(report.docx))
    table = doc.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["Partnership", "BC role", "Contribution", "Hours a month",
                                                     "Risk", "Value", "Notes"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert len(rows) == 14
    assert rows["Breckland Market Towns Forum (Towns)"][2:6] == ["£110,000", "40", "High", "Low"]
    assert "exit strategy candidate" in rows["Breckland Market Towns Forum (Towns)"][6]
    assert rows["Norfolk Public Services Leaders Board (Leaders Bd)"][4] == "Medium (criteria: High)"
    alt = [d.get("descr") for d in doc.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert len(alt) == 1 and "High risk and Low value: Towns" in alt[0]
    appendix = doc.tables[2]  # the first partnership's criteria, each with the policy's wording
    assert len(appendix.rows) == 1 + 6 + 9
    assert appendix.rows[1].cells[2].text == "£45,000 a year: Council resource contribution less than £50k"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_report_converts_to_pdf(report, tmp_path):
    from scs_refresh.documents.pdf import to_pdf

    pdf = to_pdf([report.docx], tmp_path)[0]
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_the_workspace_holds_what_the_review_needs(tmp_path):
    from scs_refresh.workspace import Workspace

    ws = Workspace.load(Dirs(config=ROOT / "config", out=tmp_path, state=tmp_path))
    tt, register, content = ws.timetable, ws.need_review().register, ws.need_review().content
    assert tt.cycle.partnership == "Breckland Partnership" and len(register.partnerships) == 14
    assert content.illustrative


# --- the command ----------------------------------------------------------------------

def test_scs_review_writes_the_report_and_a_bad_register_loses_nothing(config_dir, tmp_path):
    from typer.testing import CliRunner

    from scs_cli.main import app

    runner, out = CliRunner(), tmp_path / "out"
    args = ["--config-dir", str(config_dir), "--out-dir", str(out), "review", "--on", "2010-11-20"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Breckland Market Towns Forum: risk High, value Low  [exit strategy candidate" in result.output
    assert "Norfolk Public Services Leaders Board: risk Medium (criteria: High)" in result.output
    made = sorted(p.name for p in (out / "review").iterdir())
    assert made == ["partnership_register.xlsx", "partnership_review_2010-12-03.docx", "partnership_risk_value.png"]
    before = (out / "review" / "partnership_review_2010-12-03.docx").read_bytes()

    reg = config_dir / "partnerships.yaml"
    reg.write_text(reg.read_text().replace("budget_contribution: 60000", "budget_contribution: sixty thousand"))
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert re.fullmatch(r"error: \S+partnerships\.yaml:\d+: partnerships\[1\]\.budget_contribution: "
                        r"'sixty thousand' is not an amount of money; write pounds, e\.g\. 12500 or £12,500\n",
                        result.output), result.output
    assert (out / "review" / "partnership_review_2010-12-03.docx").read_bytes() == before


def test_scs_check_validates_a_workbook_register(config_dir, xlsx):
    from typer.testing import CliRunner

    from scs_cli.main import app

    (config_dir / "partnerships.yaml").unlink()
    shutil.copy(_edit(xlsx, 4, "Statutory (Y/N)", "perhaps"), config_dir / "partnerships.xlsx")
    result = CliRunner().invoke(app, ["--config-dir", str(config_dir), "check"])
    assert result.exit_code == 2
    assert "partnerships.xlsx: sheet 'Register' row 4, column 'Statutory (Y/N)': 'perhaps' is not Y or N" in result.output


def test_scs_review_unknown_meeting(config_dir, tmp_path):
    from typer.testing import CliRunner

    from scs_cli.main import app

    result = CliRunner().invoke(app, ["--config-dir", str(config_dir), "--out-dir", str(tmp_path), "review",
                                      "--on", "2010-11-20", "--meeting", "cabinet-2011-05-10"])
    assert result.exit_code == 2
    assert result.output.startswith("error: --meeting: 'cabinet-2011-05-10' is not a dated partnership Board meeting")
