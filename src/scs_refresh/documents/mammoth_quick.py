"""mammoth made quick (issue #18), the one place that reaches into its internals (mammoth is pinned in
pyproject.toml; ``tests/test_html_fast.py`` fails if a new mammoth stops going through these hooks or
would give a different page). :func:`install` sets two:

- ``mammoth.docx.office_xml.read``, through which ``mammoth.docx._read_entry`` reads every part of a
  .docx: here lxml parses the part in C and a small builder makes mammoth's own XmlElement/XmlText tree
  from it, the tree its xml.dom.minidom path makes (``mammoth/docx/xmlparser.py``, ``office_xml.py``):
  its names (``w:p``; ``{uri}local`` in a namespace mammoth does not know), its attributes, every text
  node whitespace included, mc:AlternateContent collapsed to its fallback. A styles or numbering part
  whose bytes were read before (every paper from one template has the same ones) is not read again.
  What lxml would read otherwise than minidom (a CDATA section, a DTD, UTF-16), or cannot read, is
  left to mammoth's own reader.
- ``mammoth.conversion._DocumentConverter._find_style``, which looks each paragraph, run and table up
  in the style map, testing every mapping in turn (about 50: ours, then mammoth's defaults): the answer
  depends only on the element's style and numbering, so one conversion asks once for each.
"""

from __future__ import annotations

import gc
import hashlib
import io
import threading
from collections import Counter
from contextlib import contextmanager

#: The parts kept for the next paper with the same bytes: a template's, not the paper's own.
_SHARED_PARTS = ("styles.xml", "numbering.xml")
_KEPT_LIMIT = 32  # distinct shared parts held by a process; a cycle's papers come from a handful of templates
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_ALTERNATE_CONTENT, _FALLBACK = f"{{{_MC}}}AlternateContent", f"{{{_MC}}}Fallback"

#: How each part was read since the process started: "lxml", "kept" (a shared part read before)
#: or "mammoth" (left to mammoth's own reader). The tests and bench/bench_html.py count with it.
reads: Counter[str] = Counter()

_kept: dict[bytes, object] = {}
_lock = threading.Lock()
_mammoth_read = None  # mammoth's own office_xml.read, for what the quick path leaves to it
_paused = 0  # callers inside gc_paused()
_gc_was_enabled = True  # whether collection was on when the current pause began


@contextmanager
def gc_paused():
    """No cyclic garbage collection while a document's trees are built. They stay alive until the
    conversion ends, so a collection in the meantime frees next to nothing, yet in a process that
    holds a large heap (the cycle's) each one walks it all: about a third of a quick conversion's
    time there (bench/bench_html.py). Nested and concurrent callers share one pause, which ends with the last of them."""
    global _paused, _gc_was_enabled
    with _lock:
        _paused += 1
        if _paused == 1:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _gc_was_enabled:
                gc.enable()


class _Names(dict):
    """lxml's tags and attribute keys -> mammoth's names (``xmlparser.convert_name``): ``prefix:local``
    in a namespace mammoth knows, ``{uri}local`` in another, ``local`` in none; each worked out once."""

    def __init__(self):
        from mammoth.docx.office_xml import _namespaces

        super().__init__()
        self.prefixes = {uri: prefix for prefix, uri in _namespaces}

    def __missing__(self, tag: str) -> str:
        converted = tag
        if tag[0] == "{":
            uri, local = tag[1:].split("}", 1)
            if uri in self.prefixes:
                converted = f"{self.prefixes[uri]}:{local}"
        self[tag] = converted
        return converted


def _build(root):
    """mammoth's tree of an lxml element, with mc:AlternateContent collapsed in the same pass as
    ``office_xml._collapse_alternate_content`` would after it. A comment or processing instruction
    is left out, but still parts the text either side of it into two nodes, as in minidom."""
    from mammoth.docx.xmlparser import XmlElement, XmlText

    names = _Names()

    def element(el, collapse):
        children = []
        text = el.text
        if text is not None:
            children.append(XmlText(text))
        for child in el:
            tag = child.tag
            if tag.__class__ is str:  # an element: a comment's or a PI's tag is a function
                if collapse and tag == _ALTERNATE_CONTENT:
                    # its first mc:Fallback's children, which mammoth does not collapse; nothing without one
                    fallback = next((c for c in child if c.tag == _FALLBACK), None)
                    if fallback is not None:
                        children.extend(element(fallback, False).children)
                else:
                    children.append(element(child, collapse))
            tail = child.tail
            if tail is not None:
                children.append(XmlText(tail))
        attributes = el.items()
        return XmlElement(names[el.tag], {names[key]: value for key, value in attributes} if attributes else {},
                          children)

    return element(root, root.tag != _ALTERNATE_CONTENT)


def _parse(data: bytes):
    """lxml's tree of a part; None where minidom would read it otherwise (it keeps a CDATA section
    as a node of its own, which mammoth drops; a DTD may declare entities; NUL bytes mean UTF-16 or
    UTF-32, where the first two checks cannot see) or lxml cannot read it at all."""
    from lxml import etree

    if b"<![CDATA[" in data or b"<!DOCTYPE" in data or b"\x00" in data:
        return None
    try:  # a parser for each part: lxml's parsers are not to be shared between threads
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError:
        return None


def read_part(fileobj):
    """mammoth's tree of one part of a .docx: ``office_xml.read``'s contract, quickly."""
    from mammoth.docx.office_xml import _collapse_alternate_content

    data = fileobj.read()
    shared = getattr(fileobj, "name", "").endswith(_SHARED_PARTS)
    if shared:  # mammoth only reads a part's tree (styles_xml, numbering_xml), so one serves many papers
        key = hashlib.blake2b(data, digest_size=20).digest()
        with _lock:
            tree = _kept.get(key)
        if tree is not None:
            reads["kept"] += 1
            return tree
    root = _parse(data)
    if root is None:
        reads["mammoth"] += 1
        tree = mammoth_read()(io.BytesIO(data))
    else:
        reads["lxml"] += 1
        with gc_paused():
            tree = _build(root)
        if root.tag == _ALTERNATE_CONTENT:  # a part that is one mc:AlternateContent: as mammoth does it
            tree = _collapse_alternate_content(tree)[0]
    if shared:
        with _lock:
            if len(_kept) >= _KEPT_LIMIT:
                _kept.clear()
            _kept[key] = tree
    return tree


def mammoth_read():
    """mammoth's own ``office_xml.read`` (minidom), installed or not."""
    global _mammoth_read
    from mammoth.docx import office_xml

    with _lock:
        if _mammoth_read is None:  # not installed yet, so office_xml.read is still mammoth's
            _mammoth_read = office_xml.read
        return _mammoth_read


_mammoth_find_style = None  # mammoth's own _DocumentConverter._find_style


def find_style(self, element, element_type):
    """``_DocumentConverter._find_style``, once per conversion for each paragraph, run and table style.
    mammoth's ``_document_matcher_matches`` tests only these of such an element: its style id and name,
    and a paragraph's numbering; every other kind (bold, highlight, break...) is asked of mammoth."""
    if element_type == "paragraph":
        key = (element_type, element.style_id, element.style_name, element.numbering)
    elif element_type in ("run", "table"):
        key = (element_type, element.style_id, element.style_name)
    else:
        return _mammoth_find_style(self, element, element_type)
    styles = self.__dict__.setdefault("_scs_styles", {})  # this conversion's, for its style map
    try:
        return styles[key]
    except KeyError:
        style = styles[key] = _mammoth_find_style(self, element, element_type)
        return style
    except TypeError:  # a numbering that cannot be a key
        return _mammoth_find_style(self, element, element_type)


def install() -> None:
    """Have mammoth read every part through :func:`read_part` and look styles up through
    :func:`find_style`, from now on in this process."""
    global _mammoth_find_style
    from mammoth.conversion import _DocumentConverter
    from mammoth.docx import office_xml

    mammoth_read()  # kept first, for what read_part leaves to it
    with _lock:
        office_xml.read = read_part
        if _DocumentConverter._find_style is not find_style:
            _mammoth_find_style = _DocumentConverter._find_style
            _DocumentConverter._find_style = find_style


@contextmanager
def uninstalled():
    """mammoth as it is on its own, inside the block (the tests and bench/bench_html.py compare with it)."""
    from mammoth.conversion import _DocumentConverter
    from mammoth.docx import office_xml

    own_read = mammoth_read()
    with _lock:
        installed = office_xml.read is read_part
        if installed:
            office_xml.read = own_read
            _DocumentConverter._find_style = _mammoth_find_style
    try:
        yield
    finally:
        if installed:
            install()
