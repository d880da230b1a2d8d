"""Papers that hold together on the page: readable colours in every template, en-GB throughout,
table rows kept whole with their header repeated, columns that hold their longest word, dates
kept on one line, a question kept with its answer box."""

import re
import subprocess

import docx
import pytest

from scs_refresh.core.colour import contrast, darkened, readable_on
from scs_refresh.documents.accessibility import W, colour_contrasts
from scs_refresh.documents.docxkit import add_unbroken_text, set_language
from scs_refresh.documents.layout import CELL_PADDING_MM, fit_columns, layout, text_width_mm, words
from scs_refresh.documents.pdf import soffice, to_pdf
from scs_refresh.documents.render import TableData, render_docx

from .conftest import ROOT

TEMPLATES = sorted((ROOT / "templates").glob("*_tpl.docx"))
needs_office = pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed (.ci/run installs it)")

# Rows of the 19 May 2011 scorecard and the 3 December partner table, as the papers print them.
OWNERS = ["Norfolk Constabulary", "Breckland housing associations (Flagship Housing Group)",
          "NHS Norfolk (Primary Care Trust)"]
SCORECARD = TableData(["Priority and outcome", "Indicator", "Owner", "Baseline; latest", "Target", "Rating"],
                      [["Safer and stronger communities: Less crime, and less fear of crime",
                        "Recorded crime per 1,000 population", owner, "54.1 (2010); latest none (ILLUSTRATIVE)",
                        "48 by Mar 2014", "No data: no figure since the baseline (2010)"] for owner in OWNERS],
                      [32, 30, 24, 26, 20, 38])
PARTNERS = TableData(["Partner", "Questionnaire", "Reminders", "Responded", "Interview"],
                     [["Norfolk Fire and Rescue Service", "sent 2010-10-15", "first 05 Nov, second 10 Nov",
                       "overdue", "requested"]], [52, 32, 30, 28, 28])


def test_contrast_ratios_as_wcag_measures_them():
    assert round(contrast("000000", "FFFFFF"), 1) == 21.0 and contrast("777777", "777777") == 1.0
    assert round(contrast("4F81BD"), 2) == 4.03  # the default caption blue: fails 4.5:1
    assert round(contrast("FFFFFF", "9BB7CC"), 2) == 2.09  # white labels on the pale chart bars
    assert readable_on("#9bb7cc") == "#000000" and readable_on("#1f5f8b") == "#FFFFFF"
    assert darkened("1F4E79") == "1F4E79" and contrast(darkened("808080")) >= 4.5 > contrast("808080")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_style_colour_in_every_template_reads_at_4_5_to_1(template):
    doc = docx.Document(str(template))
    found = colour_contrasts(doc)  # every style, used or not: an officer may apply any of them
    assert len(found) > 10  # headings, captions, quotes, emphases...: the check sees them all
    assert [(where, fg, round(ratio, 2)) for where, fg, _, ratio in found if ratio < 4.5] == []
    colours = {where: fg for where, fg, _, _ in found}
    assert colours["the style 'caption'"] == "1F4E79"  # was #4F81BD, 4.03:1
    if template.name == "questionnaire_tpl.docx":
        assert colours["the style 'heading 2'"] == "1F4E79"  # was #4F81BD, 4.03:1
    assert all(c.get(f"{W}themeColor") is None for c in doc.styles.element.iter(f"{W}color"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_template_is_in_british_english(template):
    doc = docx.Document(str(template))
    assert doc.core_properties.language == "en-GB"
    langs = {el.get(f"{W}val") for el in doc.styles.element.iter(f"{W}lang")}
    assert langs == {"en-GB"}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_template_tables_keep_their_rows_whole(template):
    doc = docx.Document(str(template))
    for table in doc.tables:
        rows = table._tbl.findall(f"{W}tr")
        assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in rows), template.name
        if template.name != "questionnaire_tpl.docx":  # an answer box has no header
            assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None


def test_a_question_keeps_its_answer_box():
    doc = docx.Document(str(ROOT / "templates" / "questionnaire_tpl.docx"))
    body = list(doc.element.body)
    boxes = [i for i, el in enumerate(body) if el.tag == f"{W}tbl"]
    assert boxes
    for i in boxes:
        question = body[i - 1]
        assert "{{ q.ref }}" in "".join(t.text for t in question.iter(f"{W}t"))
        assert question.find(f"{W}pPr/{W}keepNext") is not None


def test_a_figure_keeps_its_caption():
    doc = docx.Document(str(ROOT / "templates" / "board_report_tpl.docx"))
    [image] = [p for p in doc.paragraphs if p.text == "{{ fig.image }}"]
    assert image.paragraph_format.keep_with_next is True


def test_words_are_what_a_line_may_not_break_inside():
    assert words("sent 2010-10-15 working-age (Flagship Housing Group)") == [
        "sent", "2010\u201110\u201115", "working-", "age", "(Flagship", "Housing", "Group)"]
    assert words("imd2019_file1_imd_norfolk.csv") == ["imd2019_", "file1_", "imd_", "norfolk.csv"]
    assert words("my_notes") == ["my_notes"]  # not a file name: kept whole
    assert round(text_width_mm("Constabulary", 11), 1) == 22.9  # Arial: 5,891/1,000 em at 11 pt


def test_columns_widen_for_their_longest_word_and_keep_their_total():
    widths = fit_columns(SCORECARD.header, SCORECARD.rows, SCORECARD.widths_mm, 11)
    assert round(sum(widths), 6) == sum(SCORECARD.widths_mm)
    owner = widths[2]
    assert owner >= text_width_mm("associations", 11) + CELL_PADDING_MM > SCORECARD.widths_mm[2]  # 24 mm broke it
    for i, w in enumerate(widths):
        longest = max(text_width_mm(x, 11, bold=(r == 0)) for r, row in enumerate([SCORECARD.header, *SCORECARD.rows])
                      for x in words(row[i]))
        assert w >= longest + CELL_PADDING_MM
    # Too many long words for the page at 11 pt: the text is set smaller until they fit.
    wide = ["Committee"] * 8
    assert fit_columns(wide, [wide], [170 / 8] * 8, 11) is None
    fitted, size = layout(wide, [wide], [170 / 8] * 8, 11)
    assert size < 11 and fit_columns(wide, [wide], [170 / 8] * 8, size) == fitted


def test_a_date_is_written_with_non_breaking_hyphens_and_a_file_name_may_break_after_its_underscores():
    doc = docx.Document()
    run = add_unbroken_text(doc.add_paragraph(), "sent 2010-10-15, a two-day wait")
    assert run.text == "sent 2010-10-15, a two-day wait"
    assert len(run._r.findall(f"{W}noBreakHyphen")) == 2  # the hyphen of two-day may still break
    run = add_unbroken_text(doc.add_paragraph(), "place_survey_2008.csv, my_notes and __init__")
    assert run.text == "place_\u200bsurvey_\u200b2008.csv, my_notes and __init__"  # only the file name


def test_a_long_file_name_does_not_shrink_the_table():
    header = ["Source", "File"]
    rows = [["ONS mid-year population estimates", "ons_mye_mid2020_ukpopestimatesmid2020on2021geography.xls"]]
    widths, size = layout(header, rows, [100, 70], 11)
    assert size == 11 and widths == [100, 70]  # the 70 mm name is not a word: it breaks where it must


@needs_office
def test_no_word_of_a_table_is_broken_across_lines_in_the_pdf(tmp_path):
    """The scorecard and partner tables, rendered and set by LibreOffice: every word and date whole."""
    tpl = set_language(docx.Document(), "en-GB")
    tpl.core_properties.title = "Tables"
    tpl.add_paragraph("{{p scorecard }}")
    tpl.add_paragraph("{{p partners }}")
    section = tpl.sections[0]
    section.page_width, section.page_height = docx.shared.Mm(210), docx.shared.Mm(297)
    section.left_margin = section.right_margin = docx.shared.Mm(20)
    tpl.styles["Normal"].font.name, tpl.styles["Normal"].font.size = "Arial", docx.shared.Pt(11)
    tpl.save(tmp_path / "t.docx")
    paper = render_docx(tmp_path / "t.docx", {"scorecard": SCORECARD, "partners": PARTNERS}, tmp_path / "tables.docx")
    table = docx.Document(str(paper)).tables[0]
    assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in table._tbl.findall(f"{W}tr"))
    [pdf] = to_pdf([paper], tmp_path / "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    printed = set(re.split(r"\s+", text.replace("\u2011", "-")))
    for data in (SCORECARD, PARTNERS):
        for row in [data.header, *data.rows]:
            for cell in row:
                for word in cell.split():
                    assert word in printed, f"'{word}' is broken across lines"
