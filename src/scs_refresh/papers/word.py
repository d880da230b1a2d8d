"""Render docxtpl templates into Word papers: strict, escaped, atomic.

Every render
- first checks that the context supplies every variable the template uses
  (docxtpl's ``get_undeclared_template_variables``), and renders with Jinja's
  StrictUndefined so a missing nested field is caught too: a missing field is an error
  naming the template and the field, never a blank in a paper;
- runs with autoescape on, so untrusted text (partner answers) containing ``<``, ``&``,
  ``{{ 7*7 }}`` or ``{% for %}`` appears literally and the file still opens;
- writes through a temporary file and a rename, so a crash never leaves half a .docx.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..atomic import write_bytes
from ..errors import UserError


class TemplateError(UserError):
    """A template cannot be rendered with the context given (a missing field, a bad tag)."""


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
    try:
        doc.render(context, jinja_env=_env(), autoescape=True)
    except UndefinedError as exc:
        raise TemplateError(f"{template}: no value for a template field: {exc.message}") from None
    except JinjaError as exc:
        raise TemplateError(f"{template}: cannot render: {exc}") from None
    buf = io.BytesIO()
    doc.save(buf)
    return write_bytes(Path(out), buf.getvalue())
