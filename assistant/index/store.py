"""Open a built index for reading. A missing or damaged index raises `IndexMissing` with the fix.

Reading never touches the index folder after opening: the embedded vector store is served from this
process's own copy. Chroma's sqlite writes even to read (so a read-only mount, which several app
machines may share, would fail) and opens new connections under load (so a build deleted by two later
rebuilds, while an app still serves it, would fail too).
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from assistant.domain.indicators import Registry, default_registry
from assistant.domain.plan_standards import read_standards, with_plan_standards
from assistant.index import vector_store
from assistant.index.builder import IndexMissing, StoreUnavailable, current_dir, read_manifest, storage_problem
from assistant.index.embedding import backend_id, make_embeddings
from assistant.index.lexical import LexicalIndex
from assistant.models import Chunk, DocumentProfile, SourceDocument
from assistant.settings import Settings

QUERY_CACHE_SIZE = 2048
COPY_PREFIX = "policy-assistant-chroma-"  # + pid: copies of processes that were killed are found again
COPY_MARKER = ".policy-assistant-copy"  # only folders holding it are ever removed


@dataclass
class LoadedIndex:
    settings: Settings
    manifest: dict
    docs: dict[str, SourceDocument]
    chunks: list[Chunk]
    lexical: LexicalIndex
    store: Chroma
    embeddings: Embeddings
    profiles: dict[str, DocumentProfile] = field(default_factory=dict)

    @cached_property
    def people(self) -> frozenset[str]:
        """Names on the indexed rosters, without the padding some rosters put inside them."""
        return frozenset(c.person.replace(" ", "") for c in self.chunks if c.person)

    @cached_property
    def doc_registries(self) -> dict[str, Registry]:
        """Each plan or rule the registry does not quote, as its own registry: the figures it sets
        itself (read from its text), the registry's for the rest; a plan is compared with the
        national rule the registry summarises."""
        registry = default_registry()
        quoted = {s.doc_id for ind in registry for s in ind.sources if s.verbatim}
        national = frozenset(s.doc_id for ind in registry for s in ind.sources if not s.verbatim)
        return {p.doc_id: with_plan_standards(registry, read_standards(self.docs[p.doc_id].text, registry),
                                              p.doc_id, p.name, national if p.kind == "plan" else frozenset())
                for p in self.profiles.values()
                if p.kind in ("plan", "national_rule", "provincial_rule") and p.doc_id not in quoted and p.doc_id in self.docs}

    @cached_property
    def _verbatim_texts(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.chunks if c.verbatim)

    @cached_property
    def _term_weights(self) -> dict[str, float]:
        return {}  # filled by term_weight, for the life of this index

    def term_weight(self, term: str) -> float:
        """How rare `term` is among the verbatim chunks (BM25's idf formula, squared, ≥ 0.01): a word
        every document uses says little about which clause a question means; squared, so that a word
        one clause has outweighs two that every clause has. Counted by containment, as overlap() meets
        words, not by the lexical index's tokens."""
        weights = self._term_weights
        if term not in weights:
            texts = self._verbatim_texts
            df = sum(term in t for t in texts)
            weights[term] = max(0.1, math.log(1 + (len(texts) - df + 0.5) / (df + 0.5))) ** 2
        return weights[term]

    @cached_property
    def by_id(self) -> dict[str, Chunk]:
        return {c.chunk_id: c for c in self.chunks}

    @cached_property
    def clause_of_indicator(self) -> dict[str, str]:
        """Registry chunk id → id of the official clause its verbatim source quotes (where the corpus has it)."""
        out = {}
        for chunk in self.chunks:
            if chunk.kind != "indicator":
                continue
            for source in default_registry().get(chunk.indicator).sources:
                doc = self.docs.get(source.doc_id)
                if not (source.verbatim and doc and source.quote in doc.text):
                    continue
                start = doc.text.index(source.quote)
                holder = next((c for c in self.chunks if c.doc_id == doc.doc_id and c.start <= start < c.end), None)
                if holder:
                    out[chunk.chunk_id] = holder.chunk_id
                    break
        return out

    def dense(self, query: str, k: int) -> list[tuple[str, float]]:
        try:
            return vector_store.dense_search(self.store, self.query_vector(query), k)
        except Exception as exc:  # a full disk reaches us as Chroma's English "database or disk is full"
            unreadable = _unreadable(exc)
            if unreadable is None:
                raise
            raise unreadable from exc

    def __post_init__(self) -> None:
        # Query embeddings are cached (thread-safe LRU): staff ask the same questions many times a day.
        self.query_vector = lru_cache(maxsize=QUERY_CACHE_SIZE)(self.embeddings.embed_query)


def _unreadable(exc: BaseException) -> StoreUnavailable | None:
    problem = storage_problem(exc)
    return StoreUnavailable(f"向量库无法读取：{problem.reason}，请检查索引目录所在的磁盘") if problem else None


def _private_copy(chroma_dir: Path) -> Path:
    """This process's copy of the store, in the system temp folder (removed with the index or at exit)."""
    _remove_orphan_copies()
    copy = Path(tempfile.mkdtemp(prefix=f"{COPY_PREFIX}{os.getpid()}-"))
    try:
        (copy / COPY_MARKER).write_text(str(chroma_dir), encoding="utf-8")
        for source in sorted(chroma_dir.rglob("*")):  # parents sort before their contents
            target = copy / source.relative_to(chroma_dir)
            if source.is_dir():
                target.mkdir()
            else:
                shutil.copyfile(source, target)  # contents only: a read-only mode must not come along
    except BaseException:
        shutil.rmtree(copy, ignore_errors=True)
        raise
    return copy


def _remove_orphan_copies() -> None:
    """Copies left by processes that no longer run (killed before their exit handlers)."""
    for path in Path(tempfile.gettempdir()).glob(COPY_PREFIX + "*"):
        pid = path.name[len(COPY_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and (path / COPY_MARKER).is_file() and not _running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def open_index(settings: Settings) -> LoadedIndex:
    version_dir = current_dir(settings.index_dir)
    manifest = read_manifest(version_dir)
    if manifest is None:
        raise IndexMissing()
    if manifest["fingerprint"].get("embedding") != backend_id(settings.embedding_backend):
        raise IndexMissing(f"索引用的向量模型是 {manifest['fingerprint'].get('embedding')}，与当前设置不符")
    try:
        docs = [SourceDocument(**d) for d in json.loads((version_dir / "docs.json").read_text(encoding="utf-8"))]
        profiles = [DocumentProfile.from_dict(p)
                    for p in json.loads((version_dir / "profiles.json").read_text(encoding="utf-8"))]
        chunks = [Chunk.from_dict(c) for c in json.loads((version_dir / "chunks.json").read_text(encoding="utf-8"))]
        lexical = LexicalIndex.from_dict(json.loads((version_dir / "lexical.json").read_text(encoding="utf-8")))
        embeddings = make_embeddings(settings.embedding_backend)
        copy = None if settings.chroma_host else _private_copy(version_dir / "chroma")
        client = vector_store.chroma_client(copy or version_dir / "chroma", settings.chroma_host, settings.chroma_port)
        store = vector_store.open_store(client, manifest["collection"], embeddings)
        if store._collection.count() != len(chunks):
            raise IndexMissing("向量库与分段数不一致")
    except IndexMissing:
        raise
    except ConnectionError as exc:  # server mode: the server is down, the index is not damaged
        raise StoreUnavailable(str(exc)) from exc
    except Exception as exc:  # any damage to the files means the same thing to the user
        raise _unreadable(exc) or IndexMissing(type(exc).__name__) from exc
    loaded = LoadedIndex(settings, manifest, {d.doc_id: d for d in docs}, chunks, lexical, store, embeddings,
                         {p.doc_id: p for p in profiles})
    if copy:
        weakref.finalize(loaded, shutil.rmtree, copy, True)  # also at exit
    return loaded
