"""Ingest stage: load corpus files and split them along their own structure."""
