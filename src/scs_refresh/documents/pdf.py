"""Convert Word papers to PDF with LibreOffice: the board pack PDF, and a real check that a
.docx opens in something other than python-docx."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.errors import UserError


class PdfError(UserError):
    """LibreOffice is missing or could not convert a paper."""


def soffice() -> str | None:
    """The LibreOffice binary, or None when it is not installed (PDFs are then skipped)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx_files: list[Path], out_dir: Path, timeout: float = 180) -> list[Path]:
    """Convert ``docx_files`` to PDFs in ``out_dir`` in one LibreOffice call; return their paths.

    Each call gets its own LibreOffice profile: two soffice processes sharing one fail.
    Results are written to a scratch folder first and moved into place atomically.
    """
    exe = soffice()
    if exe is None:
        raise PdfError("LibreOffice (soffice) is not installed; cannot make PDFs")
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="scs-soffice-") as tmp:
        profile, scratch = Path(tmp) / "profile", Path(tmp) / "out"
        cmd = [exe, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "pdf", "--outdir", str(scratch), *map(str, docx_files)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice took over {timeout:.0f} s converting {len(docx_files)} file(s)") from None
        made = []
        for src in docx_files:
            pdf = scratch / (Path(src).stem + ".pdf")
            if not pdf.is_file() or pdf.stat().st_size == 0:
                detail = (proc.stderr or proc.stdout).strip().splitlines()
                raise PdfError(f"{src}: LibreOffice could not convert it to PDF"
                               + (f" ({detail[-1]})" if detail else ""))
            made.append(write_bytes(out_dir / pdf.name, pdf.read_bytes()))
    return made
