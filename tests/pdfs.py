"""Real PDFs made in tests with reportlab's STSong-Light CID font (pypdf extracts its Chinese text)."""
from __future__ import annotations

from pathlib import Path


def write_text_pdf(path: Path, lines: list[str], encrypt: str = "") -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt or None)
    y = 800
    for line in lines:
        if y < 60:
            c.showPage()
            y = 800
        c.setFont("STSong-Light", 11)
        c.drawString(40, y, line)
        y -= 18
    c.save()
    return path


def write_image_only_pdf(path: Path) -> Path:
    """A 'scan': drawn shapes, no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(50, 500, 300, 200, fill=1)
    c.save()
    return path
