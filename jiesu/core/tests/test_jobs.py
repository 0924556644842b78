import threading
from datetime import datetime, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from jiesu.core.jobs import JobSpec, job_claim, job_run_once
from jiesu.core.models import JobLease

CALLS: list[datetime] = []


def counting_job(now: datetime) -> int:
    CALLS.append(now)
    return 1


def failing_job(now: datetime) -> int:
    raise RuntimeError("网关不可用")


SPEC = JobSpec(name="test.counting", interval=timedelta(minutes=5), func=counting_job)


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()


@pytest.mark.django_db
def test_a_due_job_runs_once_per_interval() -> None:
    now = timezone.now()
    assert job_run_once(SPEC, owner="w1", now=now) == 1
    assert job_run_once(SPEC, owner="w1", now=now + timedelta(minutes=1)) is None
    assert job_run_once(SPEC, owner="w1", now=now + timedelta(minutes=6)) == 1
    assert len(CALLS) == 2
    assert JobLease.objects.get(name=SPEC.name).runs == 2


@pytest.mark.django_db
def test_a_restarted_worker_resumes_from_the_stored_schedule() -> None:
    now = timezone.now()
    job_run_once(SPEC, owner="before-restart", now=now)
    assert job_run_once(SPEC, owner="after-restart", now=now + timedelta(minutes=2)) is None
    assert job_run_once(SPEC, owner="after-restart", now=now + timedelta(minutes=5)) == 1


@pytest.mark.django_db
def test_a_leased_job_is_not_claimed_by_a_second_worker() -> None:
    now = timezone.now()
    assert job_claim(SPEC, owner="w1", now=now, lease=timedelta(minutes=5))
    assert not job_claim(SPEC, owner="w2", now=now + timedelta(seconds=1), lease=timedelta(minutes=5))
    # A crashed worker's lease expires, and the job is picked up again.
    assert job_claim(SPEC, owner="w2", now=now + timedelta(minutes=6), lease=timedelta(minutes=5))


@pytest.mark.django_db
def test_a_failing_job_records_its_error_and_is_retried_later() -> None:
    spec = JobSpec(name="test.failing", interval=timedelta(minutes=1), func=failing_job)
    now = timezone.now()
    assert job_run_once(spec, owner="w1", now=now) == 0
    lease = JobLease.objects.get(name=spec.name)
    assert "网关不可用" in lease.last_error and lease.leased_until is None
    assert lease.next_run_at == now + timedelta(minutes=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_started_at_once_run_a_job_once() -> None:
    now = timezone.now()
    barrier = threading.Barrier(2)
    results: list[int | None] = []

    def worker(owner: str) -> None:
        barrier.wait()
        try:
            results.append(job_run_once(SPEC, owner=owner, now=now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [1, None]
    assert len(CALLS) == 1
