"""👍/👎 on answers, kept in a local SQLite file (Settings.feedback_db): the material for the next
blind eval. One row per answer (turn id): a second click on the same answer changes its row.

Each call opens its own connection (gradio runs handlers on worker threads); the file and its
folder are made on first use.
"""
from __future__ import annotations

import csv
import json
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

REASONS = ("答错了", "引用不对", "没回答问题", "其他")
RATINGS = {"up": "👍", "down": "👎"}
MAX_COMMENT = 2000
CSV_HEADER = ["时间", "评价", "原因", "说明", "问题", "此前的问题", "回答", "意图", "引用"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  turn_id TEXT NOT NULL UNIQUE,
  time TEXT NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  reason TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  question TEXT NOT NULL,
  history TEXT NOT NULL DEFAULT '[]',
  answer TEXT NOT NULL,
  intent TEXT NOT NULL DEFAULT '',
  citations TEXT NOT NULL DEFAULT '[]'
)
"""


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(SCHEMA)
        return conn

    def rate(self, turn_id: str, rating: str, *, question: str, answer: str, intent: str = "",
             citations: list[dict] | None = None, history: list[str] | None = None) -> None:
        """Record (or change) the rating of one answer; a changed rating clears an earlier reason."""
        if rating not in RATINGS:
            raise ValueError(f"rating 应为 up 或 down，收到 {rating!r}")
        values = (turn_id, _now(), rating, question, json.dumps(history or [], ensure_ascii=False), answer,
                  intent, json.dumps(citations or [], ensure_ascii=False))
        with closing(self._connect()) as conn, conn:
            conn.execute(
                "INSERT INTO feedback (turn_id, time, rating, question, history, answer, intent, citations) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(turn_id) DO UPDATE SET time = excluded.time, "
                "reason = CASE WHEN rating = excluded.rating THEN reason ELSE '' END, "
                "comment = CASE WHEN rating = excluded.rating THEN comment ELSE '' END, "
                "rating = excluded.rating", values)

    def withdraw(self, turn_id: str) -> None:
        """The user clicked the same thumb again: no rating any more."""
        with closing(self._connect()) as conn, conn:
            conn.execute("DELETE FROM feedback WHERE turn_id = ?", (turn_id,))

    def explain(self, turn_id: str, reason: str, comment: str) -> bool:
        """Add the optional reason and text to a rated answer; False when it has no row."""
        reason = reason if reason in REASONS else ""
        comment = (comment or "").strip()[:MAX_COMMENT]
        with closing(self._connect()) as conn, conn:
            cur = conn.execute("UPDATE feedback SET reason = ?, comment = ? WHERE turn_id = ?",
                               (reason, comment, turn_id))
            return cur.rowcount > 0

    def rows(self, only_down: bool = False) -> list[dict]:
        """Newest first."""
        query = "SELECT * FROM feedback" + (" WHERE rating = 'down'" if only_down else "") + " ORDER BY id DESC"
        with closing(self._connect()) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(query)]

    def write_csv(self, path: Path, only_down: bool = False) -> Path:
        """UTF-8 with a BOM, so Excel opens the Chinese text as such."""
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_HEADER)
            for r in self.rows(only_down):
                writer.writerow([r["time"], RATINGS[r["rating"]], r["reason"], r["comment"], r["question"],
                                 "；".join(json.loads(r["history"] or "[]")), r["answer"], r["intent"],
                                 citations_text(r["citations"])])
        return path


def citations_text(raw: str) -> str:
    """The stored citations JSON as one readable cell: [n] 标签：“原文”."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return raw
    return "\n".join(f"[{i}] {c.get('label', '')}：“{c.get('quote', '')}”" for i, c in enumerate(items, 1)
                     if isinstance(c, dict))


TABLE_HEADER = ["时间", "评价", "原因", "说明", "问题", "回答（节选）", "问题类型"]
# How the view names the answer layer's intents (the CSV keeps the keys, for the eval scripts).
INTENT_NAMES = {"duty": "单位职责", "who": "人员", "target": "指标要求", "calculation": "达标测算",
                "roster": "专班名单", "overview": "文件概况", "general": "条款查询", "help": "使用帮助",
                "out_of_scope": "超出范围"}
PREVIEW = 80


def table_rows(rows: list[dict]) -> list[list[str]]:
    """Rows for the 反馈 view's table: the answer shortened, everything else whole."""
    out = []
    for r in rows:
        answer = r["answer"].replace("\n", " ")
        out.append([r["time"], RATINGS[r["rating"]], r["reason"], r["comment"], r["question"],
                    answer if len(answer) <= PREVIEW else answer[:PREVIEW] + "……",
                    INTENT_NAMES.get(r["intent"], "其他" if r["intent"] else "")])
    return out
