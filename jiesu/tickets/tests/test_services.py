"""Verb services: the facts each event sets, and the follow-ups they trigger."""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, EventKind, Satisfaction, TicketStatus
from jiesu.tickets.errors import ActionForbidden, TicketInvalid
from jiesu.tickets.models import Attachment, Ticket, TicketEvent, TicketUnit
from jiesu.tickets.services import assessment, callbacks, dispatch, handling
from jiesu.tickets.services.actions import ActionInput, ticket_perform
from jiesu.tickets.services.attachments import attachment_path, attachment_store
from jiesu.tickets.tests.helpers import new_ticket, ticket_in


@pytest.mark.django_db
def test_dispatch_records_lead_and_assisting_units(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.TRIAGED)
    dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.township, assisting_units=[world.office])
    ticket.refresh_from_db()
    assert ticket.lead_unit == world.township and ticket.dispatched_at is not None
    roles = set(TicketUnit.objects.filter(ticket=ticket, is_active=True).values_list("unit__name", "role"))
    assert roles == {("望京街道", "lead"), ("社会救助处", "assisting")}


@pytest.mark.django_db
def test_a_district_forwards_only_below_itself(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.TRIAGED)
    dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.district)
    dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.district_staff)
    with pytest.raises(TicketInvalid, match="下级单位"):
        dispatch.ticket_forward(ticket=ticket, actor=world.district_staff, lead_unit=world.other_township)
    dispatch.ticket_forward(ticket=ticket, actor=world.district_staff, lead_unit=world.township)
    assert ticket.status == TicketStatus.DISPATCHED and ticket.lead_unit == world.township


@pytest.mark.django_db
def test_units_cannot_act_on_tickets_of_other_units(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.DISPATCHED)
    with pytest.raises(ActionForbidden):
        dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.other_staff)
    with pytest.raises(ActionForbidden):
        dispatch.ticket_acknowledge(ticket=new_ticket(world), actor=world.township_staff)
    with pytest.raises(ActionForbidden):
        dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.agent)  # the center is not the unit


@pytest.mark.django_db
def test_read_only_and_admin_roles_cannot_move_tickets(world: World) -> None:
    for user in (world.leader, world.analyst, world.system_admin, world.audit_admin, world.outsider):
        with pytest.raises(ActionForbidden):
            dispatch.ticket_acknowledge(ticket=new_ticket(world), actor=user)


@pytest.mark.django_db
def test_a_dissatisfied_callback_starts_rework_with_the_same_unit(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    answers = callbacks.CallbackAnswers(contacted=True, resolved=True, satisfaction=Satisfaction.DISSATISFIED)
    callbacks.ticket_callback(ticket=ticket, actor=world.callback_agent, answers=answers)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.HANDLING and ticket.rework_count == 1
    assert ticket.lead_unit == world.township and ticket.closed_at is None
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.CALLBACK_RECORDED, EventKind.REWORK]


@pytest.mark.django_db
def test_a_resolved_and_satisfied_callback_keeps_the_ticket_closed(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    answers = callbacks.CallbackAnswers(contacted=True, resolved=True, satisfaction=Satisfaction.FAIRLY_SATISFIED)
    callbacks.ticket_callback(ticket=ticket, actor=world.callback_agent, answers=answers)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert (ticket.callback_resolved, ticket.callback_satisfaction) == (True, Satisfaction.FAIRLY_SATISFIED)


@pytest.mark.django_db
def test_an_unresolved_self_handled_ticket_goes_back_to_triage(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED, self_handled=True)
    answers = callbacks.CallbackAnswers(contacted=True, resolved=False, satisfaction=Satisfaction.SATISFIED)
    callbacks.ticket_callback(ticket=ticket, actor=world.callback_agent, answers=answers)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.TRIAGED and not ticket.is_direct_answer


@pytest.mark.django_db
def test_extension_approval_moves_the_reply_deadline(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    until = timezone.now() + timedelta(days=30)
    handling.ticket_extension_request(ticket=ticket, actor=world.township_staff, until=until, reason="需协调多部门")
    with pytest.raises(Exception, match="已有待审批的延期申请"):
        handling.ticket_extension_request(ticket=ticket, actor=world.township_staff, until=until, reason="再次")
    handling.ticket_extension_decide(ticket=ticket, actor=world.shift_lead, approve=True)
    ticket.refresh_from_db()
    assert ticket.reply_due_at == until and not ticket.extension_pending


@pytest.mark.django_db
def test_suspension_stops_the_clock_and_resume_returns_to_handling(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    Ticket.objects.filter(pk=ticket.pk).update(reply_due_at=timezone.now() + timedelta(days=7))
    ticket.refresh_from_db()
    due = ticket.reply_due_at
    handling.ticket_suspend(ticket=ticket, actor=world.shift_lead, reason="等待鉴定结果")
    Ticket.objects.filter(pk=ticket.pk).update(suspended_at=timezone.now() - timedelta(hours=5))
    ticket.refresh_from_db()
    handling.ticket_resume(ticket=ticket, actor=world.shift_lead)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.HANDLING
    assert ticket.paused_seconds >= 5 * 3600
    assert ticket.reply_due_at is not None and due is not None
    assert ticket.reply_due_at - due >= timedelta(hours=5)


@pytest.mark.django_db
def test_an_approved_exclusion_sets_the_assessment_scope(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    assessment.ticket_exclusion_request(
        ticket=ticket,
        actor=world.township_staff,
        reason_code="legal_channel",
        scope=AssessmentScope.RESPONSE_ONLY,
        reason="已进入诉讼程序",
    )
    assessment.ticket_exclusion_decide(ticket=ticket, actor=world.shift_lead, approve=True)
    ticket.refresh_from_db()
    assert ticket.assessment_scope == AssessmentScope.RESPONSE_ONLY and ticket.exclusion_reason_code == "legal_channel"


@pytest.mark.django_db
def test_attachments_are_content_addressed_and_never_overwritten(world: World) -> None:
    ticket = new_ticket(world)
    first = attachment_store(
        ticket=ticket, stream=io.BytesIO(b"photo-bytes"), original_name="a.jpg", content_type="image/jpeg", actor=None
    )
    path = attachment_path(first.sha256)
    mtime = path.stat().st_mtime_ns
    second = attachment_store(
        ticket=ticket, stream=io.BytesIO(b"photo-bytes"), original_name="b.jpg", content_type="image/jpeg", actor=None
    )
    assert first.sha256 == second.sha256 and path.read_bytes() == b"photo-bytes"
    assert path.stat().st_mtime_ns == mtime
    assert first.kind == "photo"


@pytest.mark.django_db
def test_an_action_and_its_files_are_stored_together_or_not_at_all(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    reply = ActionInput(text="已维修")

    def upload(name: str, content: bytes) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type="image/png")

    def perform(actor: User, *files: SimpleUploadedFile) -> TicketEvent:
        fresh = Ticket.objects.get(pk=ticket.pk)
        return ticket_perform(ticket=fresh, action="replied", actor=actor, data=reply, uploads=files)

    receipt = f"receipt-{uuid.uuid4()}".encode()  # files outlive the test's rollback: content of its own
    with pytest.raises(ActionForbidden):  # a refused action stores no file
        perform(world.other_staff, upload("回执.png", receipt))
    with pytest.raises(TicketInvalid, match="空文件"):  # a refused file undoes the action
        perform(world.township_staff, upload("回执.png", receipt), upload("空.png", b""))
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.HANDLING
    assert not Attachment.objects.exists() and not ticket.events.filter(kind=EventKind.REPLIED).exists()
    event = perform(world.township_staff, upload("回执.png", receipt))
    stored = Attachment.objects.get()
    assert stored.event == event and stored.original_name == "回执.png" and stored.uploaded_by == world.township_staff
