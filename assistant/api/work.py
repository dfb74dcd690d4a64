"""Library calls are synchronous and CPU-bound: they run in worker threads, a few at a time, so the
event loop (which also serves the web app) stays free and two cores are not oversubscribed."""
from __future__ import annotations

from functools import partial

import anyio

ANSWER_SLOTS = 4  # the web app's chat allows as many at once
TABLE_SLOTS = 2  # a table runs in a child process for up to schools.CALC_TIME_LIMIT_S


class Workers:
    def __init__(self, answer_slots: int = ANSWER_SLOTS, table_slots: int = TABLE_SLOTS):
        self.answers = anyio.CapacityLimiter(answer_slots)
        self.tables = anyio.CapacityLimiter(table_slots)

    async def answer(self, fn, *args, **kwargs):
        return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=self.answers)

    async def table(self, fn, *args, **kwargs):
        return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=self.tables)
