"""Ledger exports run as background jobs, for the web page and the API alike.

A job's state lives in the cache (jiesu.core.background); its file is EXPORT_ROOT/<job id>.xlsx,
offered only to the user who started it. A user runs one export at a time. Files are kept 24 hours:
the worker job `exports_purge_job` deletes older ones by the file's age alone, since with a cache
per process no process can tell whether a job it does not know belongs to another process.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from jiesu.core.background import (
    JOB_TTL_SECONDS,
    JobProgress,
    background_run,
    background_wait,
    job_state_get,
    job_state_save,
)
from jiesu.core.errors import Conflict, DomainError, NotFound
from jiesu.orgs.models import User
from jiesu.tickets.exporting.service import tickets_export
from jiesu.tickets.models import Ticket

logger = logging.getLogger(__name__)

KIND = "export"
SUFFIX = ".xlsx"
PARTIAL = ".part"
GONE = "导出任务不存在、已过期或不属于您"
# A queued or running job not heard from for this long died with its process: it no longer
# keeps its owner from starting another export.
STALE_SECONDS = 30 * 60


class ExportRunning(Conflict):
    code = "export_running"
    default_message = "您已有一个导出任务正在进行，请等待完成"


@dataclass
class ExportJob(JobProgress):
    id: str
    owner_id: int | None
    filters: dict[str, Any]
    state: str = "queued"  # queued | running | done | failed
    processed: int = 0
    total: int | None = None
    rows: int = 0
    error: str = ""
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    @property
    def download_name(self) -> str:
        started = timezone.localtime(datetime.fromtimestamp(self.created_at, tz=UTC))
        return f"工单台账-{started:%Y%m%d-%H%M}{SUFFIX}"


def export_root() -> Path:
    root = Path(settings.EXPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def export_job_path(job: ExportJob) -> Path:
    return export_root() / f"{job.id}{SUFFIX}"


def _save(job: ExportJob) -> None:
    job.updated_at = time.time()
    job_state_save(KIND, job.id, asdict(job))


def export_job_get(job_id: str) -> ExportJob | None:
    raw = job_state_get(KIND, job_id)
    return ExportJob(**raw) if raw is not None else None


def export_job_for(job_id: str, user: User) -> ExportJob:
    """The job if `user` started it; anyone else is told it does not exist."""
    job = export_job_get(job_id)
    if job is None or job.owner_id != user.pk:
        raise NotFound(GONE)
    return job


def export_job_file(job_id: str, user: User) -> tuple[ExportJob, Path]:
    job = export_job_for(job_id, user)
    path = export_job_path(job)
    if job.state != "done" or not path.is_file():
        raise NotFound("导出文件尚未生成或已被清理" if job.state == "done" else "导出尚未完成")
    return job, path


def exports_purge(now: float | None = None) -> int:
    """Delete the export files (finished or partial) last written more than a day ago."""
    now = time.time() if now is None else now
    removed = 0
    for path in export_root().iterdir():
        try:
            expired = path.is_file() and now - path.stat().st_mtime > JOB_TTL_SECONDS
        except FileNotFoundError:
            continue  # renamed or deleted meanwhile
        if expired:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def exports_purge_job(now: datetime) -> int:
    """Worker job (settings.WORKER_JOBS): delete export files older than a day; returns how many."""
    return exports_purge(now.timestamp())


def _active_key(owner_id: int | None) -> str:
    return f"jobs:{KIND}:active:{owner_id}"


def _is_active(job: ExportJob | None) -> bool:
    return job is not None and not job.finished and time.time() - job.updated_at < STALE_SECONDS


def _claim_slot(job: ExportJob) -> None:
    """Mark `job` as its owner's export in progress, or refuse if one is already queued or running.

    cache.add is atomic, so of two requests at once only one gets the slot."""
    key = _active_key(job.owner_id)
    if cache.add(key, job.id, JOB_TTL_SECONDS):
        return
    holder = cache.get(key)
    if isinstance(holder, str) and _is_active(export_job_get(holder)):
        raise ExportRunning(job_id=holder)
    cache.delete(key)  # the holder finished without releasing (a killed thread) or was forgotten
    if not cache.add(key, job.id, JOB_TTL_SECONDS):
        raise ExportRunning()


def _release_slot(job: ExportJob) -> None:
    if cache.get(_active_key(job.owner_id)) == job.id:
        cache.delete(_active_key(job.owner_id))


def _run(job: ExportJob, tickets: QuerySet[Ticket], actor_id: int | None, source_address: str | None) -> None:
    partial = export_job_path(job).with_suffix(PARTIAL)

    def progress(processed: int, total: int) -> None:
        job.state, job.processed, job.total = "running", processed, total
        _save(job)

    try:
        actor = User.objects.get(pk=actor_id) if actor_id is not None else None
        job.rows = tickets_export(
            tickets=tickets,
            actor=actor,
            path=partial,
            filters=job.filters,
            progress=progress,
            source_address=source_address,
        )
        # Renamed only when complete, so a download never gets a half-written file.
        partial.replace(export_job_path(job))
        job.state = "done"
    except DomainError as exc:
        job.state, job.error = "failed", exc.message
    except Exception:
        logger.exception("export job %s failed", job.id)
        job.state, job.error = "failed", "导出过程中发生系统错误，请联系管理员"
    finally:
        partial.unlink(missing_ok=True)
        _save(job)
        _release_slot(job)


def export_job_start(
    *, tickets: QuerySet[Ticket], actor: User | None, filters: dict[str, Any], source_address: str | None = None
) -> ExportJob:
    """Start exporting `tickets` (already limited to what `actor` may read) and return the job.

    Refused with ExportRunning (409) while the same user has an export queued or running."""
    job = ExportJob(id=uuid.uuid4().hex, owner_id=actor.pk if actor is not None else None, filters=filters)
    _claim_slot(job)
    _save(job)
    actor_id = actor.pk if actor is not None else None
    background_run(job.id, lambda: _run(job, tickets, actor_id, source_address))
    return job


def export_job_wait(job_id: str, timeout: float) -> None:
    background_wait(job_id, timeout)
