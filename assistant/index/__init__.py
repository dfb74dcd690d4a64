"""Index stage: embeddings, the Chroma dense store, the BM25 lexical index, and the atomic build."""
