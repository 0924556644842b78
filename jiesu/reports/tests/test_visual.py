"""Visual check: the default monthly report rendered by LibreOffice to PDF and PNG, kept under
test-artifacts/reports/ for a person to look at (skipped where LibreOffice is not installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from jiesu.orgs.testing import World
from jiesu.reports.docx_render import report_docx
from jiesu.reports.tests.documents_support import month_with_tickets

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "reports"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")


def convert(source: Path, target: str, profile: Path) -> Path:
    """Convert `source` with LibreOffice headless; a private profile keeps parallel runs apart."""
    # The programs come from PATH and the arguments are this test's own paths.
    subprocess.run(  # noqa: S603
        [SOFFICE or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(source.parent), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return source.with_suffix("." + target.split(":")[0])


def first_page_png(pdf: Path, profile: Path) -> Path:
    """Page 1 as PNG: poppler's pdftoppm where installed (Debian's LibreOffice without a GUI
    cannot export PNG), else LibreOffice's own PNG export of the document."""
    if PDFTOPPM is None:
        return convert(pdf.with_suffix(".docx"), "png", profile)
    stem = pdf.with_suffix("")
    subprocess.run(  # noqa: S603
        [PDFTOPPM, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return stem.with_suffix(".png")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice（soffice）未安装，跳过报告版面检查")
def test_the_monthly_report_renders_to_pdf_and_png(world: World, tmp_path: Path) -> None:
    month = month_with_tickets(world)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / "monthly-report.docx"
    source.write_bytes(report_docx(month.facts, month.narrative))
    pdf = convert(source, "pdf", tmp_path / "profile")
    png = first_page_png(pdf, tmp_path / "profile")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
