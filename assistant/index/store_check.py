"""Check an embedded Chroma store by reading its sqlite file (standard-library sqlite3, read-only).

The unchanged fast path of `assistant index` uses this: chromadb's own client takes about a second to
import and writes to the file even when it only reads, while a damaged store (`: > chroma.sqlite3`) must
send the build down the full path. Chroma rebuilds its vector files from this file, so it is the one
that matters.
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

SQLITE_FILE = "chroma.sqlite3"
# Records of one collection: Chroma keeps them in its metadata segment's `embeddings` table.
_COUNT = ("SELECT count(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
          "JOIN collections c ON s.collection = c.id WHERE c.name = ?")


def stored_vectors(chroma_dir: Path, collection: str) -> int | None:
    """How many records the store holds for `collection`; None when the file is missing, damaged or
    not a Chroma store (an unknown future schema reads as damaged too: a rebuild, never a wrong answer)."""
    path = chroma_dir / SQLITE_FILE
    if not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
                return None
            return db.execute(_COUNT, (collection,)).fetchone()[0]
    except sqlite3.Error:
        return None
