"""The purge run: exactly the due files, never a file a younger attachment shares, idempotent,
audited per attachment and per run, under the policy in force at the time of the run."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.core.jobs import configured_jobs
from jiesu.orgs.testing import World
from jiesu.retention.choices import PurgeTrigger, RecordClass
from jiesu.retention.jobs import retention_purge_job
from jiesu.retention.models import AttachmentPurge
from jiesu.retention.services import PURGE_ACTION, PURGE_ATTACHMENT_ACTION, retention_policy_create, retention_purge
from jiesu.retention.tests.support import T0, attach, ticket_at, unique_content
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.services.attachments import attachment_path

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _exists(*attachments) -> list[bool]:
    return [attachment_path(a.sha256).exists() for a in attachments]


def test_only_due_files_go_and_a_file_shared_with_a_younger_attachment_stays(world: World) -> None:
    shared = unique_content("shared")
    old_ticket, young_ticket = ticket_at(world, T0), ticket_at(world, T0 + 400 * DAY)
    old_recording = attach(old_ticket, unique_content("old-recording"), T0)
    old_document = attach(old_ticket, shared, T0, content_type="application/pdf")
    young_document = attach(young_ticket, shared, T0 + 400 * DAY, content_type="application/pdf")
    young_photo = attach(young_ticket, unique_content("young-photo"), T0 + 400 * DAY, content_type="image/png")
    open_recording = attach(ticket_at(world, T0, TicketStatus.HANDLING), unique_content("open"), T0)

    report = retention_purge(T0 + 731 * DAY, batch=1)

    assert (report.purged, report.batches, dict(report.by_class)) == (2, 2, {"recording": 1, "text_record": 1})
    assert (report.files_removed, report.files_still_needed) == (1, 1)
    purges = {p.attachment_id: p for p in AttachmentPurge.objects.all()}
    assert set(purges) == {old_recording.pk, old_document.pk}
    assert purges[old_recording.pk].file_removed_at is not None
    assert purges[old_document.pk].file_removed_at is None  # the younger attachment still needs it
    assert _exists(old_recording, old_document, young_document, young_photo, open_recording) == [
        False,
        True,
        True,
        True,
        True,
    ]
    assert all(p.trigger == PurgeTrigger.POLICY and p.keep_days == 730 and p.purged_by is None for p in purges.values())

    # Once the younger attachment is due as well, the shared file goes and both records say so.
    later = retention_purge(T0 + 1131 * DAY)
    assert (later.purged, later.files_removed, later.files_still_needed) == (2, 2, 0)
    assert _exists(old_document, young_photo, open_recording) == [False, False, True]
    assert not AttachmentPurge.objects.filter(file_removed_at__isnull=True).exists()
    assert not AttachmentPurge.objects.filter(attachment=open_recording).exists()


def test_every_purge_is_audited_per_attachment_and_per_run(world: World) -> None:
    recording = attach(ticket_at(world, T0), unique_content("audited"), T0)
    retention_purge(T0 + 731 * DAY)
    [item] = AuditEntry.objects.filter(action=PURGE_ATTACHMENT_ACTION)
    assert (item.object_type, item.object_id, item.actor_id) == ("tickets.attachment", str(recording.pk), None)
    assert item.detail["sha256"] == recording.sha256 and item.detail["keep_days"] == 730
    [run] = AuditEntry.objects.filter(action=PURGE_ACTION)
    assert run.detail["purged"] == 1 and run.detail["files_removed"] == 1
    assert run.detail["rules"] == {"recording": 730, "text_record": 730}


def test_running_again_purges_nothing_more(world: World) -> None:
    attach(ticket_at(world, T0), unique_content("twice"), T0)
    assert retention_purge(T0 + 731 * DAY).purged == 1
    again = retention_purge(T0 + 731 * DAY)
    assert (again.purged, again.files_removed) == (0, 0)
    assert AttachmentPurge.objects.count() == 1
    assert AuditEntry.objects.filter(action=PURGE_ATTACHMENT_ACTION).count() == 1


def test_retention_counts_from_the_last_event_of_the_ticket(world: World) -> None:
    # Uploaded at intake, closed 100 days later: kept 730 days from the close, not the upload.
    ticket = ticket_at(world, T0 + 100 * DAY)
    recording = attach(ticket, unique_content("late-close"), T0)
    assert retention_purge(T0 + 731 * DAY).purged == 0
    assert retention_purge(T0 + 831 * DAY).purged == 1
    assert AttachmentPurge.objects.get(attachment=recording).retention_started_at == T0 + 100 * DAY


def test_the_policy_in_force_at_the_time_of_the_run_applies(world: World) -> None:
    today = timezone.localdate()
    retention_policy_create(
        record_class=RecordClass.RECORDING,
        keep_days=1095,
        effective_from=today + 10 * DAY,
        notice="新合同：录音保存 3 年",
        actor=None,
    )
    closed = timezone.now() - 800 * DAY
    recording = attach(ticket_at(world, closed), unique_content("three-years"), closed)
    document = attach(ticket_at(world, closed), unique_content("two-years"), closed, content_type="text/plain")
    report = retention_purge(timezone.now() + 20 * DAY)
    assert report.purged == 1
    assert list(AttachmentPurge.objects.values_list("attachment_id", flat=True)) == [document.pk]
    assert attachment_path(recording.sha256).exists()


def test_the_daily_worker_job_is_registered_and_purges(world: World) -> None:
    assert ("jiesu.retention.jobs.retention_purge_job", 24 * 3600) in settings.WORKER_JOBS
    assert any(spec.func is retention_purge_job for spec in configured_jobs())
    attach(ticket_at(world, T0), unique_content("job"), T0)
    assert retention_purge_job(T0 + 731 * DAY) == 1
