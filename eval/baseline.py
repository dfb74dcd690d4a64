"""The "common recipe" baseline for the side-by-side benchmark (issue 8) — not a product feature.

What Langchain-Chatchat does by default, built from stock langchain parts on our corpus files:
  * fixed-size chunks: RecursiveCharacterTextSplitter, 250 characters, 50 overlap, separators
    ["\\n\\n", "\\n", "。", "！", "？", "；", "，", ""] (no document structure, no heading context);
  * BM25 (langchain_community BM25Retriever) over `jieba.lcut_for_search` with jieba's stock
    dictionary (no domain words, no stop-words);
  * dense: the same `Embeddings` as our pipeline, in a Chroma collection in a temp dir
    (langchain_chroma defaults);
  * fused 0.5 / 0.5 by langchain's EnsembleRetriever (weighted reciprocal-rank fusion, c = 60);
  * top-k 5, no routing, no boosts, no follow-up resolution.

A chunk "holds" the gold when its text contains the gold fragment. Chunk offsets come from the
splitter's `start_index`, so every chunk is checked verbatim against the source like our citations.
"""
from __future__ import annotations

import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", ""]
CHUNK_SIZE = 250
CHUNK_OVERLAP = 50
TOP_K = 5
WEIGHTS = (0.5, 0.5)


@dataclass(frozen=True)
class RecipeHit:
    """One retrieved chunk, shaped like what the eval needs (text + where it comes from)."""

    text: str
    doc_id: str
    start: int
    end: int
    score_rank: int


def jieba_for_search(text: str) -> list[str]:
    """Chatchat's BM25 preprocessing: jieba's search-engine mode, stock dictionary, nothing removed."""
    import jieba

    return jieba.lcut_for_search(text)


def _quiet_jieba() -> None:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)


def split_documents(docs) -> list:
    """Fixed-size chunks of each `SourceDocument` as langchain `Document`s with doc_id/start/end metadata."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS, chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True,
    )
    out = []
    for doc in docs:
        pieces = splitter.create_documents([doc.text], metadatas=[{"doc_id": doc.doc_id, "doc_title": doc.title}])
        for i, piece in enumerate(pieces):
            start = int(piece.metadata.get("start_index", -1))
            out.append(Document(
                page_content=piece.page_content,
                id=f"{doc.doc_id}#{i}",
                metadata={"doc_id": doc.doc_id, "doc_title": doc.title, "start": start,
                          "end": start + len(piece.page_content) if start >= 0 else -1, "ordinal": i},
            ))
    return out


class CommonRecipe:
    """Build once with `CommonRecipe.build(...)`, then `search(query, k)`."""

    def __init__(self, chunks, bm25, vectorstore, ensemble, docs, persist_dir: Path, build_seconds: float):
        self.chunks = chunks
        self.bm25 = bm25
        self.vectorstore = vectorstore
        self.ensemble = ensemble
        self.docs = {d.doc_id: d for d in docs}
        self.persist_dir = persist_dir
        self.build_seconds = build_seconds

    @classmethod
    def build(cls, docs, embeddings, persist_dir: str | Path | None = None, k: int = TOP_K) -> "CommonRecipe":
        """Chunk, index for BM25 and Chroma, and wire the ensemble. `docs` are `SourceDocument`s."""
        import chromadb
        from langchain_chroma import Chroma
        from langchain_classic.retrievers import EnsembleRetriever
        from langchain_community.retrievers import BM25Retriever

        _quiet_jieba()
        started = time.perf_counter()
        persist_dir = Path(persist_dir or tempfile.mkdtemp(prefix="recipe-chroma-"))
        chunks = split_documents(docs)
        if not chunks:
            raise ValueError("语料为空，无法建立基线索引")
        bm25 = BM25Retriever.from_documents(chunks, preprocess_func=jieba_for_search, k=k)
        vectorstore = Chroma.from_documents(
            chunks, embedding=embeddings, ids=[c.id for c in chunks],
            collection_name=f"recipe_{uuid.uuid4().hex[:8]}", persist_directory=str(persist_dir),
            client_settings=chromadb.config.Settings(anonymized_telemetry=False, is_persistent=True,
                                                     persist_directory=str(persist_dir)),
        )
        dense = vectorstore.as_retriever(search_kwargs={"k": k})
        ensemble = EnsembleRetriever(retrievers=[bm25, dense], weights=list(WEIGHTS))
        return cls(chunks, bm25, vectorstore, ensemble, docs, persist_dir, time.perf_counter() - started)

    @classmethod
    def from_settings(cls, settings, persist_dir: str | Path | None = None, k: int = TOP_K) -> "CommonRecipe":
        """The corpus files of `settings.corpus_dir` (not our generated summaries) with its embedding backend."""
        from assistant.index.embedding import make_embeddings
        from assistant.ingest.loaders import load_corpus

        docs, _ = load_corpus(settings.corpus_dir)
        return cls.build(docs, make_embeddings(settings.embedding_backend), persist_dir, k)

    def _set_k(self, k: int) -> None:
        self.bm25.k = k
        self.ensemble.retrievers[1].search_kwargs["k"] = k

    def search(self, query: str, k: int = TOP_K) -> list[RecipeHit]:
        """Top-k fused chunks. Each sub-retriever returns k, as in the recipe; the fusion keeps the top k."""
        query = query.strip()
        if not query:
            return []
        self._set_k(k)
        docs = self.ensemble.invoke(query)[:k]
        return [
            RecipeHit(d.page_content, d.metadata.get("doc_id", ""), int(d.metadata.get("start", -1)),
                      int(d.metadata.get("end", -1)), rank)
            for rank, d in enumerate(docs, 1)
        ]

    def is_verbatim(self, hit: RecipeHit) -> bool:
        doc = self.docs.get(hit.doc_id)
        return doc is not None and hit.start >= 0 and doc.text[hit.start:hit.end] == hit.text


def holds_gold(text: str, gold: str) -> bool:
    return bool(gold) and gold in text
