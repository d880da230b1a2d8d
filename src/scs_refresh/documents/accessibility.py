"""Checks every generated paper must pass before it is released.

Public Sector Bodies (Websites and Mobile Applications) Accessibility Regulations 2018
(WCAG 2.1 AA): a document title, its language (en-GB) for every run, headings in order, a
text alternative on every image, a marked header row on every table, no merged header cells,
table rows that do not split across pages, and text colours with a contrast of at least
4.5:1 on what is behind them. We also refuse any text that still looks like a template tag,
which would mean a field was never filled in.

A PDF of a paper is checked too (:func:`check_pdf`): LibreOffice keeps the Word file's
accessibility only in a tagged PDF, so each must carry a structure tree, say it is marked,
state its language, show its title, and give every figure its alternative text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from scs_refresh.core.colour import MINIMUM, contrast

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_TAG = re.compile(r"\{\{|\}\}|\{%|%\}")
_HEADING = re.compile(r"^(Heading (\d)|Title)$")

#: The language every paper is written in, as its documents and PDFs must declare it.
LANGUAGE = "en-GB"


def check_docx(path, literals: Iterable[str] = (), language: str = LANGUAGE) -> list[str]:
    """Every accessibility problem in the .docx at ``path``, each as a sentence (empty = pass).
    ``path`` may be the python-docx document just saved there: a merged pack is not read back.

    Its text must be in ``language``: the default run language and the core properties say so,
    and no style or run says otherwise.

    ``literals`` are values the paper quotes (e.g. partner answers): tag-like text inside
    them is content, not a forgotten field. :func:`literal_strings` collects them from a context.
    """
    import docx
    from docx.document import Document

    doc = path if isinstance(path, Document) else docx.Document(str(path))
    problems: list[str] = []
    if not (doc.core_properties.title or "").strip():
        problems.append("the document has no title (File > Properties > Title)")
    problems += _language_problems(doc, language)

    level = 0
    style_name = _paragraph_style_names(doc)
    for p in doc.paragraphs:
        m = _HEADING.match(style_name(p))
        if m:
            new = 1 if m.group(1) == "Title" else int(m.group(2))
            if new > level + 1:
                problems.append(f"heading '{p.text[:60]}' jumps from level {level} to {new}")
            level = new

    for i, docpr in enumerate(doc.element.body.iter(f"{WP}docPr"), 1):
        if not (docpr.get("descr") or "").strip():
            problems.append(f"image {i} ('{docpr.get('name', '')}') has no alternative text")

    for where, fg, bg, ratio in colour_contrasts(doc, in_use=True):
        if ratio < MINIMUM:
            problems.append(f"text coloured #{fg} in {where} has a contrast of {ratio:.2f}:1 on #{bg}, "
                            f"below {MINIMUM}:1")

    for i, table in enumerate(doc.tables, 1):
        rows = table._tbl.findall(f"{W}tr")
        if not rows:
            continue
        split = sum(1 for tr in rows if tr.find(f"{W}trPr/{W}cantSplit") is None)
        if split:
            problems.append(f"table {i}: {split} row(s) may split across pages (allow row to break across pages)")
        first = rows[0]
        trpr = first.find(f"{W}trPr")
        if trpr is None or trpr.find(f"{W}tblHeader") is None:
            problems.append(f"table {i} has no header row marked (repeat as header row)")
        if first.find(f".//{W}gridSpan") is not None or first.find(f".//{W}vMerge") is not None:
            problems.append(f"table {i} has merged cells in its header row")

    if _TAG.search("".join(t.text or "" for t in doc.element.body.iter(f"{W}t"))):
        problems += _tag_like_text(doc, literals)
    return problems


def _tag_like_text(doc, literals: Iterable[str]) -> list[str]:
    """The first paragraph or table cell whose text still looks like a template tag once the
    quoted ``literals`` are taken out. python-docx's text of every paragraph and cell is slow to
    read, so it is read only when the body's text as a whole has tag-like marks."""
    problems = []
    texts = [p.text for p in doc.paragraphs] + [
        c.text for t in doc.tables for r in t.rows for c in r.cells]
    quoted = sorted({q for q in literals if _TAG.search(q)}, key=len, reverse=True)
    for t in texts:
        for q in quoted:
            t = t.replace(q, "")
        if _TAG.search(t):
            problems.append(f"text still looks like a template tag: '{t.strip()[:60]}'")
            break
    return problems


def _paragraph_style_names(doc):
    """A paragraph's style name, as Word shows it ("Heading 1"), from one map of the styles: asking
    python-docx for ``paragraph.style`` searches the styles part again for every paragraph."""
    from docx.styles import BabelFish

    names, default = {}, ""
    for style in doc.styles.element.iterfind(f"{W}style"):
        if style.get(f"{W}type", "paragraph") != "paragraph":
            continue
        name_el = style.find(f"{W}name")
        name = BabelFish.internal2ui(name_el.get(f"{W}val")) if name_el is not None else ""
        names[style.get(f"{W}styleId")] = name
        if style.get(f"{W}default") in ("1", "true"):
            default = name

    def name_of(paragraph) -> str:
        ppr = paragraph._p.pPr
        style_id = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None
        return names.get(style_id, default)

    return name_of


def _fill(*elements) -> str | None:
    """The first background fill (w:shd/@w:fill) set on any of ``elements``' properties."""
    for el in elements:
        if el is None:
            continue
        for shd in el.iterfind(f"./*/{W}shd"):
            fill = shd.get(f"{W}fill")
            if fill and fill.lower() != "auto":
                return fill.upper()
    return None


def _styles_in_use(doc) -> set[str]:
    """The ids of the styles the body uses, the default styles, and every style they are based on."""
    styles = {s.get(f"{W}styleId"): s for s in doc.styles.element.iterfind(f"{W}style")}
    used = {s_id for s_id, s in styles.items() if s.get(f"{W}default") in ("1", "true")}
    for tag in ("pStyle", "rStyle", "tblStyle"):
        used.update(el.get(f"{W}val") for el in doc.element.body.iter(f"{W}{tag}"))
    todo = list(used)
    while todo:
        style = styles.get(todo.pop())
        for link in ("basedOn", "link"):
            ref = None if style is None else style.find(f"{W}{link}")
            if ref is not None and ref.get(f"{W}val") not in used:
                used.add(ref.get(f"{W}val"))
                todo.append(ref.get(f"{W}val"))
    return used


def colour_contrasts(doc, in_use: bool = False) -> list[tuple[str, str, str, float]]:
    """Every text colour the document sets, in its styles (table styles' parts too) and its
    runs, with what is behind it: (where, text colour, background, contrast ratio). The page is
    white unless a fill is set on the run, its paragraph, its table cell or its style. With
    ``in_use``, only the styles the text uses (and those they are based on) are looked at."""
    found = []
    used = _styles_in_use(doc) if in_use else None

    def colour_of(props) -> str | None:
        colour = props.find(f"{W}rPr/{W}color") if props is not None else None
        value = None if colour is None else colour.get(f"{W}val")
        return None if not value or value.lower() == "auto" else value.upper()

    for style in doc.styles.element.iterfind(f"{W}style"):
        if used is not None and style.get(f"{W}styleId") not in used:
            continue
        name_el = style.find(f"{W}name")
        name = style.get(f"{W}styleId") if name_el is None else name_el.get(f"{W}val")
        parts = [(f"the style '{name}'", style, [style])]
        parts += [(f"the style '{name}' ({part.get(f'{W}type')})", part, [part, style])
                  for part in style.iterfind(f"{W}tblStylePr")]
        for where, props, behind in parts:
            fg = colour_of(props)
            if fg:
                bg = _fill(*behind) or "FFFFFF"
                found.append((where, fg, bg, contrast(fg, bg)))
    for n, run in enumerate(doc.element.body.iter(f"{W}r"), 1):
        fg = colour_of(run)
        if fg:
            para = run.getparent()
            cell = next(run.iterancestors(f"{W}tc"), None)
            bg = _fill(run, para, cell) or "FFFFFF"
            text = "".join(t.text or "" for t in run.iter(f"{W}t"))[:40]
            found.append((f"the text '{text}'", fg, bg, contrast(fg, bg)))
    return found


def _language_problems(doc, language: str) -> list[str]:
    problems = []
    if (doc.core_properties.language or "") != language:
        problems.append(f"the document's language (File > Properties) is "
                        f"{doc.core_properties.language or 'not set'}, not {language}")
    default = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    value = None if default is None else default.get(f"{W}val")
    if value != language:
        problems.append(f"the text's default language is {value or 'not set'}, not {language}")
    for where, marks in (("a style", doc.styles.element.iterfind(f"{W}style/{W}rPr/{W}lang")),
                         ("the text", doc.element.body.iter(f"{W}lang"))):
        other = {el.get(f"{W}val") for el in marks} - {language, None}
        if other:
            problems.append(f"{where} is marked as {', '.join(sorted(other))}, not {language}")
    return problems


def literal_strings(value: Any) -> Iterator[str]:
    """Every string inside a render context (dicts, lists, dataclasses, pydantic models)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from literal_strings(v)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            yield from literal_strings(v)
    elif hasattr(value, "model_dump"):
        yield from literal_strings(value.model_dump())
    elif is_dataclass(value) and not isinstance(value, type):
        yield from literal_strings(asdict(value))


def check_pdf(path, figures: int = 0, language: str = LANGUAGE) -> list[str]:
    """Every accessibility problem in the PDF at ``path``, each as a sentence (empty = pass).

    A tagged PDF (a structure tree, /MarkInfo /Marked true) in ``language`` whose title is shown
    in the window, with at least ``figures`` figures (the pictures of its Word file) in its
    structure tree, each with its alternative text (/Alt). ``path`` may be an open pikepdf PDF about
    to be saved (a joined pack: reading it back parsed every structure element again).
    """
    import pikepdf

    if isinstance(path, pikepdf.Pdf):
        return _pdf_problems(path, figures, language)
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        return [f"not a PDF that can be read ({exc})"]
    with pdf:
        return _pdf_problems(pdf, figures, language)


def _pdf_problems(pdf, figures: int, language: str) -> list[str]:
    root = pdf.Root
    problems = []
    tree = root.get("/StructTreeRoot")
    if tree is None:
        problems.append("the PDF is not tagged (no structure tree): a screen reader cannot follow it")
    mark = root.get("/MarkInfo")
    if mark is None or mark.get("/Marked") is not True:
        problems.append("the PDF is not marked as tagged (/MarkInfo /Marked true)")
    lang = str(root.get("/Lang", ""))
    if lang != language:
        problems.append(f"the PDF's language is {lang or 'not set'}, not {language}")
    if not str(pdf.docinfo.get("/Title", "")).strip():
        problems.append("the PDF has no title")
    prefs = root.get("/ViewerPreferences")
    if prefs is None or prefs.get("/DisplayDocTitle") is not True:
        problems.append("the PDF shows its file name, not its title (/DisplayDocTitle)")
    found = _figures(tree) if tree is not None else []
    for i, alt in enumerate(found, 1):
        if not alt.strip():
            problems.append(f"figure {i} of the PDF has no alternative text")
    if tree is not None and len(found) < figures:
        problems.append(f"the PDF tags {len(found)} figure(s), but its Word file has {figures} picture(s): "
                        "a picture lost its alternative text")
    return problems


def _figures(tree) -> list[str]:
    """The alternative text (or actual text) of each /Figure element of a structure tree, in order."""
    import pikepdf

    found, seen, stack = [], set(), [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue  # a marked-content id: page content, not a structure element
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", node.get("/ActualText", ""))))
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)
    return found


def check_html(path: Path, language: str = LANGUAGE) -> list[str]:
    """Every accessibility problem in the HTML page at ``path``, each as a sentence (empty = pass).

    The page's language, a title, a skip link to the main content, one h1 and headings in
    order, a text alternative on every image, header cells with their scope on every table, and
    print styles.
    """
    import lxml.html

    root = lxml.html.fromstring(Path(path).read_bytes())
    problems = []
    if root.get("lang") != language:
        problems.append(f"the page's language (html lang) is {root.get('lang') or 'not set'}, not {language}")
    title = root.find("head/title")
    if title is None or not (title.text or "").strip():
        problems.append("the page has no title")
    main = root.find(".//main")
    links = root.findall(".//a[@href]")
    if main is None or not main.get("id"):
        problems.append("the page has no main element with an id to skip to")
    elif not links or links[0].get("href") != f"#{main.get('id')}":
        problems.append("the page does not start with a link that skips to its main content")
    levels = [int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    if levels.count(1) != 1:
        problems.append(f"the page has {levels.count(1)} h1 headings, not one")
    for before, after in zip([0, *levels], levels):
        if after > before + 1:
            problems.append(f"a heading jumps from level {before} to {after}")
            break
    for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        if not h.text_content().strip():
            problems.append(f"an {h.tag} heading is empty")
    for i, img in enumerate(root.iter("img"), 1):
        if not (img.get("alt") or "").strip():
            problems.append(f"image {i} has no alternative text (alt)")
    for i, table in enumerate(root.iter("table"), 1):
        rows = list(table.iter("tr"))
        if not rows or not rows[0].findall("th") or rows[0].findall("td"):
            problems.append(f"table {i} has no header row of th cells")
        if any(th.get("scope") not in ("col", "row", "colgroup", "rowgroup") for th in table.iter("th")):
            problems.append(f"table {i} has header cells without a scope")
    if not any("@media print" in (style.text or "") for style in root.iter("style")):
        problems.append("the page has no print styles (@media print)")
    return problems
