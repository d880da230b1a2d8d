"""Make the returned drafts the comments importer is tested on, the way a partner's copy is made:
by LibreOffice. Each is written as a flat OpenDocument text (.fodt) with a comment and a tracked
change (made by "Jane Smith, NHS Norfolk"), then converted by LibreOffice to .docx.

Run: ``python tests/data/strategy_comments/make_returned_drafts.py`` (needs soffice); the .docx
files are committed beside this script.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
WHO = "<office:change-info><dc:creator>Jane Smith, NHS Norfolk</dc:creator><dc:date>2011-01-24T10:00:00</dc:date></office:change-info>"


def _note(text: str) -> str:
    return (f"<office:annotation><dc:creator>Jane Smith, NHS Norfolk</dc:creator><dc:date>2011-01-24T10:05:00</dc:date>"
            f"<text:p>{escape(text)}</text:p></office:annotation>")


def fodt(version: int, extra_heading: str | None = None) -> str:
    extra = "" if extra_heading is None else (
        f'<text:h text:style-name="Heading_20_1" text:outline-level="1">{escape(extra_heading)}</text:h>'
        f"<text:p>9.1<text:tab/>Better bus services.{_note('Add the A11 dualling here.')}</text:p>")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:styles>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:default-outline-level="1"/>
 </office:styles>
 <office:body><office:text>
  <text:tracked-changes text:track-changes="false">
   <text:changed-region text:id="ct1"><text:deletion>{WHO}<text:p>.</text:p></text:deletion></text:changed-region>
   <text:changed-region text:id="ct2"><text:insertion>{WHO}</text:insertion></text:changed-region>
  </text:tracked-changes>
  <text:p>BRECKLAND PARTNERSHIP</text:p>
  <text:p>Draft version {version} for the Breckland Partnership, as at 19 January 2011</text:p>
  <text:h text:style-name="Heading_20_1" text:outline-level="1">1. Our vision</text:h>
  <text:p>1.1<text:tab/>By 2014 Breckland will be a place where people are proud to live and work.{_note("Say what 'proud' will be measured by.")}</text:p>
  <text:h text:style-name="Heading_20_1" text:outline-level="1">5. Healthier communities and older people</text:h>
  <text:p>5.4.1<text:tab/>Help older people to live independently at home for longer.</text:p>
  <text:p>5.4.2<text:tab/>Reduce smoking<text:change text:change-id="ct1"/><text:change-start text:change-id="ct2"/>, above all in pregnancy.<text:change-end text:change-id="ct2"/></text:p>
  {extra}
 </office:text></office:body>
</office:document>
"""


def make(name: str, text: str) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{Path(name).stem}.fodt"
        src.write_text(text, encoding="utf-8")
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                        "docx:MS Word 2007 XML", "--outdir", str(HERE), str(src)], check=True, capture_output=True)
    return HERE / name


if __name__ == "__main__":
    print(make("returned-draft-v1.docx", fodt(1)))
    print(make("returned-draft-v7.docx", fodt(7)))
    print(make("returned-draft-removed-section.docx", fodt(1, "9. Transport")))
