"""A report pack generated from the reports page, in a background thread (jiesu.core.background).

The job's state lives in the cache under its id, so the progress fragment can poll it; the result
is a stored GeneratedReport, whose files the page then offers. Only the user who started a job
sees it; to anyone else it does not exist (404), as with an export.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from jiesu.core.background import JobProgress, background_run, background_wait, job_state_get, job_state_save
from jiesu.core.errors import DomainError, NotFound
from jiesu.orgs.models import Unit, User
from jiesu.reports.periods import ReportPeriod
from jiesu.reports.services import report_generate

logger = logging.getLogger(__name__)

KIND = "report"
GONE = "生成任务不存在、已过期或不属于您"
# What report_generate is doing after each step it reports (progress(done, total)).
STEP_LABELS = ("统计数据", "撰写文字", "生成 Word 报告", "生成 Excel 台账", "打包素材", "保存")


@dataclass
class ReportJob(JobProgress):
    id: str
    owner_id: int
    kind: str
    family: str
    period_key: str
    label: str
    state: str = "queued"  # queued | running | done | failed
    processed: int = 0
    total: int | None = len(STEP_LABELS)
    report_id: int | None = None
    error: str = ""
    created_at: float = field(default_factory=time.time)

    @property
    def step_label(self) -> str:
        return STEP_LABELS[min(self.processed, len(STEP_LABELS) - 1)]


def _save(job: ReportJob) -> None:
    job_state_save(KIND, job.id, asdict(job))


def report_job_get(job_id: str) -> ReportJob | None:
    raw = job_state_get(KIND, job_id)
    return ReportJob(**raw) if raw is not None else None


def report_job_for(job_id: str, user: User) -> ReportJob:
    """The job if `user` started it; anyone else is told it does not exist."""
    job = report_job_get(job_id)
    if job is None or job.owner_id != user.pk:
        raise NotFound(GONE)
    return job


def _progress(job: ReportJob) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        job.state, job.processed, job.total = "running", done, total
        _save(job)

    return progress


def _run(job: ReportJob, period: ReportPeriod, topic: str, district: Unit | None, actor_id: int) -> None:
    try:
        job.state = "running"
        _save(job)
        report = report_generate(
            kind=period.kind,
            period=period,
            family=job.family,
            topic=topic,
            district=district,
            actor=User.objects.get(pk=actor_id),
            progress=_progress(job),
        )
        job.report_id, job.state = report.pk, "done"
    except DomainError as exc:
        job.state, job.error = "failed", exc.message
    except Exception:
        logger.exception("report job %s failed", job.id)
        job.state, job.error = "failed", "生成报告时发生系统错误，请联系管理员"
    finally:
        _save(job)


def report_job_start(
    *, period: ReportPeriod, family: str, topic: str, actor: User, district: Unit | None = None
) -> ReportJob:
    """Start generating the pack of `period` (a special report narrowed by `topic` and `district`)
    and return the job (the caller checked the rights)."""
    job = ReportJob(
        id=uuid.uuid4().hex,
        owner_id=actor.pk,
        kind=period.kind,
        family=family,
        period_key=period.key,
        label=period.label,
    )
    _save(job)
    background_run(job.id, lambda: _run(job, period, topic, district, actor.pk))
    return job


def report_job_wait(job_id: str, timeout: float) -> None:
    """Block until the job's thread ends (for tests)."""
    background_wait(job_id, timeout)
