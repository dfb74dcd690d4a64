"""Rebuild the index in the background while the running app keeps answering from the previous one.

`Reindexer.start()` builds in a thread (the builder writes a new versioned folder and swaps `current`
atomically), then opens the new index and hands it to `on_ready` — one assignment, so a question is
answered from the old index or the new one, never from a mix. `status()` is what a progress bar shows.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from assistant.index.builder import IndexBusy, build_index
from assistant.index.store import LoadedIndex, open_index
from assistant.settings import Settings


@dataclass(frozen=True)
class ReindexStatus:
    running: bool
    stage: str
    fraction: float  # 0–1
    message: str  # the last result, Chinese


class Reindexer:
    def __init__(self, settings: Settings, on_ready: Callable[[LoadedIndex], None]):
        self.settings = settings
        self.on_ready = on_ready
        self._lock = threading.Lock()
        self._status = ReindexStatus(False, "", 0.0, "")
        self._thread: threading.Thread | None = None

    def status(self) -> ReindexStatus:
        return self._status

    def start(self) -> bool:
        """Start a rebuild; False when one is already running (the change is picked up by it or the next)."""
        with self._lock:
            if self._status.running:
                return False
            self._status = ReindexStatus(True, "开始", 0.0, "")
            self._thread = threading.Thread(target=self._run, name="reindex", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> ReindexStatus:
        if self._thread:
            self._thread.join(timeout)
        return self._status

    def _report(self, stage: str, fraction: float) -> None:
        self._status = ReindexStatus(True, stage, fraction, "")

    def _run(self) -> None:
        try:
            report = build_index(self.settings, progress=False, report=self._report)
            self._report("切换到新索引", 1.0)
            self.on_ready(open_index(self.settings))
            skipped = "；".join(f"{p.path}：{p.message}" for p in report.problems)
            message = f"索引已更新：{report.documents} 个文件，{report.chunks} 段" + (f"。{skipped}" if skipped else "")
        except IndexBusy as exc:
            message = str(exc)
        except Exception as exc:  # the builder's own Chinese messages; the old index stays in use
            text = str(exc) if any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)) else type(exc).__name__
            message = f"重新索引失败，仍使用原索引：{text}"
        self._status = ReindexStatus(False, "完成", 1.0, message)
