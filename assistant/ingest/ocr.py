"""OCR of scanned pages, offline: Debian's tesseract with its chi_sim model, through pytesseract.

Per page: the image is scaled so that a line of text is about 30 px high (tesseract's Chinese model
reads worst on large glyphs: 95.8 % of characters right at 67 px against 98.6 % at 33 px on our plan),
recognised as one block (psm 6), and returned as lines with their boxes and a confidence (0–100, the
mean of tesseract's word confidences weighted by length). `ingest.layout` joins the lines into
paragraphs. Tesseract's habit of reading Chinese full-width punctuation as ASCII (（一） as (一), ；
as ;) is undone here, since official documents use the full-width forms (GB/T 9704).
"""
from __future__ import annotations

import csv
import functools
import io
import os
import re
import statistics
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from assistant.ingest.layout import Line, join_lines, text_lines, tighten

OCR_NOTE = "OCR 识别文本，请核对原件"
LANG = "chi_sim"
TESSERACT_CONFIG = "--psm 6 -c tessedit_create_tsv=1"
MIN_CONFIDENCE = 80.0  # below this a page is reported and left out (measured: conf 80 ≈ 93 % of characters right)
PAGE_TIMEOUT_S = 120
MAX_OCR_PAGES = 100  # about 2 minutes of OCR on two cores
WORKERS = 2  # tesseract runs as a process per page; more than the cores only queues
INK_TARGET_PX, INK_MIN_PX, INK_MAX_PX = 30, 16, 45  # glyph height tesseract reads best, and the band left alone
PARAGRAPH_GAP = 1.8  # a step between lines this many times the usual one is a blank line
INSTALL_HINT = "请运行 make setup，或 apt-get install tesseract-ocr tesseract-ocr-chi-sim"

CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》〈〉"
ASCII_TO_FULL = {"(": "（", ")": "）", ",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
ASCII_PUNCT = re.compile(r"\s*([(),;:?!])\s*")
SPACE_IN_NUMBER = re.compile(r"(?<=\d) (?=\d)")  # 20 22 → 2022: Chinese text does not group digits
# 〈 or 《 closed by ）is a misread （ ; 一 between digits is a misread dash (2024—2025).
MISREAD_OPEN = re.compile(r"[〈《(（]+(?=[^〈《〉》()（）\n]{1,20}）)")
HALF_PAIR = re.compile(r"（([^（）()\n]*)\)|\(([^（）()\n]*)）")  # one half full-width: both are
DIGIT_DASH = re.compile(r"(?<=\d)一(?=\d)")
# Heading numbers OCR breaks: 二）强化… lost its （; （G八） picked up a stray letter.
CN_NUMERAL = "一二三四五六七八九十"
OPEN_LOST = re.compile(rf"^([{CN_NUMERAL}]{{1,3}})）")
STRAY_IN_NUMBER = re.compile(rf"^（[A-Za-z\\]{{1,2}}([{CN_NUMERAL}]{{1,3}})）")
LEVEL2_HEAD = re.compile(r"^（([^（）\n]{1,4})）")
MIN_TERM_CHARS = 6  # shorter names are corrected only where they stand alone, in a duty heading
# 文号 brackets are 六角括号 by the standard: 曲政办字(2024]17号 → 曲政办字〔2024〕17号.
DOC_NUMBER = re.compile(r"(?<=[\u4e00-\u9fff])\s*[\[(（【〔]\s*(\d{4})\s*[\])）】〕]\s*(\d{1,4})\s*(?=号)")


@dataclass(frozen=True)
class OcrPage:
    number: int  # 1-based page number in the file
    lines: list[Line]
    confidence: float  # 0–100; 0 when nothing was recognised
    error: str = ""  # a Chinese reason when the page could not be read at all


def _touches_cjk(text: str, start: int, end: int) -> bool:
    before, after = text[:start].rstrip()[-1:], text[end:].lstrip()[:1]
    return any(ch and re.match(f"[{CJK}]", ch) for ch in (before, after))


def normalise(line: str) -> str:
    """Undo tesseract's usual misreadings of Chinese punctuation in one line."""
    line = ASCII_PUNCT.sub(
        lambda m: ASCII_TO_FULL[m.group(1)] if _touches_cjk(line, m.start(), m.end()) else m.group(0), line)
    line = HALF_PAIR.sub(lambda m: f"（{m.group(1) or m.group(2) or ''}）", MISREAD_OPEN.sub("（", line))
    line = DIGIT_DASH.sub("—", line)
    line = DOC_NUMBER.sub(lambda m: f"〔{m.group(1)}〕{m.group(2)}", line)
    line = SPACE_IN_NUMBER.sub("", tighten(line))
    return STRAY_IN_NUMBER.sub(r"（\1）", OPEN_LOST.sub(r"（\1）", line))


def repair_numbering(text: str) -> str:
    """A （…） heading OCR could not read (（XA）) between （五） and （七） is （六）: the document's own
    numbering runs on, so its neighbours say what it was."""
    from assistant.ingest.office import chinese_number

    values = {chinese_number(n): n for n in range(1, 100)}
    lines = text.split("\n")
    heads = [(i, values.get(m.group(1))) for i, m in ((i, LEVEL2_HEAD.match(ln)) for i, ln in enumerate(lines)) if m]
    for (_, before), (i, value), (_, after) in zip(heads, heads[1:], heads[2:]):
        if value is None and before and after == before + 2:
            lines[i] = LEVEL2_HEAD.sub(f"（{chinese_number(before + 1)}）", lines[i], count=1)
    return "\n".join(lines)


def _one_off(a: str, b: str) -> bool:
    """Same length, exactly one Chinese character different."""
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    return len(a) == len(b) and len(diff) == 1 and all("\u4e00" <= ch <= "\u9fff" for ch in diff[0])


def correct_terms(text: str, names: list[str], units: list[str]) -> str:
    """Names the reader already knows put back where OCR misread one Chinese character of them: the
    sidecar's title, issuer and 文号 (曲插市人民政府办公室), and member units in their duty headings
    （二十一）各镇竺. Anything that is itself a known name (市民政局 beside 市财政局), or lies inside one
    (民政府办公室 in 曲阜市人民政府办公室), is left alone."""
    known = {*names, *units}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        head = LEVEL2_HEAD.match(line)
        rest = line[head.end():] if head else ""
        unit = next((u for u in units if rest not in known and _one_off(rest, u)), None)
        if unit:
            lines[i] = line[:head.end()] + unit
    text = "\n".join(lines)
    for term in sorted((t for t in known if len(t) >= MIN_TERM_CHARS), key=len, reverse=True):
        protected = [(m.start(), m.end()) for k in known if k != term for m in re.finditer(re.escape(k), text)]
        pattern = "|".join(re.escape(term[:j]) + "[\u4e00-\u9fff]" + re.escape(term[j + 1:]) for j in range(len(term)))

        def fix(m: re.Match) -> str:
            overlaps = any(m.start() < b and a < m.end() for a, b in protected)
            return term if _one_off(m.group(0), term) and not overlaps else m.group(0)

        text = re.sub(pattern, fix, text)
    return text


def _missing_engine() -> str:
    """Empty when tesseract and its Chinese model are installed, else the Chinese reason."""
    import pytesseract

    try:
        languages = pytesseract.get_languages()
    except (pytesseract.TesseractNotFoundError, OSError):
        return f"识别扫描件需要 OCR 程序 tesseract，本机未安装（{INSTALL_HINT}）"
    except pytesseract.TesseractError:
        languages = []
    if LANG not in languages:
        return f"识别扫描件需要 tesseract 的简体中文模型 chi_sim，本机未安装（{INSTALL_HINT}）"
    return ""


def check_engine() -> None:
    if _missing_engine():
        raise ValueError(_missing_engine())


def _ink_height(gray) -> float:
    """Median height (px) of the bands of rows that hold ink: the printed line height."""
    import numpy as np

    pixels = np.asarray(gray)
    rows = (pixels < 128).sum(axis=1) > max(2, pixels.shape[1] // 500)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], rows.astype(np.int8), [0]))))
    heights = [int(b - a) for a, b in zip(edges[::2], edges[1::2]) if b - a >= 4]
    return statistics.median(heights) if heights else 0.0


def prepare(image):
    """Greyscale, scaled so that text lines are about INK_TARGET_PX high. A colour scan is read through
    its red channel, where a red seal (公章) over the text turns white and black print stays black."""
    from PIL import Image

    gray = image.convert("RGB").getchannel("R") if image.mode not in ("1", "L", "I", "I;16", "F") else image.convert("L")
    height = _ink_height(gray)
    if height and not INK_MIN_PX <= height <= INK_MAX_PX:
        scale = min(INK_TARGET_PX / height, 3.0)
        gray = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))),
                           Image.Resampling.LANCZOS)
    return gray


def _run_tesseract(image) -> tuple[str, str]:
    """(txt, tsv) of one page from one tesseract run."""
    from pytesseract import pytesseract as tess

    with tempfile.TemporaryDirectory(prefix="assistant-ocr-") as tmp:
        source = Path(tmp) / "page.png"
        image.save(source)
        tess.run_tesseract(str(source), str(Path(tmp) / "out"), "txt", LANG, TESSERACT_CONFIG,
                           timeout=PAGE_TIMEOUT_S)
        read = lambda suffix: (Path(tmp) / f"out.{suffix}").read_text(encoding="utf-8", errors="replace")  # noqa: E731
        return read("txt"), read("tsv")


def _tsv_lines(tsv: str) -> list[dict]:
    """Lines with their box and their words' (text, confidence), in tesseract's reading order."""
    lines: dict[tuple, dict] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        if row["level"] == "4":
            lines[key] = {"left": int(row["left"]), "top": int(row["top"]), "width": int(row["width"]),
                          "height": int(row["height"]), "words": []}
        elif row["level"] == "5" and (row.get("text") or "").strip() and key in lines:
            lines[key]["words"].append((row["text"].strip(), float(row["conf"])))
    return [ln for ln in lines.values() if ln["words"]]


def page_lines(txt: str, tsv: str) -> tuple[list[Line], float]:
    """Lines in em from the page's text (its spacing is tesseract's best) and boxes, and the confidence."""
    boxes = _tsv_lines(tsv)
    texts = [t for t in txt.split("\n") if t.strip()]
    if len(texts) != len(boxes):  # not seen in practice; the words alone still give the text
        texts = ["".join(w for w, _ in box["words"]) for box in boxes]
    words = [(w, c) for box in boxes for w, c in box["words"] if c >= 0]
    weight = sum(len(w) for w, _ in words)
    confidence = sum(len(w) * c for w, c in words) / weight if weight else 0.0
    if not boxes:
        return [], confidence
    em = statistics.median(box["height"] for box in boxes) or 1
    steps = [b["top"] - a["top"] for a, b in zip(boxes, boxes[1:]) if b["top"] > a["top"]]
    step = statistics.median(steps) if steps else em
    lines: list[Line] = []
    for i, (text, box) in enumerate(zip(texts, boxes)):
        if i and box["top"] - boxes[i - 1]["top"] > PARAGRAPH_GAP * step:
            lines.append(Line(""))
        lines.append(Line(normalise(text), box["left"] / em, (box["left"] + box["width"]) / em))
    return lines, confidence


def ocr_image(image, number: int) -> OcrPage:
    from pytesseract import TesseractError

    try:
        txt, tsv = _run_tesseract(prepare(image))
    except RuntimeError as exc:  # pytesseract raises RuntimeError on its timeout
        if isinstance(exc, TesseractError):
            return OcrPage(number, [], 0.0, f"第 {number} 页 OCR 失败（{exc.message.strip()[:80] or exc.status}）")
        return OcrPage(number, [], 0.0, f"第 {number} 页 OCR 超过 {PAGE_TIMEOUT_S} 秒，已放弃")
    lines, confidence = page_lines(txt, tsv)
    return OcrPage(number, lines, round(confidence, 1))


def ocr_pages(pages: Iterable[tuple[int, Callable]]) -> list[OcrPage]:
    """OCR of (page number, image loader) pairs, in order. Images are decoded WORKERS at a time in this
    thread (a 300 dpi page is ~10 MB decoded: a long scan must not be held in memory all at once)."""
    check_engine()
    # Tesseract's OpenMP threads fight over shared cores (10 s a page measured, against 1 s single-threaded).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    done: list[OcrPage] = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        batch: list = []
        for number, load in [*pages, (0, None)]:  # (0, None) flushes the last batch
            if load is not None:
                try:
                    batch.append(pool.submit(ocr_image, load(), number))
                except Exception as exc:  # image decoders raise many types on damaged scans
                    done.append(OcrPage(number, [], 0.0, f"第 {number} 页的图片无法解码（{type(exc).__name__}）"))
            if len(batch) == WORKERS or (load is None and batch):
                done.extend(f.result() for f in batch)
                batch = []
    return sorted(done, key=lambda page: page.number)


@dataclass(frozen=True)
class Extracted:
    """A file's text and what the reader knows about it beyond the text."""

    text: str
    note: str = ""  # shown with every citation of the document
    ocr_pages: tuple[dict, ...] = ()  # {"page", "confidence", "indexed"} per OCR'd page
    warnings: tuple[str, ...] = ()  # one Chinese line each, reported at index time


def _page_report(page: OcrPage) -> str:
    if page.error:
        return page.error
    if not page.lines:
        return f"第 {page.number} 页没有识别出文字"
    return f"第 {page.number} 页 OCR 置信度 {page.confidence:.0f}，低于 {MIN_CONFIDENCE:.0f}，未索引，请核对原件或换用更清晰的扫描件"


def read_scans(text_pages: dict[int, str], scans: list[tuple[int, Callable]]) -> Extracted:
    """Pages with a text layer as they are, scanned pages through OCR; a page OCR could not read well
    enough is reported and left out, never indexed as if it were right."""
    results = ocr_pages(scans)
    kept = {p.number: p.lines for p in results if p.lines and p.confidence >= MIN_CONFIDENCE and not p.error}
    if not kept:
        reasons = "；".join(_page_report(p) for p in results)
        raise ValueError(f"扫描件 OCR 未能识别出可用的文字（{reasons}）")
    pages = {**{n: text_lines(t) for n, t in text_pages.items()}, **kept}
    return Extracted(
        text=repair_numbering(join_lines([pages[n] for n in sorted(pages)])),
        note=OCR_NOTE,
        ocr_pages=tuple({"page": p.number, "confidence": p.confidence, "indexed": p.number in kept} for p in results),
        warnings=tuple(_page_report(p) for p in results if p.number not in kept),
    )


def read_image_file(data: bytes) -> Extracted:
    """A scanned page saved as an image (.png/.jpg/.tif); a multi-page TIFF is one page per frame."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValueError(f"图片无法打开（{type(exc).__name__}），文件可能已损坏") from exc
    if frames > MAX_OCR_PAGES:
        raise ValueError(f"图片共 {frames} 页，超过 OCR 上限 {MAX_OCR_PAGES} 页，请拆分后再放入")

    def frame(index: int):
        image.seek(index)
        return image.copy()

    return read_scans({}, [(i + 1, functools.partial(frame, i)) for i in range(frames)])
