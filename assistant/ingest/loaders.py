"""Load corpus files with their metadata sidecars: .txt/.md (UTF-8 or GBK), .pdf (text layer, or OCR for
scanned pages), .docx, .doc/.wps, .ofd, and scanned pages saved as images.

A file that cannot be used becomes a `LoadProblem` with a Chinese message; the rest still load. Only
regular files whose real path lies inside the corpus folder are read (a link to /etc/passwd or
/proc/self/environ is reported, never read), and never more than MAX_FILE_MB of one.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from assistant.domain.units import table_region, unit_names
from assistant.ingest import ocr, office
from assistant.ingest.profile import region_of
from assistant.ingest.ocr import Extracted
from assistant.models import SourceDocument

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SUPPORTED = (".txt", ".md", ".pdf", ".docx", ".doc", ".wps", ".ofd", *IMAGE_SUFFIXES)
SUPPORTED_TEXT = "仅支持 .txt、.md、.pdf、.docx、.doc、.wps、.ofd 及扫描图片 .png、.jpg、.tif"
SIDECAR_SUFFIX = ".meta.json"
# Files that live in corpus/ but are not documents.
IGNORED_NAMES = {"README.md", ".gitkeep"}
META_KEYS = ("doc_id", "title", "short_title", "doc_number", "issuer", "date", "kind", "region", "status",
             "superseded_by", "valid_until", "fictional", "source")
TRUE_WORDS = ("true", "1", "yes", "是")
MAX_FILE_MB = 50  # a 100-page scan at 200 dpi is about 20 MB
MAX_SIDECAR_BYTES = 64 * 1024
MAX_TEXT_CHARS = 1_000_000  # about 4,000 chunks, some 4 minutes of embedding on two cores


@dataclass(frozen=True)
class LoadProblem:
    path: str
    message: str


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of `path` if it is a regular file inside its own folder (after resolving links) and at
    most `limit` bytes; otherwise ValueError with the reason. Opened without blocking, so a FIFO or a
    device behind a name cannot hang the build."""
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError as exc:
        raise ValueError("是指向不存在文件的链接") from exc
    except RuntimeError as exc:  # a link loop
        raise ValueError("是循环的符号链接") from exc
    if not real.is_relative_to(path.parent.resolve()):
        raise ValueError("是指向文件目录之外的链接，出于安全考虑不读取")
    fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("不是普通文件（目录、设备或管道），不读取")
        if info.st_size > limit:
            raise ValueError(f"文件大小 {info.st_size / 2**20:.1f} MB，超过上限 {limit / 2**20:.0f} MB")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)[:limit]
    finally:
        os.close(fd)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM dropped) or GBK, the two encodings office machines produce."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gbk")
    except UnicodeDecodeError as exc:
        raise ValueError("无法识别文件编码（仅支持 UTF-8 或 GBK）") from exc


def _page_image(page):
    """A scanned page's picture; a page scanned in strips has its strips stacked top to bottom."""
    from PIL import Image

    images = [f.image for f in page.images]
    largest = max(im.width * im.height for im in images)
    images = [im for im in images if im.width * im.height >= largest / 10]
    if len(images) == 1:
        return images[0]
    sheet = Image.new("L", (max(im.width for im in images), sum(im.height for im in images)), 255)
    top = 0
    for im in images:
        sheet.paste(im.convert("L"), (0, top))
        top += im.height
    return sheet


def extract_pdf(data: bytes) -> Extracted:
    """The text layer; pages without one are OCR'd from their images (a scan)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("PDF 已加密，无法读取，请提供未加密的版本")
        pages = list(reader.pages)
        texts = [page.extract_text() or "" for page in pages]
        scans = [(n, functools.partial(_page_image, page)) for n, (page, text) in enumerate(zip(pages, texts), 1)
                 if not re.search(r"\w", text) and page.images]
    except ValueError:
        raise
    except (PdfReadError, OSError, KeyError, TypeError) as exc:
        raise ValueError(f"PDF 文件已损坏或格式不正确（{type(exc).__name__}）") from exc
    except Exception as exc:  # pypdf raises many types on malformed files; none may stop the index run
        raise ValueError(f"PDF 文件无法解析（{type(exc).__name__}）") from exc
    if scans:
        if len(scans) > ocr.MAX_OCR_PAGES:
            raise ValueError(f"扫描件共 {len(scans)} 页，超过 OCR 上限 {ocr.MAX_OCR_PAGES} 页，请拆分后再放入")
        scanned = {n for n, _ in scans}
        return ocr.read_scans({n: t for n, t in enumerate(texts, 1) if n not in scanned and t.strip()}, scans)
    text = "\n".join(t.rstrip() for t in texts)
    if not re.search(r"\w", text):
        raise ValueError("PDF 中没有可提取的文字，也不是可识别的扫描件（页面上没有图片），已跳过")
    return Extracted(text)


def _plain(reader):
    return lambda data, suffix: Extracted(reader(data))


READERS = {
    ".txt": _plain(decode_text), ".md": _plain(decode_text),
    ".pdf": lambda data, suffix: extract_pdf(data),
    ".docx": _plain(office.read_docx),
    ".doc": lambda data, suffix: Extracted(office.read_word97(data, suffix)),
    ".wps": lambda data, suffix: Extracted(office.read_word97(data, suffix)),
    ".ofd": _plain(office.read_ofd),
    **{suffix: lambda data, suffix: ocr.read_image_file(data) for suffix in IMAGE_SUFFIXES},
}


def _sidecar(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def _has_sidecar(path: Path) -> bool:
    return _sidecar(path).exists() or _sidecar(path).is_symlink()


def read_sidecar(path: Path) -> dict:
    sidecar = _sidecar(path)
    if not _has_sidecar(path):
        return {}
    try:
        meta = json.loads(read_regular_file(sidecar, MAX_SIDECAR_BYTES).decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"元数据文件 {sidecar.name} 不是有效的 JSON") from exc
    except ValueError as exc:
        raise ValueError(f"元数据文件 {sidecar.name} {exc}") from exc
    if not isinstance(meta, dict):
        raise ValueError(f"元数据文件 {sidecar.name} 应为 JSON 对象")
    out = {k: str(meta[k]).strip() for k in META_KEYS if k in meta and k != "fictional"}
    if "fictional" in meta:
        out["fictional"] = str(meta["fictional"]).strip().lower() in TRUE_WORDS
    return out


def load_document(path: Path) -> tuple[SourceDocument, tuple[str, ...]]:
    """Read one file: the document and the reader's warnings (OCR pages left out). Raises ValueError
    with a Chinese message when the file cannot be used."""
    data = read_regular_file(path, MAX_FILE_MB * 2**20)
    if not data.strip():
        raise ValueError("文件为空")
    suffix = path.suffix.lower()
    extracted = READERS[suffix](data, suffix)
    text = extracted.text
    if not text.strip():
        raise ValueError("文件没有文字内容")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"文字有 {len(text) / 10000:.0f} 万字，超过上限 {MAX_TEXT_CHARS // 10000} 万字，请拆分后再放入")
    meta = read_sidecar(path)
    first_line = next((ln.strip() for ln in text.splitlines() if ln.strip()), path.stem)
    title = meta.get("title", first_line[:60])
    region = meta.get("region") or region_of(meta.get("issuer", ""), title)
    if extracted.note == ocr.OCR_NOTE:
        # Unit names are known before chunking only from the hand-written table, for its own region.
        units = unit_names() if region == table_region() else []
        text = ocr.correct_terms(text, [meta[k] for k in ("title", "issuer", "doc_number") if meta.get(k)], units)
    doc = SourceDocument(
        doc_id=meta.get("doc_id", path.stem),
        title=title,
        text=text,
        path=path.name,
        sha256=file_sha256(data),
        doc_number=meta.get("doc_number", ""),
        issuer=meta.get("issuer", ""),
        date=meta.get("date", ""),
        kind=meta.get("kind", "official"),
        source=meta.get("source", path.name),
        short_title=meta.get("short_title", ""),
        region=region,
        status=meta.get("status", ""),
        superseded_by=meta.get("superseded_by", ""),
        valid_until=meta.get("valid_until", ""),
        fictional=meta.get("fictional", False),
        note=extracted.note,
        ocr_pages=extracted.ocr_pages,
    )
    return doc, extracted.warnings


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every candidate document file (links, pipes and devices included, so that each one skipped is
    reported; subfolders are not looked into), sorted so ids and order are stable."""
    return sorted(
        p
        for p in corpus_dir.iterdir()
        if (p.is_symlink() or not p.is_dir())
        and not p.name.startswith(".")
        and not p.name.endswith(SIDECAR_SUFFIX)
        and p.name not in IGNORED_NAMES
    )


def _reason(exc: BaseException) -> str:
    """One Chinese line for any failure to read a file."""
    if isinstance(exc, ValueError):
        return str(exc)
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    if isinstance(exc, OSError):
        return f"读取时出错（错误码 {exc.errno}）" if exc.errno else "读取时出错"
    return f"无法读取（{type(exc).__name__}）"


def load_corpus(corpus_dir: Path) -> tuple[list[SourceDocument], list[LoadProblem]]:
    if not corpus_dir.is_dir():
        return [], [LoadProblem(str(corpus_dir), "文件目录不存在")]
    docs: list[SourceDocument] = []
    problems: list[LoadProblem] = []
    seen_hashes: dict[str, str] = {}
    seen_ids: set[str] = set()
    # Documents with a metadata sidecar come first, so an unlabelled copy is the one reported as duplicate.
    for path in sorted(corpus_files(corpus_dir), key=lambda p: (not _has_sidecar(p), p.name)):
        if path.suffix.lower() not in SUPPORTED:
            problems.append(LoadProblem(path.name, f"不支持的文件类型 {path.suffix or '（无扩展名）'}，{SUPPORTED_TEXT}，已跳过"))
            continue
        try:
            doc, warnings = load_document(path)
        except Exception as exc:  # one bad file never stops the others (a device behind a link, a parser bug)
            reason = _reason(exc)
            problems.append(LoadProblem(path.name, reason if "跳过" in reason else f"{reason}，已跳过"))
            continue
        if doc.sha256 in seen_hashes:
            problems.append(LoadProblem(path.name, f"与 {seen_hashes[doc.sha256]} 内容完全相同，只索引一次"))
            continue
        if doc.doc_id in seen_ids:
            problems.append(LoadProblem(path.name, f"文档编号 {doc.doc_id} 重复，已跳过"))
            continue
        if warnings:  # the document is indexed; what was left out of it is said in one line
            problems.append(LoadProblem(path.name, "；".join(warnings)))
        seen_hashes[doc.sha256] = path.name
        seen_ids.add(doc.doc_id)
        docs.append(doc)
    return docs, problems
