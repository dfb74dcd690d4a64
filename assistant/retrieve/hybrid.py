"""Hybrid retrieval: BM25 and dense ranks fused by reciprocal-rank fusion, plus structural boosts.

Boosts use the document's structure rather than more model: a question naming a unit lifts that
unit's annex duty chunk (and its roster line) in the document the unit belongs to; a question naming
an indicator lifts the chunks that state it. `docs` limits the search to some documents (a region's,
see retrieve/scope.py); by default every usable one (superseded documents only with
Settings.include_superseded).
"""
from __future__ import annotations

from dataclasses import dataclass

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.domain.indicators import default_registry
from assistant.index.store import LoadedIndex
from assistant.models import ScoredChunk
from assistant.retrieve.scope import resolve_units, searchable, unit_documents

RRF_K = 60
# Exact policy terms (县管校聘, 三个课堂) are BM25's strength; the multilingual dense model is weaker on them.
BM25_WEIGHT = 1.0
DENSE_WEIGHT = 0.7
CANDIDATES = 40
# Documents left out are filtered after ranking: the search looks this much deeper to make up for them.
FILTERED_DEPTH = 3
UNIT_DUTY_BOOST = 0.02
UNIT_OTHER_BOOST = 0.01
INDICATOR_BOOST = 0.02


def rrf(rankings: list[list[str]], weights: list[float] | None = None, k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (k + rank)
    return scores


@dataclass(frozen=True)
class QuerySignals:
    units: tuple[tuple[str, str], ...]  # (doc_id, unit name)
    indicator_phrases: tuple[str, ...]
    indicator_keys: tuple[str, ...]


def query_signals(index: LoadedIndex, query: str, docs: set[str] | None = None) -> QuerySignals:
    plans = [d for d in unit_documents(index) if docs is None or d in docs]
    units = tuple((doc_id, unit.name) for doc_id, unit in resolve_units(index, query, plans))
    indicators = default_registry().find(query)
    phrases = tuple(dict.fromkeys(p for ind in indicators for p in (ind.name, *ind.aliases)))
    return QuerySignals(units, phrases, tuple(ind.key for ind in indicators))


def structural_boosts(index: LoadedIndex, signals: QuerySignals) -> dict[str, float]:
    boosts: dict[str, float] = {}
    for chunk in index.chunks:
        boost = 0.0
        if chunk.unit and (chunk.doc_id, chunk.unit) in signals.units:
            boost += UNIT_DUTY_BOOST if chunk.kind == "unit_duty" else UNIT_OTHER_BOOST
        if signals.indicator_keys and (
            chunk.indicator in signals.indicator_keys or any(p in chunk.text for p in signals.indicator_phrases)
        ):
            boost += INDICATOR_BOOST
        if boost:
            boosts[chunk.chunk_id] = boost
    return boosts


def promote_official_clauses(index: LoadedIndex, scores: dict[str, float]) -> None:
    """A hit on our registry summary ranks the official clause it points to just above it."""
    for registry_id, clause_id in index.clause_of_indicator.items():
        if registry_id in scores:
            scores[clause_id] = max(scores.get(clause_id, 0.0), scores[registry_id] + 1e-6)


def hybrid_search(index: LoadedIndex, query: str, k: int = 5, mode: str = "hybrid",
                  docs: list[str] | set[str] | None = None) -> list[ScoredChunk]:
    """mode: hybrid (ours) | bm25 | dense — the latter two exist for the side-by-side benchmark.
    docs: the documents to search (default: every usable one)."""
    query = query.strip()
    if not query:
        return []
    allowed = set(searchable(index) if docs is None else docs)
    every = allowed >= set(index.docs)
    depth = CANDIDATES if every else CANDIDATES * FILTERED_DEPTH
    rankings, weights = [], []
    if mode in ("hybrid", "bm25"):
        rankings.append([cid for cid, _ in index.lexical.search(query, depth)])
        weights.append(BM25_WEIGHT)
    if mode in ("hybrid", "dense"):
        rankings.append([cid for cid, _ in index.dense(query, depth)])
        weights.append(DENSE_WEIGHT)
    if not every:  # ranks are recounted within the documents searched
        rankings = [[cid for cid in r if cid in index.by_id and index.by_id[cid].doc_id in allowed][:CANDIDATES]
                    for r in rankings]
    scores = rrf(rankings, weights)
    if mode == "hybrid":
        for chunk_id, boost in structural_boosts(index, query_signals(index, query, allowed)).items():
            scores[chunk_id] = scores.get(chunk_id, 0.0) + boost
        promote_official_clauses(index, scores)
    scores = {cid: s for cid, s in scores.items() if cid in index.by_id and index.by_id[cid].doc_id in allowed}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    if mode == "hybrid" and k > len(rankings):
        # Fusion can bury a chunk one ranker puts first and the other misses (BM25's only article
        # with 程序): each ranker's first choice keeps a place among the k, at the end
        kept = {cid for cid, _ in ranked}
        firsts = list(dict.fromkeys(next((cid for cid in r if cid in scores), None) for r in rankings))
        missing = [(cid, scores[cid]) for cid in firsts if cid and cid not in kept]
        ranked = ranked[:k - len(missing)] + missing
    return [ScoredChunk(index.by_id[cid], score) for cid, score in ranked]


class HybridRetriever(BaseRetriever):
    """The same search as a langchain retriever, for chains and agents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: LoadedIndex
    k: int = 5
    docs: list[str] | None = None  # e.g. retrieve.scope.answer_scope(index, "曲阜市")

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=h.chunk.text, id=h.chunk.chunk_id, metadata={**h.chunk.to_dict(), "score": h.score})
            for h in hybrid_search(self.index, query, self.k, docs=self.docs)
        ]
