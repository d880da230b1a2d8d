"""Every published paper as an accessible HTML page, beside its Word file and PDF (GOV.UK's
guidance: publish in HTML, with PDFs only alongside).

The page is converted from the released .docx with mammoth (its styles mapped to real
headings: the paper's title is the page's h1), then tidied: table header cells get their
scope, a picture and its caption become a figure, numbered paragraphs keep their numbers apart,
and the result is set in the page template (``templates/paper_page.html``: the language, a skip
link, screen and print styles, links to the other versions). The page is checked
(:func:`scs_refresh.documents.accessibility.check_html`) before it is released.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from scs_refresh.core.atomic import write_text
from scs_refresh.core.errors import UserError
from scs_refresh.documents import mammoth_quick
from scs_refresh.documents.accessibility import LANGUAGE
from scs_refresh.documents.pdf import content_key
from scs_refresh.documents.release import release_html

#: The papers' Word styles as HTML: the paper's title (Title) is the page's one h1, so its
#: headings move one level down.
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='heading 1'] => h2:fresh
p[style-name='heading 2'] => h3:fresh
p[style-name='heading 3'] => h4:fresh
p[style-name='heading 4'] => h5:fresh
p[style-name='Paper Header'] => p.paper-header:fresh
p[style-name='Numbered Para'] => p.numbered:fresh
p[style-name='caption'] => p.caption:fresh
"""

_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\t")
_BODIES: dict[str, str] = {}  # a paper's content key -> its page body, for this process


class HtmlError(UserError):
    """A paper could not be converted to HTML."""


def _title(docx: Path) -> str:
    from lxml import etree

    with zipfile.ZipFile(docx) as z:
        core = etree.fromstring(z.read("docProps/core.xml"))
    title = core.find("{http://purl.org/dc/elements/1.1/}title")
    return (title.text or "").strip() if title is not None else ""


def _tidy(fragment: str) -> str:
    """mammoth's HTML made into what a reader needs: scoped header cells, figures with their
    captions, numbers apart from their paragraphs, plain hyphens."""
    import lxml.html

    root = lxml.html.fragment_fromstring(fragment.replace("\u2011", "-"), create_parent="div")
    for table in root.iter("table"):
        for row_number, tr in enumerate(table.iter("tr")):
            for th in tr.iter("th"):
                th.set("scope", "col" if row_number == 0 or th.getparent().getparent().tag == "thead" else "row")
    for p in list(root.iter("p")):
        images = p.findall("img")
        if len(images) == 1 and not (p.text or "").strip() and not (images[0].tail or "").strip() and len(p) == 1:
            figure = lxml.html.Element("figure")
            p.addprevious(figure)
            figure.append(images[0])
            caption = p.getnext()
            if caption is not None and caption.tag == "p" and "caption" in caption.get("class", ""):
                caption.tag = "figcaption"
                caption.attrib.pop("class")
                figure.append(caption)
            p.getparent().remove(p)
        elif "numbered" in p.get("class", "") and p.text and _NUMBER.match(p.text):
            number, rest = p.text.split("\t", 1)
            span = lxml.html.Element("span", {"class": "number"})
            span.text, span.tail = number, " " + rest
            p.text = None
            p.insert(0, span)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def _size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, round(n / 1024))} KB"


def page_body(docx: Path) -> str:
    """The paper's content as the page's body. Converted once per content in a process (the draft
    Strategy goes to several meetings unchanged); a caller may ask early, while its PDFs are being made,
    so that the pages are quick to write once the PDFs they link to exist. mammoth is made quick by
    :mod:`mammoth_quick` (the same page, byte for byte), with no garbage collection walking the
    process's heap while it builds one paper's trees."""
    import mammoth

    key = content_key(docx)
    if key not in _BODIES:
        mammoth_quick.install()
        with open(docx, "rb") as f, mammoth_quick.gc_paused():
            converted = mammoth.convert_to_html(f, style_map=STYLE_MAP).value
        _BODIES[key] = _tidy(converted)
    return _BODIES[key]


def to_html(docx: Path, page_template: Path, out: Path, versions: Sequence[Path] = ()) -> Path:
    """Write ``docx`` as an accessible HTML page at ``out``, linking the other ``versions`` of
    it (its .docx and PDF, as relative links); released only if it passes the checks."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
    from markupsafe import Markup

    page_template = Path(page_template)
    try:  # the page shares the house style (house_style.css beside it) with the public site
        template = Environment(loader=FileSystemLoader(str(page_template.parent)), autoescape=True,
                               undefined=StrictUndefined).get_template(page_template.name)
    except TemplateNotFound:
        raise HtmlError(f"{page_template}: page template not found") from None
    body = page_body(docx)
    links = [{"kind": v.suffix.lstrip("."), "href": Path(_relative(v, out.parent)).as_posix(), "size": _size(v)}
             for v in versions]
    page = template.render(language=LANGUAGE, title=_title(docx) or Path(docx).stem, body=Markup(body),
                           versions=links)
    return release_html(write_text(out, page))


def _relative(target: Path, start: Path) -> str:
    import os

    return os.path.relpath(Path(target).resolve(), Path(start).resolve())
