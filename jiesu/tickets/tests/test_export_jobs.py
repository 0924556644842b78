"""Export jobs: one at a time per user, and the worker's purge of old files by age alone."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from jiesu.core.jobs import configured_jobs
from jiesu.orgs.models import User
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.exporting import jobs
from jiesu.tickets.exporting.jobs import (
    ExportJob,
    ExportRunning,
    export_job_for,
    export_job_start,
    export_job_wait,
    export_root,
    exports_purge_job,
)
from jiesu.tickets.exporting.service import tickets_for_export
from jiesu.tickets.tests.helpers import ticket_in


@pytest.fixture(autouse=True)
def _forget_jobs() -> Iterator[None]:
    yield
    cache.clear()  # a job left queued would block a later test's user with the same id


def queued_export(user: User) -> ExportJob:
    """An export of `user` that is queued and stays so (its thread never starts)."""
    job = ExportJob(id=uuid.uuid4().hex, owner_id=user.pk, filters={})
    jobs._claim_slot(job)
    jobs._save(job)
    return job


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_user_runs_one_export_at_a_time(world: World) -> None:
    ticket_in(world, TicketStatus.RECEIVED)
    waiting = queued_export(world.agent)
    with pytest.raises(ExportRunning) as refused:
        export_job_start(tickets=tickets_for_export(viewer=world.agent), actor=world.agent, filters={})
    assert refused.value.message == "您已有一个导出任务正在进行，请等待完成"
    assert refused.value.status == 409 and refused.value.details == {"job_id": waiting.id}
    other = export_job_start(tickets=tickets_for_export(viewer=world.shift_lead), actor=world.shift_lead, filters={})
    export_job_wait(other.id, timeout=60)
    waiting.state = "failed"
    jobs._save(waiting)
    for _ in range(2):  # after the finished one, and again once that export has ended
        job = export_job_start(tickets=tickets_for_export(viewer=world.agent), actor=world.agent, filters={})
        export_job_wait(job.id, timeout=60)
        assert export_job_for(job.id, world.agent).state == "done"


def test_a_job_silent_for_half_an_hour_no_longer_blocks(world: World) -> None:
    queued_export(world.outsider)
    with pytest.raises(ExportRunning):
        jobs._claim_slot(ExportJob(id=uuid.uuid4().hex, owner_id=world.outsider.pk, filters={}))
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        jobs._claim_slot(ExportJob(id=uuid.uuid4().hex, owner_id=world.outsider.pk, filters={}))


def _file(name: str, age: timedelta) -> Path:
    path = export_root() / name
    path.write_bytes(b"x")
    moment = timezone.now().timestamp() - age.total_seconds()
    os.utime(path, (moment, moment))
    return path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_starting_an_export_deletes_no_file(world: World) -> None:
    unknown = _file(f"{uuid.uuid4().hex}.xlsx", timedelta(minutes=5))
    old = _file(f"{uuid.uuid4().hex}.xlsx", timedelta(hours=30))
    job = export_job_start(tickets=tickets_for_export(viewer=world.agent), actor=world.agent, filters={})
    export_job_wait(job.id, timeout=60)
    assert unknown.exists() and old.exists()
    unknown.unlink()
    old.unlink()


def test_the_worker_purges_files_older_than_a_day_by_age_alone() -> None:
    old = _file(f"{uuid.uuid4().hex}.xlsx", timedelta(hours=24, minutes=1))
    old_partial = _file(f"{uuid.uuid4().hex}.part", timedelta(hours=25))
    unknown_young = _file(f"{uuid.uuid4().hex}.xlsx", timedelta(hours=23))  # no job in this process knows it
    assert exports_purge_job(timezone.now()) == 2
    assert not old.exists() and not old_partial.exists() and unknown_young.exists()
    unknown_young.unlink()


def test_the_purge_is_a_worker_job() -> None:
    assert ("jiesu.tickets.exporting.jobs.exports_purge_job", 3600) in settings.WORKER_JOBS
    assert any(spec.func is exports_purge_job for spec in configured_jobs())
