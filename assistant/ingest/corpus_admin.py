"""Changing the corpus folder from the web app: add a document with its metadata, mark one superseded,
remove one. Every change is all or nothing (files are staged in a hidden folder, checked by the real
loader, then renamed into place) and is appended to the change log `.changes.jsonl` next to the
corpus (who, when, what). Hidden names are never read as documents, so neither the staging folder,
the log nor the folder removed documents are moved to (`.removed/`) can enter the index.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.loaders import META_KEYS, SIDECAR_SUFFIX, SUPPORTED, load_document, read_sidecar
from assistant.ingest.profile import KINDS, STATUSES, SUPERSEDED

CHANGE_LOG = ".changes.jsonl"
REMOVED = ".removed"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SAFE_NAME = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff.\-（）()〔〕]*$")
EDITABLE = META_KEYS  # the sidecar's keys are what an upload may set


class CorpusChangeRejected(ValueError):
    """A change we will not make; the message (Chinese) is for the user. Nothing was written."""


@dataclass(frozen=True)
class Change:
    who: str
    when: str
    what: str  # add | supersede | remove
    doc_id: str
    file: str
    detail: str = ""


def metadata_problem(meta: dict) -> str:
    """Why these sidecar fields cannot be written, or ""."""
    unknown = sorted(set(meta) - set(EDITABLE))
    if unknown:
        return f"未知的元数据字段：{'、'.join(unknown)}"
    if not str(meta.get("title", "")).strip():
        return "请填写文件标题"
    for key in ("date", "valid_until"):
        if meta.get(key) and not DATE.match(str(meta[key])):
            return f"{'印发日期' if key == 'date' else '有效期'}应写成 YYYY-MM-DD，例如 2024-09-03"
    if meta.get("kind") and meta["kind"] not in KINDS:
        return f"文件类别应为 {'、'.join(KINDS)} 之一"
    if meta.get("status") and meta["status"] not in STATUSES:
        return f"状态应为 {'、'.join(STATUSES)} 之一"
    if meta.get("doc_id") and not re.fullmatch(r"[a-z0-9][a-z0-9\-]{1,79}", str(meta["doc_id"])):
        return "文档编号只能用小写字母、数字和连字符，例如 zoucheng-2024-5-plan"
    return ""


def log_change(corpus_dir: Path, change: Change) -> None:
    """Append one line; O_APPEND keeps concurrent writers' lines whole."""
    line = json.dumps(change.__dict__, ensure_ascii=False) + "\n"
    fd = os.open(corpus_dir / CHANGE_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def read_changes(corpus_dir: Path) -> list[Change]:
    path = corpus_dir / CHANGE_LOG
    if not path.is_file():
        return []
    return [Change(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def _sidecar_name(file_name: str) -> str:
    return Path(file_name).stem + SIDECAR_SUFFIX


def _clean_meta(meta: dict) -> dict:
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in meta.items()}
    return {k: v for k, v in out.items() if v not in ("", None)}


def add_document(corpus_dir: Path, name: str, data: bytes, meta: dict, who: str,
                 known_ids: set[str] = frozenset()) -> Change:
    """Put a new document (and its sidecar) into the corpus; it is checked by the loader first."""
    meta = _clean_meta(meta)
    name = Path(name).name
    if not SAFE_NAME.match(name) or name.startswith("."):
        raise CorpusChangeRejected("文件名只能包含中文、字母、数字、点、连字符和括号")
    if Path(name).suffix.lower() not in SUPPORTED:
        raise CorpusChangeRejected(f"不支持的文件类型 {Path(name).suffix or '（无扩展名）'}")
    problem = metadata_problem(meta)
    if problem:
        raise CorpusChangeRejected(problem)
    if (corpus_dir / name).exists() or (corpus_dir / _sidecar_name(name)).exists():
        raise CorpusChangeRejected(f"文件目录中已有同名文件 {name}，请改名后再上传，或先删除旧文件")
    doc_id = meta.get("doc_id", Path(name).stem)
    if doc_id in known_ids:
        raise CorpusChangeRejected(f"文档编号 {doc_id} 已被另一份文件使用")
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=corpus_dir))
    try:
        (staging / name).write_bytes(data)
        (staging / _sidecar_name(name)).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        try:
            doc, _ = load_document(staging / name)  # the real loader: what it refuses is never added
        except ValueError as exc:
            raise CorpusChangeRejected(f"{name}：{exc}") from None
        os.replace(staging / _sidecar_name(name), corpus_dir / _sidecar_name(name))
        os.replace(staging / name, corpus_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    change = Change(who, _now(), "add", doc.doc_id, name, meta.get("title", ""))
    log_change(corpus_dir, change)
    return change


def _write_sidecar(corpus_dir: Path, file_name: str, meta: dict) -> None:
    target = corpus_dir / _sidecar_name(file_name)
    tmp = corpus_dir / f".{target.name}.tmp{os.getpid()}"
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, target)


def mark_superseded(corpus_dir: Path, file_name: str, doc_id: str, by: str, who: str,
                    known_ids: set[str] = frozenset()) -> Change:
    """Record in the document's sidecar that `by` replaces it (status 被替代)."""
    if by == doc_id:
        raise CorpusChangeRejected("一份文件不能替代它自己")
    if known_ids and by not in known_ids:
        raise CorpusChangeRejected(f"没有文档编号为 {by} 的文件，请先上传新文件")
    path = corpus_dir / file_name
    if not path.is_file():
        raise CorpusChangeRejected(f"文件目录中没有 {file_name}")
    try:
        meta = read_sidecar(path)
    except ValueError as exc:
        raise CorpusChangeRejected(str(exc)) from None
    meta.setdefault("doc_id", doc_id)
    meta.update(status=SUPERSEDED, superseded_by=by)
    _write_sidecar(corpus_dir, file_name, meta)
    change = Change(who, _now(), "supersede", doc_id, file_name, f"被 {by} 替代")
    log_change(corpus_dir, change)
    return change


def remove_document(corpus_dir: Path, file_name: str, doc_id: str, who: str) -> Change:
    """Move the document and its sidecar out of the corpus into `.removed/<time>/` (kept, not indexed)."""
    path = corpus_dir / file_name
    if not path.is_file():
        raise CorpusChangeRejected(f"文件目录中没有 {file_name}")
    target = corpus_dir / REMOVED / time.strftime("%Y%m%dT%H%M%S")
    target.mkdir(parents=True, exist_ok=True)
    sidecar = corpus_dir / _sidecar_name(file_name)
    if sidecar.exists():
        os.replace(sidecar, target / sidecar.name)
    os.replace(path, target / path.name)
    change = Change(who, _now(), "remove", doc_id, file_name, f"移至 {REMOVED}/{target.name}")
    log_change(corpus_dir, change)
    return change
