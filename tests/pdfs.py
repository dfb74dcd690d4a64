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


# ---------------------------------------------------------------- scans

# Debian fonts-noto-cjk (make browser): Serif is the 宋体-like face official documents are printed in.
CJK_FONTS = {"serif": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
             "sans": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"}


def _simplified_chinese_font(px: int, face: str):
    """The SC face of a Noto CJK collection (the face index differs between font releases)."""
    from PIL import ImageFont

    for index in range(16):
        font = ImageFont.truetype(CJK_FONTS[face], px, index=index)
        if font.getname()[0].endswith(" SC"):
            return font
    raise LookupError("Noto CJK SC not found in " + CJK_FONTS[face])


FULL_WIDTH_SIGNS = "“”‘’—…"  # set full width in Chinese type (a font's default glyphs are proportional)


def _advance(ch: str, font) -> float:
    return font.size if ch in FULL_WIDTH_SIGNS else font.getlength(ch)


def _wrap(text: str, font, width: int) -> list[str]:
    lines = []
    for raw in text.split("\n"):
        line, used = "", 0.0
        for ch in raw.rstrip():
            if line and used + _advance(ch, font) > width:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += _advance(ch, font)
        lines.append(line)
    return lines


def _draw_line(draw, x: float, y: float, line: str, font) -> None:
    for ch in line:
        draw.text((x, y), ch, font=font, fill=0)
        x += _advance(ch, font)


def render_pages(text: str, dpi: int = 300, pt: float = 16, page_numbers: bool = True, face: str = "serif") -> list:
    """The text typeset as GB/T 9704 sets official documents, as a scanner sees the pages: A4, a text
    block 156 × 225 mm (28 characters of 三号 16 pt, 22 lines), lines wrapped at the margin, and the
    page number "— n —" in 14 pt under the block. Greyscale images."""
    from PIL import Image, ImageDraw

    mm = dpi / 25.4
    px = round(pt * dpi / 72)
    width, height = round(210 * mm), round(297 * mm)
    left, top, block_w, block_h = round(28 * mm), round(37 * mm), round(156 * mm), round(225 * mm)
    font, foot_font = _simplified_chinese_font(px, face), _simplified_chinese_font(round(14 * dpi / 72), face)
    lines = _wrap(text, font, block_w)
    per_page = 22
    step = block_h / per_page
    pages = []
    for first in range(0, len(lines), per_page):
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(lines[first:first + per_page]):
            _draw_line(draw, left, top + row * step, line, font)
        if page_numbers:
            number = f"— {len(pages) + 1} —"
            draw.text((left + (block_w - foot_font.getlength(number)) / 2, top + block_h + 7 * mm), number,
                      font=foot_font, fill=0)
        pages.append(page)
    return pages


def write_scanned_pdf(path: Path, pages: list, dpi: int = 300) -> Path:
    """Page images wrapped in a PDF (Pillow stores each as a JPEG), with no text layer: a scan."""
    first, *rest = [p.convert("L") for p in pages]
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=dpi)
    return path
