"""A meeting pack's PDF made from its papers' PDFs (issue #18), not by converting the pack again.

LibreOffice already converted every paper of the pack; converting the merged pack .docx as well
was 40% of a cycle's LibreOffice time, all of it waited for at the end of ``scs papers``. The
pack's pages are exactly its papers' pages in order, so the PDF is the papers' pages joined, each
page's footer replaced by the pack's (its words, Liberation Sans 11 pt where LibreOffice sets it,
page numbers running on through the pack), their structure trees merged into one, and the pack's
title, language and bookmarks: to a reader, the same file as LibreOffice's conversion of the pack.
"""

from __future__ import annotations

import functools
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.errors import UserError
from scs_refresh.documents.accessibility import check_pdf
from scs_refresh.documents.release import release_pdf

#: A footer's text sits below this height on the page (points): the papers' bottom margin is 20 mm.
FOOTER_ZONE = 56.0
#: What the pack's footer is set in: the papers' Footer style, as LibreOffice substitutes Arial.
FONT_FAMILY, FONT_SIZE = "Liberation Sans", 11.0
#: The font resource name the pack's footer uses on each page (LibreOffice's own are /F1, /F2, ...).
FONT_NAME = "/FPack"


class PackPdfError(UserError):
    """The papers' PDFs are not as LibreOffice writes them (no footer found): convert the pack instead."""


@dataclass(frozen=True)
class Footer:
    """The pack's footer: ``left`` at the left margin, ``page`` + N right-aligned (``Page 7``)."""

    left: str
    page: str = "Page "


@functools.cache
def _font_file() -> Path:
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", FONT_FAMILY], capture_output=True, text=True,
                               timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        found = ""
    if not found.lower().endswith(".ttf") or "liberationsans" not in Path(found).name.lower().replace("-", ""):
        raise PackPdfError(f"the font {FONT_FAMILY} is not installed (fc-match found {found or 'nothing'})")
    return Path(found)


@dataclass(frozen=True)
class _Subset:
    """What a pack's PDF needs of a subset of the font: the font file, and its glyph ids, widths and metrics."""

    data: bytes
    gid: dict
    width: dict
    name: str
    bbox: tuple
    ascent: int
    descent: int
    cap_height: int


@functools.lru_cache(maxsize=64)
def _subset(chars: str) -> _Subset:
    """The font cut down to ``chars``, made once per process for each set of characters: two packs of the
    same meeting, or of meetings on days written with the same digits, share it (it is a footer's
    characters, usually fewer than fifty, but cutting the font down costs as much as joining a pack)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    # FontForge's timestamps, and the layout and kerning tables LibreOffice does not apply to a footer:
    # reading them was most of the subsetting time
    options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "kern"]
    options.layout_features = []
    font = TTFont(str(_font_file()), lazy=True)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    cmap = font.getBestCmap()
    scale = 1000 / font["head"].unitsPerEm
    gid = {c: font.getGlyphID(cmap[ord(c)]) for c in chars if ord(c) in cmap}
    missing = [c for c in chars if c not in gid]
    if missing:
        raise PackPdfError(f"{FONT_FAMILY} has no glyph for {''.join(missing)!r}")
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    return _Subset(buf.getvalue(), gid, {c: font["hmtx"][cmap[ord(c)]][0] * scale for c in chars},
                   font["name"].getDebugName(6),
                   tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
                   round(hhea.ascent * scale), round(hhea.descent * scale),
                   round(getattr(os2, "sCapHeight", hhea.ascent) * scale))


class _Font:
    """A subset of Liberation Sans holding the footers' characters, embedded once (Type0, Identity-H)
    with a ToUnicode map, so the footer's text is searchable and read aloud like LibreOffice's."""

    def __init__(self, pdf, text: str):
        import pikepdf

        chars = sorted(set(text) | {" "})
        font = _subset("".join(chars))
        self.gid, self.width = font.gid, font.width
        name = pikepdf.Name("/" + "PACKAA+" + font.name)
        stream = pikepdf.Stream(pdf, font.data)
        stream["/Length1"] = len(font.data)
        descriptor = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor, FontName=name, Flags=32,
            FontBBox=list(font.bbox),
            ItalicAngle=0, Ascent=font.ascent, Descent=font.descent,
            CapHeight=font.cap_height, StemV=80,
            FontFile2=pdf.make_indirect(stream)))
        by_gid = sorted((g, c) for c, g in self.gid.items())
        widths = pikepdf.Array()
        for g, c in by_gid:
            widths.extend([g, [round(self.width[c])]])
        cid = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=name,
                                 CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"),
                                                                  Ordering=pikepdf.String("Identity"), Supplement=0),
                                 FontDescriptor=descriptor, DW=1000, W=widths,
                                 CIDToGIDMap=pikepdf.Name.Identity)
        self.ref = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=name, Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[pdf.make_indirect(cid)], ToUnicode=pdf.make_indirect(pikepdf.Stream(pdf, _to_unicode(by_gid)))))

    def encode(self, text: str) -> bytes:
        return b"".join(self.gid[c].to_bytes(2, "big") for c in text)

    def text_width(self, text: str, size: float) -> float:
        return sum(self.width[c] for c in text) * size / 1000


def _to_unicode(by_gid: list[tuple[int, str]]) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for start in range(0, len(by_gid), 100):
        chunk = by_gid[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{g:04X}> <{c.encode('utf-16-be').hex().upper()}>" for g, c in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode()


#: A text artifact as LibreOffice writes a header or footer line: its colour, position, font, and glyphs
#: (hex strings and kerning only, so ``EMC`` cannot occur inside it).
_ARTIFACT = re.compile(rb"/Artifact BMC\nq ([\d.]+) ([\d.]+) ([\d.]+) rg\nBT\n(-?[\d.]+) (-?[\d.]+) Td "
                       rb"(/\S+) ([\d.]+) Tf ?(\[[0-9A-Fa-f<>\s.\-]*\]TJ|<[0-9A-Fa-f]*>Tj)\nET\nQ\nEMC\n")
_SHOWN = re.compile(rb"<([0-9A-Fa-f]*)>|(-?[\d.]+)")


@dataclass
class _Place:
    """Where a page's own footer was: its offset in the content, baseline, left x, right edge, colour."""

    at: int
    x: float
    y: float
    right: float
    colour: tuple[float, float, float]


def _widths(font, known: dict) -> tuple[int, list[float]]:
    """A simple font's first character and /Widths, read once per font of a paper (``known``, by object):
    every footer line of every page asks for them."""
    import pikepdf

    key = font.objgen if isinstance(font, pikepdf.Object) and font.is_indirect else None
    if key is not None and key in known:
        return known[key]
    found = int(font.get("/FirstChar", 0)), [float(w) for w in font.get("/Widths", [])]
    if key is not None:
        known[key] = found
    return found


def _shown_width(font, shown: bytes, size: float, known: dict | None = None) -> float:
    """How wide LibreOffice's Tj/TJ of a simple (subset TrueType) font is, from the font's /Widths."""
    first, widths = _widths(font, {} if known is None else known)
    total = 0.0
    for glyphs, kern in _SHOWN.findall(shown):
        if kern:
            total -= float(kern)
        else:
            total += sum(widths[b - first] if 0 <= b - first < len(widths) else 0 for b in bytes.fromhex(glyphs.decode()))
    return total * size / 1000


def _strip_footer(page, known: dict | None = None) -> tuple[bytes, _Place]:
    """The page's content without its footer artifacts (text below :data:`FOOTER_ZONE`), and where the
    footer was. Read as bytes, not parsed: parsing every operator of every page cost more than the rest.
    ``known``: the widths of the paper's fonts read so far (:func:`_widths`)."""
    import pikepdf

    contents = page.obj.get("/Contents")
    data = b"\n".join(c.read_bytes() for c in contents) if isinstance(contents, pikepdf.Array) \
        else contents.read_bytes() if contents is not None else b""
    fonts = page.obj.get("/Resources", {}).get("/Font", {})
    kept, place, pos = [], None, 0
    for m in _ARTIFACT.finditer(data):
        r, g, b, x, y, font, size, shown = m.groups()
        x, y = float(x), float(y)
        if y >= FOOTER_ZONE:
            continue
        right = x + _shown_width(fonts.get(font.decode(), {}), shown, float(size), known)
        kept.append(data[pos:m.start()])
        pos = m.end()
        if place is None:
            place = _Place(sum(map(len, kept)), x, y, right, (float(r), float(g), float(b)))
        else:
            place.x, place.right = min(place.x, x), max(place.right, right)
    if place is None:
        raise PackPdfError("a page has no footer where LibreOffice writes one")
    kept.append(data[pos:])
    return b"".join(kept), place


def _footer_ops(font: _Font, footer: Footer, number: int, place: _Place) -> bytes:
    """The pack's footer as LibreOffice sets it: the left text, then ``Page `` and the number right-aligned,
    each a pagination artifact (PDF/UA)."""
    num = str(number)
    pieces = [(footer.left, place.x), (footer.page, place.right - font.text_width(footer.page + num, FONT_SIZE)),
              (num, place.right - font.text_width(num, FONT_SIZE))]
    colour = " ".join(f"{c:g}" for c in place.colour)
    return b"".join(
        (f"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq {colour} rg\nBT\n{x:.3f} {place.y:.3f} Td "
         f"{FONT_NAME} {FONT_SIZE:g} Tf <{font.encode(text).hex().upper()}>Tj\nET\nQ\nEMC\n").encode()
        for text, x in pieces if text)


def _copy_all(pdf, src, objs: list) -> list:
    """``objs`` from ``src`` into ``pdf``, in one copy: qpdf copies only indirect objects, so they go
    over in one indirect array made in the source (qpdf copies whatever it refers to, each object once
    per source, as it copied the pages). Walking them in Python, object by object, cost more."""
    import pikepdf

    if not objs:
        return []
    return list(pdf.copy_foreign(src.make_indirect(pikepdf.Array(objs))))


def _number_tree(node) -> list[tuple[int, object]]:
    """Every (key, value) of a number tree (the /ParentTree), kids and all."""
    out = []
    nums = node.get("/Nums")
    if nums is not None:
        out += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", []):
        out += _number_tree(kid)
    return out


def _name_tree(node) -> list[tuple[object, object]]:
    out = []
    names = node.get("/Names")
    if names is not None:
        out += [(names[i], names[i + 1]) for i in range(0, len(names), 2)]
    for kid in node.get("/Kids", []):
        out += _name_tree(kid)
    return out


def _outline(src, pdf, first_page: int):
    """The paper's bookmarks, pointing at its pages in the pack. Read from the outline's dictionaries as
    pikepdf's outline reader reads them (each item once, 15 levels deep), without building its items
    and writing them back into the paper, which cost as much as the rest of the structure tree."""
    import pikepdf

    index = {p.objgen: n for n, p in enumerate(src.pages)}
    seen = set()

    def level(node, depth: int) -> list:
        items = []
        while isinstance(node, pikepdf.Dictionary):
            if node.is_indirect:
                if node.objgen in seen:
                    break
                seen.add(node.objgen)
            dest = node.get("/Dest")
            if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in index:
                new = pikepdf.Array([pdf.pages[first_page + index[dest[0].objgen]].obj, *list(dest)[1:]])
            else:
                new = pikepdf.Array([pdf.pages[first_page].obj, pikepdf.Name.Fit])
            item = pikepdf.OutlineItem(str(node.Title) if "/Title" in node else "", destination=new)
            first = node.get("/First")
            if isinstance(first, pikepdf.Dictionary) and depth < 15:
                item.children.extend(level(first, depth + 1))
            items.append(item)
            node = node.get("/Next")
        return items

    outlines = src.Root.get("/Outlines")
    return level(outlines.get("/First"), 0) if isinstance(outlines, pikepdf.Dictionary) else []


def pack_pdf(paper_pdfs: list[Path], out: Path, *, footer: Footer, title: str, figures: int | None = None) -> Path:
    """Join ``paper_pdfs`` (the pack's parts, the agenda first) into the pack's tagged PDF at ``out``. With
    ``figures`` (the pack's pictures), it is released only if it passes the checks (:func:`release_pdf`), made
    on the joined PDF before it is written: reading it back parsed every structure element again."""
    import pikepdf

    if not paper_pdfs:
        raise PackPdfError("a pack needs at least one paper")
    pdf = pikepdf.new()
    sources = [pikepdf.open(p) for p in paper_pdfs]
    try:
        root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        document = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document,
                                                        P=root, K=pikepdf.Array()))
        root.K = pikepdf.Array([document])
        role_map, class_map, ids, parents = pikepdf.Dictionary(), pikepdf.Dictionary(), [], []
        outline, offset, stripped = [], 0, []
        for src, path in zip(sources, paper_pdfs):
            tree = src.Root.get("/StructTreeRoot")
            if tree is None:
                raise PackPdfError(f"{path.name} is not tagged")
            first_page = len(pdf.pages)
            known: dict = {}
            for page in src.pages:  # the footer goes before copying: the page is parsed once
                stripped.append(_strip_footer(page, known))
            pdf.pages.extend(src.pages)
            # the paper's top elements (its Document's children) become the pack Document's, in order
            tops = tree.get("/K")
            tops = list(tops) if isinstance(tops, pikepdf.Array) else [tops] if tops is not None else []
            kids = []
            for top in tops:
                if isinstance(top, pikepdf.Dictionary) and top.get("/S") == pikepdf.Name.Document:
                    inner = top.get("/K")
                    kids += list(inner) if isinstance(inner, pikepdf.Array) else [inner] if inner is not None else []
                else:
                    kids.append(top)
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and "/P" in kid:
                    del kid["/P"]  # the source's tree root stays behind
            entries = _number_tree(tree.get("/ParentTree", pikepdf.Dictionary()))
            roles = list(tree.get("/RoleMap", {}).items())
            classes = list(tree.get("/ClassMap", {}).items())
            named = _name_tree(tree.IDTree) if "/IDTree" in tree else []
            copied = iter(_copy_all(pdf, src, kids + [v for _, v in entries + roles + classes + named]))
            for kid, new in zip(kids, copied):
                if isinstance(new, pikepdf.Dictionary):
                    new.P = document
                document.K.append(new)
            for key, value in entries:
                parents.append((key + offset, next(copied)))
            for page in pdf.pages[first_page:]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + offset
                for annot in page.obj.get("/Annots", []):
                    if "/StructParent" in annot:
                        annot.StructParent = int(annot.StructParent) + offset
            offset += max((k for k, _ in entries), default=-1) + 1
            for key, _ in roles:
                role_map[key] = next(copied)
            for key, _ in classes:
                class_map[key] = next(copied)
            ids += [(k, next(copied)) for k, _ in named]
            outline.append((src.docinfo.get("/Title", path.stem), first_page, _outline(src, pdf, first_page)))

        texts = footer.left + footer.page + "0123456789"
        font = _Font(pdf, texts)
        for number, (page, (ops, place)) in enumerate(zip(pdf.pages, stripped), 1):
            page.obj.Contents = pdf.make_stream(ops[:place.at] + _footer_ops(font, footer, number, place)
                                                + ops[place.at:])
            resources = page.obj.get("/Resources")
            if resources is None:
                page.obj.Resources = resources = pikepdf.Dictionary()
            if "/Font" not in resources:
                resources.Font = pikepdf.Dictionary()
            resources.Font[FONT_NAME] = font.ref

        nums = pikepdf.Array()
        for key, value in sorted(parents, key=lambda kv: kv[0]):
            nums.extend([key, value])
        root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        root.ParentTreeNextKey = offset
        if role_map:
            root.RoleMap = role_map
        if class_map:
            root.ClassMap = class_map
        if ids:
            names = pikepdf.Array()
            for k, v in sorted(ids, key=lambda kv: bytes(kv[0])):
                names.extend([k, v])
            root.IDTree = pikepdf.Dictionary(Names=names)
        pdf.Root.StructTreeRoot = root
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        pdf.Root.Lang = sources[0].Root.get("/Lang", pikepdf.String("en-GB"))
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.XYZ, None, None, 0])

        with pdf.open_outline() as tree_outline:
            for paper_title, first_page, items in outline:
                entry = pikepdf.OutlineItem(str(paper_title), destination=pikepdf.Array(
                    [pdf.pages[first_page].obj, pikepdf.Name.XYZ, None, None, 0]))
                entry.children.extend(items)
                tree_outline.root.append(entry)

        info = sources[0].docinfo
        pdf.docinfo.Title = pikepdf.String(title)
        for key in ("/Author", "/Creator", "/Producer", "/CreationDate"):
            if key in info:
                pdf.docinfo[key] = info[key]
        with sources[0].open_metadata() as first, pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            for key, value in first.items():
                if "ModifyDate" not in key and "MetadataDate" not in key:
                    meta[key] = value
            meta["dc:title"] = title
            meta["pdfuaid:part"] = "1"
        problems = None if figures is None else check_pdf(pdf, figures)
        buf = io.BytesIO()
        pdf.save(buf, object_stream_mode=pikepdf.ObjectStreamMode.generate, min_version=sources[0].pdf_version)
    finally:
        for src in sources:
            src.close()
    made = write_bytes(Path(out), buf.getvalue())
    return made if problems is None else release_pdf(made, problems=problems)
