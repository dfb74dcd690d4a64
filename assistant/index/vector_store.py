"""Chroma adapter: an embedded persistent store under the index folder, or a Chroma server.

Chroma never embeds anything itself here: every call goes through our `Embeddings`, because
Chroma's default embedding function downloads a model.
"""
from __future__ import annotations

from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

COLLECTION_PREFIX = "policy_"


def chroma_client(persist_dir: Path | None, host: str = "", port: int = 8000) -> chromadb.ClientAPI:
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        try:
            return chromadb.HttpClient(host=host, port=port, settings=settings)
        except Exception as exc:  # chromadb raises a bare ValueError when nothing answers
            raise ConnectionError(f"无法连接 Chroma 服务器 {host}:{port}，请确认它已启动（chroma run --path <目录> "
                                  f"--port {port}），或取消 CHROMA_HOST 设置改用本机内嵌向量库") from exc
    return chromadb.PersistentClient(path=str(persist_dir), settings=settings)


def open_store(client: chromadb.ClientAPI, collection: str, embeddings: Embeddings) -> Chroma:
    return Chroma(
        collection_name=collection,
        embedding_function=embeddings,
        client=client,
        collection_metadata={"hnsw:space": "cosine"},
    )


def add_chunks(store: Chroma, ids: list[str], texts: list[str], batch: int = 256) -> None:
    for i in range(0, len(ids), batch):
        store.add_texts(texts=texts[i : i + batch], ids=ids[i : i + batch], metadatas=[{"chunk_id": c} for c in ids[i : i + batch]])


def dense_search(store: Chroma, query_vector: list[float], k: int) -> list[tuple[str, float]]:
    """(chunk_id, cosine similarity), best first."""
    hits = store.similarity_search_by_vector_with_relevance_scores(query_vector, k=k)
    # Chroma returns cosine distance for a cosine-space collection.
    return [(doc.id or doc.metadata["chunk_id"], 1.0 - float(dist)) for doc, dist in hits]


def drop_other_collections(client: chromadb.ClientAPI, keep: set[str]) -> None:
    """Server mode: collections of superseded builds are removed once the new one is live."""
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if name.startswith(COLLECTION_PREFIX) and name not in keep:
            client.delete_collection(name)


class PrecomputedEmbeddings(Embeddings):
    """Hands Chroma the vectors we already computed (and cached across builds) instead of re-embedding."""

    def __init__(self, base: Embeddings, vectors: dict[str, list[float]]):
        self._base = base
        self._vectors = vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vectors[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._base.embed_query(text)
