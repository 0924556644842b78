"""Periodic jobs run by `jiesu worker`. Jobs are listed in settings.WORKER_JOBS (dotted path,
interval in seconds); each is a function `job(now) -> int` returning how many items it handled.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from jiesu.core.models import JobLease

log = logging.getLogger("jiesu.worker")
Job = Callable[[datetime], int]


@dataclass(frozen=True)
class JobSpec:
    name: str
    interval: timedelta
    func: Job


def configured_jobs() -> list[JobSpec]:
    specs = []
    for path, seconds in settings.WORKER_JOBS:
        specs.append(JobSpec(name=path, interval=timedelta(seconds=seconds), func=import_string(path)))
    return specs


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _ensure_lease(spec: JobSpec, now: datetime) -> None:
    if JobLease.objects.filter(name=spec.name).exists():
        return
    try:
        with transaction.atomic():
            JobLease.objects.create(name=spec.name, next_run_at=now)
    except IntegrityError:
        pass  # another worker created it first


def job_claim(spec: JobSpec, *, owner: str, now: datetime, lease: timedelta) -> bool:
    """True when this worker now holds the job; exactly one of several concurrent callers wins."""
    _ensure_lease(spec, now)
    claimed = (
        JobLease.objects.filter(name=spec.name, next_run_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(leased_until=now + lease, owner=owner, last_started_at=now)
    )
    return claimed == 1


def job_run_once(spec: JobSpec, *, owner: str, now: datetime | None = None) -> int | None:
    """Run the job if it is due and free. Returns the item count, or None when not run."""
    now = now or timezone.now()
    if not job_claim(spec, owner=owner, now=now, lease=max(spec.interval, timedelta(minutes=5))):
        return None
    error, handled = "", 0
    try:
        handled = spec.func(now)
    except Exception as exc:  # a failing job must not stop the others; it is retried next interval
        log.exception("job %s failed", spec.name)
        error = f"{type(exc).__name__}: {exc}"
    finished = timezone.now()
    JobLease.objects.filter(name=spec.name, owner=owner).update(
        leased_until=None,
        last_finished_at=finished,
        next_run_at=now + spec.interval,
        last_error=error,
        runs=F("runs") + 1,
    )
    return handled
