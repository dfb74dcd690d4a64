"""Build the index atomically and open it.

Layout under the index folder:
  current -> v<stamp>/           a symlink, swapped with os.replace: readers see the old or the new build
  v<stamp>/manifest.json          corpus file hashes, chunker version, embedding backend, counts
  v<stamp>/docs.json              the documents (text + metadata): citations are checked against them
  v<stamp>/chunks.json, lexical.json, vectors.npz, chroma/
  .lock                           flock: one build at a time
A build that dies leaves only an unreferenced v<stamp>/ folder, removed by the next build.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.ingest.chunker import CHUNKER_VERSION, chunk_document
from assistant.ingest.loaders import LoadProblem, load_corpus
from assistant.index.embedding import backend_id, make_embeddings
from assistant.index.lexical import LexicalIndex
from assistant.models import Chunk, SourceDocument
from assistant.settings import Settings

CURRENT = "current"
LOCK = ".lock"
BATCH = 32
MISSING_MESSAGE = "索引不存在或已损坏，请运行 make index"
INDEX_FILES = ("docs.json", "chunks.json", "lexical.json", "vectors.npz")


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


def corpus_fingerprint(settings: Settings) -> dict:
    """What the index depends on, computed without parsing documents or loading a model."""
    files = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(settings.corpus_dir.iterdir())
        if p.is_file() and not p.name.startswith(".")
    } if settings.corpus_dir.is_dir() else {}
    return {
        "files": files,
        "chunker_version": CHUNKER_VERSION,
        "embedding": backend_id(settings.embedding_backend),
        "store": f"server:{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "embedded",
        "generated": generated_fingerprint(),
    }


def generated_documents() -> list[tuple[SourceDocument, list[Chunk]]]:
    """Documents we write ourselves (the indicator registry's summaries), already chunked."""
    from assistant.index.registry_doc import registry_document

    return [registry_document()]


def generated_fingerprint() -> str:
    return _sha("".join(doc.sha256 for doc, _ in generated_documents()))


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
    if not settings.chroma_host:
        return (version_dir / "chroma" / "chroma.sqlite3").is_file()
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


def _embed(texts: list[str], cache: dict[str, np.ndarray], settings: Settings, progress: bool) -> tuple[np.ndarray, int]:
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
        bar.close()
    return np.stack([cache[k] for k in keys]), len(todo)


def build_index(settings: Settings, progress: bool = True, force: bool = False) -> BuildReport:
    started = time.perf_counter()
    index_dir = settings.index_dir
    with build_lock(index_dir):
        fingerprint = corpus_fingerprint(settings)
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
        chunks = [c for doc in docs for c in chunk_document(doc)]
        for doc, doc_chunks in generated_documents():
            docs.append(doc)
            chunks.extend(doc_chunks)
        texts = [c.embedding_text() for c in chunks]
        cache = _previous_vectors(previous, fingerprint["embedding"])
        vectors, embedded = _embed(texts, cache, settings, progress)

        stamp = time.strftime("%Y%m%dT%H%M%S") + f"p{os.getpid()}"
        version_dir = index_dir / f"v{stamp}"
        _clean_stale(index_dir, keep={previous})
        version_dir.mkdir()
        _write_json(version_dir / "docs.json", [asdict(d) for d in docs])
        _write_json(version_dir / "chunks.json", [c.to_dict() for c in chunks])
        ids = [c.chunk_id for c in chunks]
        _write_json(version_dir / "lexical.json", LexicalIndex.build(ids, [c.embedding_text() for c in chunks]).to_dict())
        np.savez(version_dir / "vectors.npz", keys=np.array([_sha(t) for t in texts]), vectors=vectors)
        collection = vector_store.COLLECTION_PREFIX + stamp.lower()
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
        if settings.chroma_host:
            keep = {collection} | ({read_manifest(previous)["collection"]} if manifest else set())
            vector_store.drop_other_collections(client, keep)
        _clean_stale(index_dir, keep={version_dir, previous})
        return BuildReport("built", len(docs), len(chunks), embedded, len(chunks) - embedded,
                           time.perf_counter() - started, problems, str(version_dir))


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _swap_current(index_dir: Path, version_dir: Path) -> None:
    tmp = index_dir / f".{CURRENT}.tmp{os.getpid()}"
    if tmp.is_symlink():
        tmp.unlink()
    os.symlink(version_dir.name, tmp)
    os.replace(tmp, index_dir / CURRENT)  # atomic on POSIX


def _clean_stale(index_dir: Path, keep: set) -> None:
    """Remove builds no reader can reach: killed ones, and all but the current and previous."""
    keep = {p.resolve() for p in keep if p}
    for path in index_dir.glob("v*"):
        if path.is_dir() and path.resolve() not in keep:
            shutil.rmtree(path, ignore_errors=True)
