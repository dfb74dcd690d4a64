"""Retrieve stage: hybrid BM25 + dense search with structural boosts."""
