"""Work started by a request and run in a thread of the same process, its state in the cache.

Used by the ledger import and export pages (and the API's export): the request returns at once
with a job id and the page polls the state. The default cache is per process, which suits
`jiesu runserver` and the demo, where the page and the thread share a process; a multi-process
deployment needs a shared cache (Redis) so that every process sees the state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import close_old_connections, connection

JOB_TTL_SECONDS = 24 * 3600

_threads: dict[str, threading.Thread] = {}


class JobProgress:
    """What a progress page shows of a background job; mixed into each job's dataclass."""

    state: str  # queued | running | done | failed
    processed: int
    total: int | None

    @property
    def finished(self) -> bool:
        return self.state in {"done", "failed"}

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        if not self.total:
            return 0
        return min(99, self.processed * 100 // self.total)


def job_state_save(kind: str, job_id: str, state: dict[str, Any]) -> None:
    cache.set(f"jobs:{kind}:{job_id}", state, JOB_TTL_SECONDS)


def job_state_get(kind: str, job_id: str) -> dict[str, Any] | None:
    raw = cache.get(f"jobs:{kind}:{job_id}")
    return raw if isinstance(raw, dict) else None


def background_run(job_id: str, work: Callable[[], None]) -> None:
    """Run `work` in a daemon thread with a database connection of its own."""

    def target() -> None:
        close_old_connections()
        try:
            work()
        finally:
            # The thread's connection would otherwise stay open until the process ends.
            connection.close()
            _threads.pop(job_id, None)

    thread = threading.Thread(target=target, name=f"job-{job_id}", daemon=True)
    _threads[job_id] = thread
    thread.start()


def background_wait(job_id: str, timeout: float) -> None:
    """Block until the job's thread ends (for the command line and tests)."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)
