"""Open a built index for reading. A missing or damaged index raises `IndexMissing` with the fix."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from assistant.domain.indicators import default_registry
from assistant.index import vector_store
from assistant.index.builder import IndexMissing, StoreUnavailable, current_dir, read_manifest
from assistant.index.embedding import backend_id, make_embeddings
from assistant.index.lexical import LexicalIndex
from assistant.models import Chunk, SourceDocument
from assistant.settings import Settings

QUERY_CACHE_SIZE = 2048


@dataclass
class LoadedIndex:
    settings: Settings
    manifest: dict
    docs: dict[str, SourceDocument]
    chunks: list[Chunk]
    lexical: LexicalIndex
    store: Chroma
    embeddings: Embeddings

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
        return vector_store.dense_search(self.store, self.query_vector(query), k)

    def __post_init__(self) -> None:
        # Query embeddings are cached (thread-safe LRU): staff ask the same questions many times a day.
        self.query_vector = lru_cache(maxsize=QUERY_CACHE_SIZE)(self.embeddings.embed_query)


def open_index(settings: Settings) -> LoadedIndex:
    version_dir = current_dir(settings.index_dir)
    manifest = read_manifest(version_dir)
    if manifest is None:
        raise IndexMissing()
    if manifest["fingerprint"].get("embedding") != backend_id(settings.embedding_backend):
        raise IndexMissing(f"索引用的向量模型是 {manifest['fingerprint'].get('embedding')}，与当前设置不符")
    try:
        docs = [SourceDocument(**d) for d in json.loads((version_dir / "docs.json").read_text(encoding="utf-8"))]
        chunks = [Chunk.from_dict(c) for c in json.loads((version_dir / "chunks.json").read_text(encoding="utf-8"))]
        lexical = LexicalIndex.from_dict(json.loads((version_dir / "lexical.json").read_text(encoding="utf-8")))
        embeddings = make_embeddings(settings.embedding_backend)
        client = vector_store.chroma_client(version_dir / "chroma", settings.chroma_host, settings.chroma_port)
        store = vector_store.open_store(client, manifest["collection"], embeddings)
        if store._collection.count() != len(chunks):
            raise IndexMissing("向量库与分段数不一致")
    except IndexMissing:
        raise
    except ConnectionError as exc:  # server mode: the server is down, the index is not damaged
        raise StoreUnavailable(str(exc)) from exc
    except Exception as exc:  # any damage to the files means the same thing to the user
        raise IndexMissing(type(exc).__name__) from exc
    return LoadedIndex(settings, manifest, {d.doc_id: d for d in docs}, chunks, lexical, store, embeddings)
