"""Build the index atomically and open it.

Layout under the index folder:
  .policy-assistant-index         marker: the folder is ours (a new or empty folder is claimed, any other refused)
  current -> v<stamp>/           a symlink, swapped with os.replace: readers see the old or the new build
  v<stamp>/.policy-assistant-build  marker, there from the folder's first moment: only marked builds are deleted
  v<stamp>/manifest.json          corpus file hashes, chunker version, embedding backend, counts
  v<stamp>/docs.json              the documents (text + metadata): citations are checked against them
  v<stamp>/profiles.json          each document's profile (kind, region, status, section roles, units)
  v<stamp>/chunks.json, lexical.json, vectors.npz, chroma/
  .lock                           flock: one build at a time
A build that dies or fails (a full disk) leaves at most an unfinished v<stamp>/ folder, removed by the next
build. The previous build (the rollback copy) is kept until a new one is complete and current.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from assistant.ingest.chunker import CHUNKER_VERSION
from assistant.ingest.loaders import SIDECAR_SUFFIX, SUPPORTED, LoadProblem, corpus_files, load_corpus, read_sidecar
from assistant.ingest.profile import build_profile, chunk_and_profile, rules_fingerprint
from assistant.index.embedding import backend_id, make_embeddings
from assistant.index.lexical import LexicalIndex
from assistant.index.store_check import stored_vectors
from assistant.models import Chunk, DocumentProfile, SourceDocument
from assistant.settings import Settings

CURRENT = "current"
LOCK = ".lock"
INDEX_MARKER = ".policy-assistant-index"
BUILD_MARKER = ".policy-assistant-build"
# What a repository ships in an otherwise empty index folder (this one's indices/README.md).
NOTE_FILES = frozenset({"README.md", ".gitkeep"})
SHOWN_ENTRIES = 5  # entries of a refused folder named in the message
BATCH = 32
MISSING_MESSAGE = "索引不存在或已损坏，请运行 make index"
INDEX_FILES = ("docs.json", "profiles.json", "chunks.json", "lexical.json", "vectors.npz")
# What a build reports as it goes (the web app's progress bar): a stage and the share done, 0–1.
Progress = Callable[[str, float], None]
# Disk conditions, from an errno or from the text sqlite (inside Chroma) reports them with: (reason, fix).
DISK_FULL = ("磁盘空间已满", "请清理磁盘空间后重新运行 make index")
READ_ONLY = ("所在磁盘是只读的", "只读挂载的索引目录只能用来提供服务，请在可写的机器上建立索引")
NO_PERMISSION = ("没有访问权限", "请检查目录的权限后重新运行 make index")
DISK_ERROR = ("磁盘读写出错", "请检查磁盘后重新运行 make index")
_ERRNO_PROBLEMS = {errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EROFS: READ_ONLY,
                   errno.EACCES: NO_PERMISSION, errno.EPERM: NO_PERMISSION, errno.EIO: DISK_ERROR}
_TEXT_PROBLEMS = (("disk is full", DISK_FULL), ("no space left", DISK_FULL), ("readonly database", READ_ONLY),
                  ("read-only file system", READ_ONLY), ("disk i/o error", DISK_ERROR))


class IndexMissing(RuntimeError):
    def __init__(self, detail: str = ""):
        super().__init__(MISSING_MESSAGE + (f"（{detail}）" if detail else ""))


class StoreUnavailable(IndexMissing):
    """The Chroma server named by CHROMA_HOST does not answer: the index may be fine, the server is down.
    A subclass of IndexMissing so callers that handle a missing index handle this too, with its own message."""

    def __init__(self, detail: str):
        RuntimeError.__init__(self, detail)


class IndexBusy(RuntimeError):
    pass


class IndexDirForeign(ValueError):
    """ASSISTANT_INDEX_DIR names a folder with someone else's files: we neither write nor delete there."""


class DocIdConflict(ValueError):
    """Two corpus files claim one doc_id: indexing either could silently replace an official document."""


class IndexWriteError(RuntimeError):
    """The disk refused the build (full, read-only, no permission); nothing that was there changed."""


class DiskProblem(NamedTuple):
    reason: str
    fix: str
    path: str  # the file the system named, or ""


def storage_problem(exc: BaseException | None) -> DiskProblem | None:
    """The disk condition behind `exc` or one of its causes, else None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _ERRNO_PROBLEMS:
            return DiskProblem(*_ERRNO_PROBLEMS[exc.errno], str(exc.filename or ""))
        text = str(exc).lower()
        found = next((problem for needle, problem in _TEXT_PROBLEMS if needle in text), None)
        if found:
            return DiskProblem(*found, "")
        exc = exc.__cause__ or exc.__context__
    return None


@dataclass
class BuildReport:
    status: str  # built | unchanged
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    problems: list[LoadProblem] = field(default_factory=list)
    path: str = ""


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _digest(path: Path, corpus: Path) -> str:
    """sha256 of a regular file inside the corpus; anything else is described, never read (a link to
    /dev/zero or /proc/self/mem must not hang or stop the build: the loader reports it)."""
    try:
        real = path.resolve()
        if not real.is_relative_to(corpus):
            return "outside:" + str(real)
        if not real.is_file():
            return "not-a-file"
        with open(real, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    except RuntimeError:  # a symlink loop (Path.resolve raises it before the loader can report it)
        return "unreadable:loop"


def _is_hash(digest: str) -> bool:
    return ":" not in digest and digest != "not-a-file"


def corpus_fingerprint(settings: Settings) -> dict:
    """What the index depends on, computed without parsing documents or loading a model."""
    corpus = settings.corpus_dir.resolve()
    files = {
        p.name: _digest(p, corpus)
        for p in sorted(settings.corpus_dir.iterdir())
        if not p.name.startswith(".") and (p.is_file() or p.is_symlink())
    } if settings.corpus_dir.is_dir() else {}
    return {
        "files": files,
        "chunker_version": CHUNKER_VERSION,
        "embedding": backend_id(settings.embedding_backend),
        "store": f"server:{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "embedded",
        "generated": generated_fingerprint(),
        "profile_rules": rules_fingerprint(),
    }


def generated_documents() -> list[tuple[SourceDocument, list[Chunk]]]:
    """Documents we write ourselves (the indicator registry's summaries), already chunked."""
    from assistant.index.registry_doc import registry_document

    return [registry_document()]


def generated_fingerprint() -> str:
    return _sha("".join(doc.sha256 for doc, _ in generated_documents()))


def check_doc_ids(corpus_dir: Path, digests: dict[str, str]) -> None:
    """Two files with different content and one doc_id (a draft `plan.md` beside `plan.txt`, a copied
    sidecar) would let one replace the other in the index: stop and name them all."""
    claims: dict[str, list[tuple[str, str, str]]] = {}
    for path in corpus_files(corpus_dir) if corpus_dir.is_dir() else []:
        sidecar = path.stem + SIDECAR_SUFFIX
        digest = digests.get(path.name, "")
        if path.suffix.lower() not in SUPPORTED or not _is_hash(digest) or not _is_hash(digests.get(sidecar, "")):
            continue  # the loader reports these files itself
        try:
            meta = read_sidecar(path)
        except (ValueError, OSError):
            continue
        source = f"元数据 {sidecar}" if "doc_id" in meta else "文件名"
        claims.setdefault(meta.get("doc_id", path.stem), []).append((path.name, source, digest))
    clashes = [
        f"{'、'.join(f'{name}（编号取自{source}）' for name, source, _ in files)}都使用文档编号“{doc_id}”"
        for doc_id, files in sorted(claims.items()) if len({digest for _, _, digest in files}) > 1
    ]
    if clashes:
        raise DocIdConflict("；".join(clashes) + "，无法确定哪一个是正式文本。本次没有更新索引，旧索引照常可用；"
                            "请删除或改名多余的文件，或在它的元数据文件中改用不同的 doc_id")


def claim_index_dir(index_dir: Path) -> None:
    """Before writing anything: a new or empty folder becomes ours (a marker); a folder holding other
    things is refused, so that no build is ever mixed into, or cleaned out of, someone else's files."""
    if (index_dir / INDEX_MARKER).is_file():
        return
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexDirForeign(f"索引目录 {index_dir} 不是目录：请把 ASSISTANT_INDEX_DIR 设为一个新的或空的目录")
    others = sorted(p.name for p in index_dir.iterdir() if p.name not in NOTE_FILES) if index_dir.exists() else []
    if others and not _adopt_unmarked_index(index_dir):
        shown = "、".join(others[:SHOWN_ENTRIES]) + ("等" if len(others) > SHOWN_ENTRIES else "")
        raise IndexDirForeign(f"索引目录 {index_dir} 中已有其他内容（{shown}），不是本程序建立的索引目录；为免误删他人的文件，"
                              "不在其中建立索引。请把 ASSISTANT_INDEX_DIR 设为一个新的或空的目录")
    index_dir.mkdir(parents=True, exist_ok=True)
    (index_dir / INDEX_MARKER).write_text("本目录由政策助手（assistant index）建立和管理。\n", encoding="utf-8")


def _adopt_unmarked_index(index_dir: Path) -> bool:
    """A folder built before markers existed is ours when `current` leads to one of our manifests;
    its finished builds get their marker so that they can be replaced in turn."""
    if read_manifest(current_dir(index_dir)) is None:
        return False
    for path in index_dir.glob("v*"):
        if path.is_dir() and not path.is_symlink() and read_manifest(path) is not None:
            (path / BUILD_MARKER).write_text(path.name, encoding="utf-8")
    return True


@contextmanager
def build_lock(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusy("另一个索引任务正在运行，请等它结束后再试") from exc
        yield


def current_dir(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def read_manifest(version_dir: Path | None) -> dict | None:
    """The build's manifest, or None when it is missing, unreadable or not a manifest at all."""
    if version_dir is None:
        return None
    try:
        data = json.loads((version_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # ValueError: bad JSON and undecodable bytes alike
        return None
    if not isinstance(data, dict) or not isinstance(data.get("fingerprint"), dict) or "collection" not in data:
        return None
    return data


def _file_hashes(version_dir: Path) -> dict[str, str]:
    return {name: hashlib.sha256((version_dir / name).read_bytes()).hexdigest() for name in INDEX_FILES}


def _intact(version_dir: Path, manifest: dict, settings: Settings) -> bool:
    """Cheap check before trusting the unchanged fast path: a damaged build must be rebuilt by `make index`."""
    try:
        if manifest.get("index_files") != _file_hashes(version_dir):
            return False
    except OSError:
        return False
    if not settings.chroma_host:  # read the store's own file: an emptied or damaged one must be rebuilt
        return stored_vectors(version_dir / "chroma", manifest["collection"]) == manifest["chunks"]
    from assistant.index import vector_store  # chromadb costs ~1.5 s to import: only when needed

    client = vector_store.chroma_client(None, settings.chroma_host, settings.chroma_port)  # down: ConnectionError
    try:  # a server whose data was wiped or replaced needs a rebuild too
        return client.get_collection(manifest["collection"]).count() == manifest["chunks"]
    except Exception:
        return False


def _previous_vectors(version_dir: Path | None, embedding: str) -> dict[str, np.ndarray]:
    manifest = read_manifest(version_dir)
    if not manifest or manifest["fingerprint"].get("embedding") != embedding:
        return {}
    try:
        data = np.load(version_dir / "vectors.npz")
        return dict(zip(data["keys"].tolist(), data["vectors"]))
    except (OSError, KeyError, ValueError):
        return {}


def _embed(texts: list[str], cache: dict[str, np.ndarray], settings: Settings, progress: bool,
           report: Progress | None = None) -> tuple[np.ndarray, int]:
    from tqdm import tqdm

    keys = [_sha(t) for t in texts]
    todo = sorted({k: t for k, t in zip(keys, texts) if k not in cache}.items())
    if todo:
        model = make_embeddings(settings.embedding_backend)
        bar = tqdm(total=len(todo), desc="向量化", unit="段", disable=not progress)
        for i in range(0, len(todo), BATCH):
            batch = todo[i : i + BATCH]
            for (key, _), vec in zip(batch, model.embed_documents([t for _, t in batch])):
                cache[key] = np.asarray(vec, dtype=np.float32)
            bar.update(len(batch))
            if report:
                report("向量化", min(1.0, (i + len(batch)) / len(todo)))
        bar.close()
    return np.stack([cache[k] for k in keys]), len(todo)


def build_index(settings: Settings, progress: bool = True, force: bool = False,
                report: Progress | None = None) -> BuildReport:
    index_dir = settings.index_dir
    try:
        claim_index_dir(index_dir)
        with build_lock(index_dir):
            return _build(settings, progress, force, report)
    except (IndexBusy, IndexDirForeign, DocIdConflict):
        raise
    except Exception as exc:
        problem = storage_problem(exc)
        if problem is None:
            raise
        raise IndexWriteError(f"无法更新索引（{problem.path or index_dir}：{problem.reason}）。本次没有更新索引，"
                              f"原有索引保持不变、照常可用；{problem.fix}") from exc


def _build(settings: Settings, progress: bool, force: bool, report: Progress | None = None) -> BuildReport:
    started = time.perf_counter()
    index_dir = settings.index_dir
    fingerprint = corpus_fingerprint(settings)
    check_doc_ids(settings.corpus_dir, fingerprint["files"])
    previous = current_dir(index_dir)
    manifest = read_manifest(previous)
    if not force and manifest and manifest["fingerprint"] == fingerprint and _intact(previous, manifest, settings):
        return BuildReport("unchanged", manifest["documents"], manifest["chunks"],
                           problems=[LoadProblem(**p) for p in manifest["problems"]],
                           seconds=time.perf_counter() - started, path=str(previous))
    from assistant.index import vector_store  # after the fast path: chromadb is slow to import

    if settings.chroma_host:  # fail before any work when the server is down
        vector_store.chroma_client(None, settings.chroma_host, settings.chroma_port)
    docs, problems = load_corpus(settings.corpus_dir)
    if not docs:
        raise ValueError("文件目录中没有可索引的文件：" + "；".join(f"{p.path}：{p.message}" for p in problems))
    if report:
        report("读取与切分", 0.0)
    chunks, profiles = [], []
    for doc in docs:
        doc_chunks, profile = chunk_and_profile(doc)
        chunks += doc_chunks
        profiles.append(profile)
    for doc, doc_chunks in generated_documents():
        docs.append(doc)
        chunks.extend(doc_chunks)
        profiles.append(build_profile(doc, doc_chunks, ()))
    texts = [c.embedding_text() for c in chunks]
    cache = _previous_vectors(previous, fingerprint["embedding"])
    vectors, embedded = _embed(texts, cache, settings, progress, report)
    if report:
        report("写入索引", 1.0)

    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(now)) + f"{int(now * 1000) % 1000:03d}p{os.getpid()}"
    _remove_builds(index_dir, keep={previous}, finished_too=False)  # only builds that died unfinished
    version_dir = _new_build_dir(index_dir, stamp)
    collection = vector_store.COLLECTION_PREFIX + stamp.lower()
    try:
        _write_json(version_dir / "docs.json", [asdict(d) for d in docs])
        _write_json(version_dir / "profiles.json", [p.to_dict() for p in profiles])
        _write_json(version_dir / "chunks.json", [c.to_dict() for c in chunks])
        ids = [c.chunk_id for c in chunks]
        _write_json(version_dir / "lexical.json", LexicalIndex.build(ids, texts, unit_words(profiles)).to_dict())
        np.savez(version_dir / "vectors.npz", keys=np.array([_sha(t) for t in texts]), vectors=vectors)
        client = vector_store.chroma_client(version_dir / "chroma", settings.chroma_host, settings.chroma_port)
        by_text = dict(zip(texts, vectors.tolist()))
        store = vector_store.open_store(client, collection, vector_store.PrecomputedEmbeddings(None, by_text))
        vector_store.add_chunks(store, ids, texts)
        _write_json(version_dir / "manifest.json", {
            "fingerprint": fingerprint, "collection": collection, "documents": len(docs), "chunks": len(chunks),
            "problems": [asdict(p) for p in problems], "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "index_files": _file_hashes(version_dir),
        })
        _swap_current(index_dir, version_dir)
    except BaseException:
        if current_dir(index_dir) != version_dir.resolve():  # never live: nothing may keep it
            shutil.rmtree(version_dir, ignore_errors=True)
        raise
    if settings.chroma_host:
        keep = {collection} | ({manifest["collection"]} if manifest else set())
        vector_store.drop_other_collections(client, keep)
    _remove_builds(index_dir, keep={version_dir, previous})
    return BuildReport("built", len(docs), len(chunks), embedded, len(chunks) - embedded,
                       time.perf_counter() - started, problems, str(version_dir))


def unit_words(profiles: list[DocumentProfile]) -> frozenset[str]:
    """Every unit name and alias of the corpus: the lexical index keeps them whole."""
    return frozenset(w for p in profiles for u in p.units for w in (u.name, *u.aliases))


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _swap_current(index_dir: Path, version_dir: Path) -> None:
    tmp = index_dir / f".{CURRENT}.tmp{os.getpid()}"
    if tmp.is_symlink():
        tmp.unlink()
    os.symlink(version_dir.name, tmp)
    os.replace(tmp, index_dir / CURRENT)  # atomic on POSIX


def _new_build_dir(index_dir: Path, stamp: str) -> Path:
    """v<stamp>/ with our marker in it from the moment it is visible (made under a hidden name, renamed)."""
    staging = index_dir / f".v{stamp}.new"
    staging.mkdir()
    (staging / BUILD_MARKER).write_text(stamp, encoding="utf-8")
    return staging.rename(index_dir / f"v{stamp}")


def _ours(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and (path / BUILD_MARKER).is_file()


def _remove_builds(index_dir: Path, keep: set, finished_too: bool = True) -> None:
    """Remove our builds no reader can reach: unfinished ones (killed, or failed on a full disk) and, once
    a new build is current, all but it and the previous one. Nothing without our marker is touched."""
    keep = {p.resolve() for p in keep if p}
    for path in [*index_dir.glob("v*"), *index_dir.glob(".v*.new")]:
        if not _ours(path):
            if path.name.startswith(".") and path.is_dir() and not path.is_symlink():
                try:  # a build killed between mkdir and its marker left an empty folder
                    path.rmdir()
                except OSError:
                    pass  # not empty: not ours to judge
            continue
        if path.resolve() not in keep and (finished_too or read_manifest(path) is None):
            shutil.rmtree(path, ignore_errors=True)
