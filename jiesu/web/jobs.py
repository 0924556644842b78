"""Ledger imports started from the web page, run in a background thread (jiesu.core.background).

The job's state lives in the Django cache under its id, so the progress page can poll it.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

from jiesu.core.background import JobProgress, background_run, background_wait, job_state_get, job_state_save
from jiesu.core.errors import DomainError
from jiesu.orgs.models import User
from jiesu.tickets.importing.service import tickets_import

logger = logging.getLogger(__name__)

SUMMARY_LABELS = {"created": "新建工单", "updated": "更新工单", "unchanged": "无变化", "rejected": "出错行数"}


@dataclass
class ImportJob(JobProgress):
    id: str
    owner_id: int
    file_name: str
    mapping: str
    dry_run: bool
    state: str = "queued"  # queued | running | done | failed
    processed: int = 0
    total: int | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    row_errors: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def summary_rows(self) -> list[tuple[str, Any]]:
        return [(SUMMARY_LABELS.get(k, k), v) for k, v in self.summary.items()]


def _save(job: ImportJob) -> None:
    job_state_save("import", job.id, asdict(job))


def import_job_get(job_id: str) -> ImportJob | None:
    raw = job_state_get("import", job_id)
    return ImportJob(**raw) if raw is not None else None


def _plain(value: Any) -> Any:
    """The importer's summary as plain data (a dataclass, a dict or an object with attributes)."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, dict):
        return value
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return dict(vars(value)) if hasattr(value, "__dict__") else {"result": value}


def _finish(job: ImportJob, result: Any) -> None:
    data = _plain(result)
    errors = data.pop("errors", None) or data.pop("row_errors", None) or []
    job.row_errors = [_plain(e) for e in errors]
    job.summary = {k: v for k, v in data.items() if isinstance(v, int | str | bool | float) or v is None}
    job.state = "done"


def _run(job: ImportJob, path: Path, source: str, actor_id: int) -> None:
    try:
        job.state = "running"
        _save(job)

        def progress(processed: int, total: int | None = None) -> None:
            job.processed, job.total = processed, total
            _save(job)

        result = tickets_import(
            path=path,
            mapping=job.mapping,
            source=source or None,
            dry_run=job.dry_run,
            actor=User.objects.get(pk=actor_id),
            progress=progress,
        )
        _finish(job, result)
    except DomainError as exc:
        job.state, job.error = "failed", exc.message
    except Exception:
        logger.exception("import job %s failed", job.id)
        job.state, job.error = "failed", "导入过程中发生系统错误，请联系管理员"
    finally:
        _save(job)
        shutil.rmtree(path.parent, ignore_errors=True)


def import_job_start(*, path: Path, file_name: str, mapping: str, source: str, dry_run: bool, actor: User) -> str:
    """Start importing `path` (which this module then owns and deletes) and return the job id."""
    job = ImportJob(id=uuid.uuid4().hex, owner_id=actor.pk, file_name=file_name, mapping=mapping, dry_run=dry_run)
    _save(job)
    background_run(job.id, lambda: _run(job, path, source, actor.pk))
    return job.id


def import_job_wait(job_id: str, timeout: float) -> None:
    """Block until the job's thread ends (for the command line and tests)."""
    background_wait(job_id, timeout)
