"""Open a built index for reading. A missing or damaged index raises `IndexMissing` with the fix."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from assistant.index import vector_store
from assistant.index.builder import IndexMissing, current_dir, read_manifest
from assistant.index.embedding import backend_id, make_embeddings
from assistant.index.lexical import LexicalIndex
from assistant.models import Chunk, SourceDocument
from assistant.settings import Settings


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

    def dense(self, query: str, k: int) -> list[tuple[str, float]]:
        return vector_store.dense_search(self.store, self.embeddings.embed_query(query), k)


def open_index(settings: Settings) -> LoadedIndex:
    version_dir = current_dir(settings.index_dir)
    manifest = read_manifest(version_dir)
    if manifest is None:
        raise IndexMissing()
    if manifest["fingerprint"]["embedding"] != backend_id(settings.embedding_backend):
        raise IndexMissing(f"索引用的向量模型是 {manifest['fingerprint']['embedding']}，与当前设置不符")
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
    except Exception as exc:  # any damage to the files means the same thing to the user
        raise IndexMissing(type(exc).__name__) from exc
    return LoadedIndex(settings, manifest, {d.doc_id: d for d in docs}, chunks, lexical, store, embeddings)
