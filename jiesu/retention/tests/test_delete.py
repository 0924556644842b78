"""A system admin's deletion: refused before the retention limit (and audited), allowed after."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import PermissionDenied, ValidationFailed
from jiesu.orgs.testing import World
from jiesu.retention.choices import PurgeTrigger
from jiesu.retention.errors import AttachmentAlreadyPurged, RetentionNotReached
from jiesu.retention.services import DELETE_ACTION, attachment_delete
from jiesu.retention.tests.support import T0, attach, ticket_at, unique_content
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Attachment
from jiesu.tickets.services.attachments import attachment_path

pytestmark = pytest.mark.django_db


def _audit(attachment: Attachment) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=DELETE_ACTION, object_id=str(attachment.pk)).order_by("sequence"))


def test_deletion_before_the_limit_is_refused_with_the_earliest_date_and_audited(world: World) -> None:
    recording = attach(ticket_at(world, T0), unique_content("early"), T0)
    with time_machine.travel(T0 + timedelta(days=729), tick=False), pytest.raises(RetentionNotReached) as refused:
        attachment_delete(attachment=recording, actor=world.system_admin, reason="合同到期")
    assert refused.value.message == "录音须保存 730 天，最早可于 2026-03-04 删除"
    assert refused.value.status == 409
    assert attachment_path(recording.sha256).exists()
    [entry] = _audit(recording)
    assert (entry.result, entry.actor_id, entry.detail["refused"]) == (
        "failure",
        world.system_admin.pk,
        "retention_not_reached",
    )


def test_attachments_of_an_open_ticket_cannot_be_deleted_whatever_their_age(world: World) -> None:
    document = attach(
        ticket_at(world, T0, TicketStatus.HANDLING), unique_content("open"), T0, content_type="text/plain"
    )
    with pytest.raises(RetentionNotReached, match="工单尚未办结：文字记录须在工单办结后保存满 730 天"):
        attachment_delete(attachment=document, actor=world.system_admin, reason="清理")


def test_only_the_system_admin_may_delete_even_after_the_limit(world: World) -> None:
    recording = attach(ticket_at(world, T0), unique_content("role"), T0)
    with time_machine.travel(T0 + timedelta(days=800), tick=False):
        for user in (world.agent, world.security_admin, world.audit_admin, world.shift_lead):
            with pytest.raises(PermissionDenied, match="只有系统管理员可以删除附件"):
                attachment_delete(attachment=recording, actor=user, reason="清理")
        with pytest.raises(ValidationFailed, match="删除原因"):
            attachment_delete(attachment=recording, actor=world.system_admin, reason=" ")
    assert [e.result for e in _audit(recording)] == ["failure"] * 5
    assert not hasattr(Attachment.objects.get(pk=recording.pk), "retention_purge")


def test_deletion_after_the_limit_removes_the_file_and_keeps_the_row(world: World) -> None:
    ticket = ticket_at(world, T0)
    recording = attach(ticket, unique_content("late"), T0)
    with time_machine.travel(T0 + timedelta(days=731), tick=False):
        purge = attachment_delete(attachment=recording, actor=world.system_admin, reason="诉求人申请删除录音")
        assert purge.file_removed_at == timezone.now()
    assert (purge.trigger, purge.purged_by, purge.keep_days, purge.reason) == (
        PurgeTrigger.REQUEST,
        world.system_admin,
        730,
        "诉求人申请删除录音",
    )
    assert not attachment_path(recording.sha256).exists()
    assert list(ticket.attachments.all()) == [recording]
    [entry] = _audit(recording)
    assert (entry.result, entry.detail["sha256"], entry.detail["keep_days"]) == ("success", recording.sha256, 730)
    with pytest.raises(AttachmentAlreadyPurged, match=r"已于 .* 由系统管理员删除"):
        attachment_delete(attachment=recording, actor=world.system_admin, reason="再删一次")
