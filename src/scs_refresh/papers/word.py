"""Render docxtpl templates into Word papers: strict, escaped, atomic.

Every render
- first checks that the context supplies every variable the template uses
  (docxtpl's ``get_undeclared_template_variables``), and renders with Jinja's
  StrictUndefined so a missing nested field is caught too: a missing field is an error
  naming the template and the field, never a blank in a paper;
- runs with autoescape on, so untrusted text (partner answers) containing ``<``, ``&``,
  ``{{ 7*7 }}`` or ``{% for %}`` appears literally and the file still opens;
- writes through a temporary file and a rename, so a crash never leaves half a .docx;
- places each :class:`Picture` in the context (charts) with its alternative text set.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import write_bytes
from ..errors import UserError


class TemplateError(UserError):
    """A template cannot be rendered with the context given (a missing field, a bad tag)."""


@dataclass(frozen=True)
class Picture:
    """An image for a ``{{ field }}`` of its own: a chart with the text a screen reader gives."""

    path: Path
    alt: str
    width_mm: float = 150


def _inline(doc, picture: Picture):
    """A docxtpl InlineImage whose drawing carries ``picture.alt`` (docxtpl leaves it empty)."""
    from docx.shape import InlineShape
    from docx.shared import Mm
    from docxtpl import InlineImage

    from .docxkit import set_alt_text

    class _Described(InlineImage):
        def _insert_image(self) -> str:
            inline = self.tpl.current_rendering_part.new_pic_inline(self.image_descriptor, self.width, self.height)
            set_alt_text(InlineShape(inline), picture.alt)
            return f'</w:t></w:r><w:r><w:drawing>{inline.xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'

    if not Path(picture.path).is_file():
        raise TemplateError(f"{picture.path}: picture not found")
    return _Described(doc, str(picture.path), width=Mm(picture.width_mm))


def _env():
    from jinja2 import Environment, StrictUndefined

    return Environment(autoescape=True, undefined=StrictUndefined)


def render_docx(template: Path, context: dict[str, Any], out: Path) -> Path:
    """Render ``template`` with ``context`` into ``out`` (atomically); return ``out``."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError as JinjaError
    from jinja2 import UndefinedError

    template = Path(template)
    if not template.is_file():
        raise TemplateError(f"{template}: template not found")
    try:
        doc = DocxTemplate(template)
        missing = doc.get_undeclared_template_variables(jinja_env=_env(), context=context)
    except JinjaError as exc:
        raise TemplateError(f"{template}: the template has a broken tag: {exc}") from None
    except Exception as exc:  # not a .docx at all (zip/XML errors)
        raise TemplateError(f"{template}: not a Word template that can be opened ({exc})") from None
    if missing:
        raise TemplateError(f"{template}: no value for template field(s) {', '.join(sorted(missing))}")
    context = {k: _inline(doc, v) if isinstance(v, Picture) else v for k, v in context.items()}
    try:
        doc.render(context, jinja_env=_env(), autoescape=True)
    except UndefinedError as exc:
        raise TemplateError(f"{template}: no value for a template field: {exc.message}") from None
    except JinjaError as exc:
        raise TemplateError(f"{template}: cannot render: {exc}") from None
    buf = io.BytesIO()
    doc.save(buf)
    return write_bytes(Path(out), buf.getvalue())
