"""The benchmark's "common recipe" baseline builds on the real corpus and returns verbatim chunks."""
from __future__ import annotations

import importlib.util
import sys

import pytest

from assistant.settings import REPO_ROOT, Settings


def _load_baseline():
    spec = importlib.util.spec_from_file_location("bench_baseline", REPO_ROOT / "eval" / "baseline.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


baseline = _load_baseline()


def test_fixed_size_chunks_are_verbatim_and_overlap():
    from assistant.ingest.loaders import load_corpus

    docs, _ = load_corpus(Settings().corpus_dir)
    chunks = baseline.split_documents(docs)
    texts = {d.doc_id: d.text for d in docs}
    assert len(chunks) > 20
    assert all(len(c.page_content) <= baseline.CHUNK_SIZE for c in chunks)
    for c in chunks:
        assert texts[c.metadata["doc_id"]][c.metadata["start"]:c.metadata["end"]] == c.page_content
    # pieces cut inside a paragraph overlap their neighbour (the recipe's 50-character overlap)
    assert any(b.metadata["start"] < a.metadata["end"] for a, b in zip(chunks, chunks[1:]))


@pytest.mark.slow
def test_common_recipe_builds_on_the_real_corpus_and_returns_chunks(tmp_path):
    recipe = baseline.CommonRecipe.from_settings(Settings(), persist_dir=tmp_path / "chroma")
    hits = recipe.search("市财政局负责什么", k=5)
    assert 1 <= len(hits) <= 5
    assert all(recipe.is_verbatim(h) for h in hits)
    assert any("经费保障机制" in h.text for h in hits)
    assert len(recipe.search("音体美专任教师", k=3)) == 3
    assert recipe.search("   ") == []
