"""Render docxtpl templates into Word papers: strict, escaped, atomic.

Every render
- first checks that the context supplies every variable the template uses
  (docxtpl's ``get_undeclared_template_variables``), and renders with Jinja's
  StrictUndefined so a missing nested field is caught too: a missing field is an error
  naming the template and the field, never a blank in a paper;
- runs with autoescape on, so untrusted text (partner answers) containing ``<``, ``&``,
  ``{{ 7*7 }}`` or ``{% for %}`` appears literally and the file still opens;
- writes through a temporary file and a rename, so a crash never leaves half a .docx;
- places each :class:`Figure` in the context (charts) with its alternative text set.
"""

from __future__ import annotations

import io
import threading
import weakref
from collections import OrderedDict
from functools import lru_cache
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn

from scs_refresh.core.atomic import version_of, write_bytes
from scs_refresh.core.errors import UserError
from scs_refresh.documents.docxkit import (add_unbroken_text, docx_bytes, keep_rows_whole, mark_header_row,
                                          set_alt_text)
from scs_refresh.documents.layout import layout


class TemplateError(UserError):
    """A template cannot be rendered with the context given (a missing field, a bad tag)."""


@dataclass(frozen=True)
class Figure:
    """A picture in a paper with its text alternative (required: alt text is not optional)."""

    path: Path
    alt: str
    width_mm: float = 150


@dataclass(frozen=True)
class TableData:
    """A table in a paper; rendered with its first row marked as the header row."""

    header: list[str]
    rows: list[list[str]]
    widths_mm: list[float] | None = None


def _materialise(tpl, value: Any) -> Any:
    """Turn Figures and TableData into docxtpl objects bound to ``tpl``; dataclasses into dicts."""
    from docx.shared import Mm

    if isinstance(value, Figure):
        if not Path(value.path).is_file():
            raise TemplateError(f"{value.path}: picture not found")
        return _alt_image_class()(tpl, value.path, value.alt, Mm(value.width_mm))
    if isinstance(value, TableData):
        return _table_subdoc(tpl, value)
    if isinstance(value, dict):
        return {k: _materialise(tpl, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_materialise(tpl, v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _materialise(tpl, getattr(value, f.name)) for f in fields(value)}
    return value


def _text_size_pt(tpl) -> float:
    """The size of the template's body text (its Normal style, else the document default), in points."""
    normal = tpl.docx.styles["Normal"].font.size
    if normal is not None:
        return normal.pt
    size = tpl.docx.styles.element.find(qn("w:docDefaults/w:rPrDefault/w:rPr/w:sz"))
    return int(size.get(qn("w:val"))) / 2 if size is not None else 11.0


def _table_doc(tpl):
    """An empty sub-document to build one table in, bound to the template's own parts (its styles).

    docxtpl's ``new_subdoc()`` opens python-docx's whole default .docx for each table (about 40 ms;
    the Strategy has dozens of tables); its body is all a table needs, with the template's page
    settings so that the table spans the template's text width."""
    from copy import deepcopy

    from docx.document import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docxtpl.subdoc import Subdoc

    main = tpl.get_docx()
    element = parse_xml(f"<w:document {nsdecls('w')}><w:body/></w:document>")
    if main.element.body.sectPr is not None:
        element.body.append(deepcopy(main.element.body.sectPr))
    sub = Subdoc.__new__(Subdoc)  # Subdoc's own __init__ is the slow open above
    sub.tpl, sub.docx, sub.subdocx = tpl, main, Document(element, main.part)
    return sub


_settings: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _table_settings(tpl) -> tuple[str | None, float, float]:
    """What every table of a render takes from its template: the id of its "Table Grid" style (python-docx
    searches the styles by name for each table), the text width (mm) and the body text size (pt)."""
    found = _settings.get(tpl)
    if found is None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Length

        section = tpl.docx.sections[0]
        found = _settings[tpl] = (tpl.docx.part.get_style_id("Table Grid", WD_STYLE_TYPE.TABLE),
                                  Length(section.page_width - section.left_margin - section.right_margin).mm,
                                  _text_size_pt(tpl))
    return found


def _table_subdoc(tpl, data: TableData):
    """The table as a sub-document: header row marked and repeated on each page, no row split
    across pages, every column wide enough for its longest word (the text set smaller if the
    words cannot otherwise fit), dates never broken at their hyphens."""
    from docx.shared import Mm, Pt

    sub = _table_doc(tpl)
    table = sub.add_table(rows=1 + len(data.rows), cols=len(data.header))
    style_id, text_width, body = _table_settings(tpl)
    table._tbl.tblStyle_val = style_id  # what ``table.style = "Table Grid"`` sets, found once per render
    planned = data.widths_mm or [text_width / len(data.header)] * len(data.header)
    widths, size = layout([str(h) for h in data.header], [["" if t is None else str(t) for t in row]
                                                          for row in data.rows], planned, body)
    cells = [row.cells for row in table.rows]  # python-docx works a row's cells out from its grid each time
    texts = [(0, data.header, True)] + [(r, row, False) for r, row in enumerate(data.rows, 1)]
    for r, row, bold in texts:
        for cell, text in zip(cells[r], row):
            run = add_unbroken_text(cell.paragraphs[0], "" if text is None else str(text))
            run.bold = bold or None
            if size != body:
                run.font.size = Pt(size)
    # Word reads the cell widths, LibreOffice the table grid: set both, and fixed layout.
    table.autofit = False
    for column, w in zip(table.columns, widths):
        column.width = Mm(w)
    for row in cells:
        for cell, w in zip(row, widths):
            cell.width = Mm(w)
    mark_header_row(table)
    keep_rows_whole(table)
    return sub


@lru_cache(maxsize=1)
def _alt_image_class():
    from docx.shape import InlineShape
    from docxtpl import InlineImage


    class AltImage(InlineImage):
        """docxtpl's InlineImage plus the text alternative (wp:docPr/@descr) it leaves out."""

        def __init__(self, tpl, path, alt, width):
            super().__init__(tpl, str(path), width=width)
            self.alt = alt

        def _insert_image(self):
            inline = self.tpl.current_rendering_part.new_pic_inline(self.image_descriptor, self.width, self.height)
            set_alt_text(InlineShape(inline), self.alt)
            return ('</w:t></w:r><w:r><w:drawing>%s</w:drawing></w:r><w:r><w:t xml:space="preserve">'
                    % inline.xml)

    return AltImage


@lru_cache(maxsize=1)
def _docx_template_class():
    from docxtpl import DocxTemplate

    patched: dict[str, str] = {}

    class PatchedOnce(DocxTemplate):
        """docxtpl's template, which tidies the tags in a template part's XML (a dozen regular expressions
        over the whole part, a function of the XML alone) once per distinct part, not at every render of it."""

        def patch_xml(self, src_xml):
            found = patched.get(src_xml)
            if found is None:
                if len(patched) >= 64:  # a cycle has a dozen templates of a few parts each
                    patched.clear()
                found = patched[src_xml] = super().patch_xml(src_xml)
            return found

    return PatchedOnce


@lru_cache(maxsize=1)
def _env():
    """One Jinja environment for every render, which compiles each template part once: docxtpl asks
    it to compile a template's XML (body, footer, properties) afresh for every paper, the same text
    each time for every paper made from one template."""
    from jinja2 import Environment, StrictUndefined

    class CompiledOnce(Environment):
        def from_string(self, source, globals=None, template_class=None):
            if globals or template_class or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            compiled = self._compiled.get(source)
            if compiled is None:
                if len(self._compiled) >= 64:  # a cycle has a dozen templates of a few parts each
                    self._compiled.clear()
                compiled = self._compiled[source] = super().from_string(source)
            return compiled

    env = CompiledOnce(autoescape=True, undefined=StrictUndefined)
    env._compiled = {}
    return env


class Template:
    """A Word template read once and rendered many times (a questionnaire per partner).

    The fields the template uses are read from it once (docxtpl parses the whole template to list
    them): each render's context is checked against that list.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self._bytes = self.path.read_bytes()
        except FileNotFoundError:
            raise TemplateError(f"{self.path}: template not found") from None
        except OSError as exc:
            raise TemplateError(f"{self.path}: template cannot be read ({exc.strerror})") from None
        self._fields: frozenset[str] | None = None  # every field the template uses, read at its first render

    def render(self, context: dict[str, Any], properties: dict[str, str] | None = None) -> bytes:
        """The rendered .docx as bytes; ``properties`` set core properties (title, identifier)."""
        return self.rendered(context, properties)[0]

    def rendered(self, context: dict[str, Any], properties: dict[str, str] | None = None) -> tuple[bytes, Any]:
        """The rendered .docx as bytes, and as the python-docx document they were saved from."""
        from jinja2 import TemplateError as JinjaError
        from jinja2 import UndefinedError

        try:
            doc = _docx_template_class()(io.BytesIO(self._bytes))
            if self._fields is None:
                self._fields = frozenset(doc.get_undeclared_template_variables(jinja_env=_env()))
            missing = self._fields - context.keys()
            if missing:
                raise TemplateError(f"{self.path}: no value for template field(s) {', '.join(sorted(missing))}")
        except JinjaError as exc:
            raise TemplateError(f"{self.path}: the template has a broken tag: {exc}") from None
        except TemplateError:
            raise
        except Exception as exc:  # not a .docx at all (zip/XML errors)
            raise TemplateError(f"{self.path}: not a Word template that can be opened ({exc})") from None
        try:
            doc.render(_materialise(doc, context), jinja_env=_env(), autoescape=True)
        except UndefinedError as exc:
            raise TemplateError(f"{self.path}: no value for a template field: {exc.message}") from None
        except JinjaError as exc:
            raise TemplateError(f"{self.path}: cannot render: {exc}") from None
        for name, value in (properties or {}).items():
            setattr(doc.docx.core_properties, name, value)
        return docx_bytes(doc), doc.docx


@lru_cache(maxsize=32)
def _template(path: Path, _inode: int, _mtime: int, _size: int) -> Template:
    """The template at ``path`` as it is now (:func:`~scs_refresh.core.atomic.version_of`): read, and its
    fields listed, once in a process while it is unchanged."""
    return Template(path)


def render_docx(template: Path, context: dict[str, Any], out: Path) -> Path:
    """Render ``template`` with ``context`` into ``out`` (atomically); return ``out``."""
    template = Path(template)
    try:
        version = version_of(template)
    except OSError:
        return write_bytes(Path(out), Template(template).render(context))  # says why it cannot be read
    data, document = _template(*version).rendered(context)
    out = write_bytes(Path(out), data)
    _remember(out, document)
    return out


#: The documents render_docx wrote last: the file's path -> (its version as written, the document).
_written: OrderedDict[Path, tuple[tuple, Any]] = OrderedDict()
_written_lock = threading.Lock()


def _remember(path: Path, document) -> None:
    from docx.oxml.document import CT_Body

    if not isinstance(document.element.body, CT_Body):  # not python-docx's own tree (docxtpl changed?)
        return
    try:
        version = version_of(path)
    except OSError:
        return
    with _written_lock:
        _written[version[0]] = (version, document)
        _written.move_to_end(version[0])
        while len(_written) > 4:  # a paper is released just after it is written
            _written.popitem(last=False)


def just_written(path: Path):
    """The python-docx document :func:`render_docx` saved to ``path``, while the file there is still the
    one it wrote (:func:`~scs_refresh.core.atomic.version_of`: each write is a new file), else None: a paper
    is checked as rendered rather than read back and parsed again from the file just written from it."""
    try:
        version = version_of(Path(path))
    except OSError:
        return None
    with _written_lock:
        found = _written.get(version[0])
    return found[1] if found is not None and found[0] == version else None
