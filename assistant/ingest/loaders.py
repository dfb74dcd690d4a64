"""Load corpus files (.txt, .md, .pdf) with their metadata sidecars.

A file that cannot be used becomes a `LoadProblem` with a Chinese message; the rest still load.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.models import SourceDocument

SUPPORTED = (".txt", ".md", ".pdf")
SIDECAR_SUFFIX = ".meta.json"
# Files that live in corpus/ but are not documents.
IGNORED_NAMES = {"README.md", ".gitkeep"}
META_KEYS = ("doc_id", "title", "doc_number", "issuer", "date", "kind", "source")


@dataclass(frozen=True)
class LoadProblem:
    path: str
    message: str


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def extract_pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("PDF 已加密，无法读取，请提供未加密的版本")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ValueError:
        raise
    except (PdfReadError, OSError, KeyError, TypeError) as exc:
        raise ValueError(f"PDF 文件已损坏或格式不正确（{type(exc).__name__}）") from exc
    except Exception as exc:  # pypdf raises many types on malformed files; none may stop the index run
        raise ValueError(f"PDF 文件无法解析（{type(exc).__name__}）") from exc
    text = "\n".join(p.rstrip() for p in pages)
    if not re.search(r"\w", text):
        raise ValueError("PDF 中没有可提取的文字（可能是扫描件），已跳过；请提供文字版 PDF")
    return text


def _has_sidecar(path: Path) -> bool:
    return path.with_name(path.stem + SIDECAR_SUFFIX).exists()


def read_sidecar(path: Path) -> dict:
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"元数据文件 {sidecar.name} 不是有效的 JSON") from exc
    if not isinstance(meta, dict):
        raise ValueError(f"元数据文件 {sidecar.name} 应为 JSON 对象")
    return {k: str(meta[k]) for k in META_KEYS if k in meta}


def load_document(path: Path) -> SourceDocument:
    """Read one file; raises ValueError with a Chinese message when it cannot be used."""
    data = path.read_bytes()
    if not data.strip():
        raise ValueError("文件为空")
    text = extract_pdf_text(path) if path.suffix.lower() == ".pdf" else decode_text(data)
    if not text.strip():
        raise ValueError("文件没有文字内容")
    meta = read_sidecar(path)
    first_line = next((ln.strip() for ln in text.splitlines() if ln.strip()), path.stem)
    return SourceDocument(
        doc_id=meta.get("doc_id", path.stem),
        title=meta.get("title", first_line[:60]),
        text=text,
        path=path.name,
        sha256=file_sha256(data),
        doc_number=meta.get("doc_number", ""),
        issuer=meta.get("issuer", ""),
        date=meta.get("date", ""),
        kind=meta.get("kind", "official"),
        source=meta.get("source", path.name),
    )


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every candidate document file, sorted so ids and order are stable."""
    return sorted(
        p
        for p in corpus_dir.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and not p.name.endswith(SIDECAR_SUFFIX)
        and p.name not in IGNORED_NAMES
    )


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
            problems.append(LoadProblem(path.name, f"不支持的文件类型 {path.suffix or '（无扩展名）'}，仅支持 .txt、.md、.pdf，已跳过"))
            continue
        try:
            doc = load_document(path)
        except (ValueError, OSError) as exc:
            problems.append(LoadProblem(path.name, f"{exc}，已跳过" if "跳过" not in str(exc) else str(exc)))
            continue
        if doc.sha256 in seen_hashes:
            problems.append(LoadProblem(path.name, f"与 {seen_hashes[doc.sha256]} 内容完全相同，只索引一次"))
            continue
        if doc.doc_id in seen_ids:
            problems.append(LoadProblem(path.name, f"文档编号 {doc.doc_id} 重复，已跳过"))
            continue
        seen_hashes[doc.sha256] = path.name
        seen_ids.add(doc.doc_id)
        docs.append(doc)
    return docs, problems
