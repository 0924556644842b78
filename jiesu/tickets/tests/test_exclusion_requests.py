"""Exclusion requests and unreasonable-appeal designations: rows, rules of the reason list,
evidence, decisions and the pending flag."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, EventKind, ExclusionDecision, ExclusionKind, TicketStatus
from jiesu.tickets.errors import ActionForbidden, GuardFailed, TicketInvalid
from jiesu.tickets.models import Attachment, ExclusionReason, ExclusionRequest, Ticket, TicketEvent
from jiesu.tickets.services import assessment
from jiesu.tickets.services.actions import ActionInput, ticket_perform
from jiesu.tickets.services.transitions import ticket_transition
from jiesu.tickets.tests.helpers import ticket_in

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def evidence(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def request_exclusion(
    world: World, ticket: Ticket, code: str = "repeat", *, scope: str = "", evidence: Sequence[UploadedFile] = ()
) -> TicketEvent:
    return assessment.ticket_exclusion_request(
        ticket=ticket,
        actor=world.township_staff,
        reason_code=code,
        reason="诉求人重复来电，无新情况",
        scope=scope,
        evidence=evidence,
    )


def test_a_request_writes_its_row_with_the_event_and_takes_the_reasons_default_scope(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    event = request_exclusion(world, ticket)
    row = ExclusionRequest.objects.get(ticket=ticket)
    assert row.request_event == event and event.kind == EventKind.EXCLUSION_REQUESTED
    assert (row.kind, row.reason_code, row.scope) == (ExclusionKind.EXCLUSION, "repeat", AssessmentScope.RESPONSE_ONLY)
    assert (row.decision, row.submitted_by, row.statement) == (
        ExclusionDecision.PENDING,
        world.township_staff,
        "诉求人重复来电，无新情况",
    )
    assert Ticket.objects.get(pk=ticket.pk).exclusion_pending


def test_a_code_not_in_force_on_the_request_day_is_refused(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    ExclusionReason.objects.filter(kind=ExclusionKind.EXCLUSION, code="repeat").update(
        effective_to=timezone.localdate()
    )
    with pytest.raises(TicketInvalid, match=r"不在 .* 有效的剔除（考核申诉）原因清单中"):
        request_exclusion(world, ticket)
    with pytest.raises(TicketInvalid, match="有效的"):
        request_exclusion(world, ticket, code="illegal_demand")  # an unreasonable-appeal code
    assert not ExclusionRequest.objects.exists()
    assert not Ticket.objects.get(pk=ticket.pk).exclusion_pending


def test_the_request_window_counts_from_closing_and_names_the_last_day(world: World) -> None:
    ExclusionReason.objects.filter(code="repeat").update(request_within_days=5)
    ticket = ticket_in(world, TicketStatus.CLOSED)
    assert ticket.closed_at is not None
    last_day = timezone.localdate(ticket.closed_at) + timedelta(days=5)
    with time_machine.travel(ticket.closed_at + timedelta(days=6), tick=False), pytest.raises(TicketInvalid) as refused:
        request_exclusion(world, Ticket.objects.get(pk=ticket.pk))
    assert f"最后申请日期为 {last_day:%Y-%m-%d}" in refused.value.message
    with time_machine.travel(ticket.closed_at + timedelta(days=4), tick=False):
        request_exclusion(world, Ticket.objects.get(pk=ticket.pk))
    assert ExclusionRequest.objects.filter(ticket=ticket).count() == 1


def test_required_evidence_is_enforced_and_stored_on_the_request_event(world: World) -> None:
    ExclusionReason.objects.filter(code="legal_channel").update(evidence_required=True)
    ticket = ticket_in(world, TicketStatus.HANDLING)
    with pytest.raises(TicketInvalid, match="须上传佐证材料"):
        request_exclusion(world, ticket, code="legal_channel")
    event = request_exclusion(world, ticket, code="legal_channel", evidence=[evidence(), evidence("判决书.jpg")])
    names = sorted(Attachment.objects.filter(event=event).values_list("original_name", flat=True))
    assert names == ["判决书.jpg", "证明.pdf"]


def test_evidence_sent_through_ticket_perform_is_checked_by_the_request(world: World) -> None:
    ExclusionReason.objects.filter(code="legal_channel").update(evidence_required=True)
    ticket = ticket_in(world, TicketStatus.HANDLING)
    data = ActionInput(reason="已起诉", reason_code="legal_channel")
    with pytest.raises(TicketInvalid):
        ticket_perform(ticket=ticket, action=EventKind.EXCLUSION_REQUESTED, actor=world.township_staff, data=data)
    ticket = Ticket.objects.get(pk=ticket.pk)
    event = ticket_perform(
        ticket=ticket, action=EventKind.EXCLUSION_REQUESTED, actor=world.township_staff, data=data, uploads=[evidence()]
    )
    assert Attachment.objects.filter(event=event).count() == 1
    assert Attachment.objects.filter(ticket=ticket).count() == 1  # stored once, not again by ticket_perform


def test_approval_sets_the_scope_and_completes_the_row(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    request_exclusion(world, ticket, scope=AssessmentScope.EXCLUDED)
    event = assessment.ticket_exclusion_decide(ticket=ticket, actor=world.shift_lead, approve=True, reason="属实")
    row = ExclusionRequest.objects.get(ticket=ticket)
    assert (row.decision, row.reviewer, row.decision_note, row.decision_event) == (
        ExclusionDecision.APPROVED,
        world.shift_lead,
        "属实",
        event,
    )
    assert row.decided_at == event.occurred_at
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.assessment_scope, stored.exclusion_reason_code) == (AssessmentScope.EXCLUDED, "repeat")
    assert not stored.exclusion_pending and not stored.is_unreasonable


def test_rejection_leaves_the_scope_as_it_was(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    request_exclusion(world, ticket)
    assessment.ticket_exclusion_decide(ticket=ticket, actor=world.shift_lead, approve=False, reason="理由不充分")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.assessment_scope, stored.exclusion_pending) == (AssessmentScope.FULL, False)
    assert ExclusionRequest.objects.get(ticket=ticket).decision == ExclusionDecision.REJECTED


def test_an_unreasonable_designation_sets_the_flag_and_the_scope(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    event = assessment.ticket_unreasonable_request(
        ticket=ticket, actor=world.township_staff, reason_code="beyond_policy", reason="要求超出政策"
    )
    assert event.kind == EventKind.UNREASONABLE_REQUESTED
    with pytest.raises(GuardFailed, match="不合理诉求认定"):
        assessment.ticket_exclusion_decide(ticket=ticket, actor=world.shift_lead, approve=True)
    decided = assessment.ticket_unreasonable_decide(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=world.shift_lead, approve=True
    )
    assert decided.kind == EventKind.UNREASONABLE_APPROVED
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.is_unreasonable and stored.assessment_scope == AssessmentScope.RESPONSE_ONLY


def test_only_one_request_may_be_pending_whatever_its_kind(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    request_exclusion(world, ticket)
    with pytest.raises(GuardFailed, match="已有待审核的剔除或不合理诉求申请"):
        assessment.ticket_unreasonable_request(
            ticket=Ticket.objects.get(pk=ticket.pk), actor=world.township_staff, reason_code="other", reason="无理"
        )


def test_the_queue_decision_refuses_a_second_decision(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    request_exclusion(world, ticket)
    row = ExclusionRequest.objects.get(ticket=ticket)
    assessment.exclusion_request_decide(request=row, actor=world.shift_lead, approve=True)
    with pytest.raises(GuardFailed, match="该申请已审核"):
        assessment.exclusion_request_decide(request=row, actor=world.shift_lead, approve=False, note="改判")


def test_units_request_and_the_center_decides(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    with pytest.raises(ActionForbidden):
        assessment.ticket_exclusion_request(
            ticket=ticket, actor=world.other_staff, reason_code="repeat", reason="不是我们的工单"
        )
    request_exclusion(world, ticket)
    row = ExclusionRequest.objects.get(ticket=ticket)
    with pytest.raises(ActionForbidden):
        assessment.exclusion_request_decide(request=row, actor=world.township_staff, approve=True)
    assert ExclusionRequest.objects.get(pk=row.pk).decision == ExclusionDecision.PENDING


def test_a_request_made_before_rows_existed_is_decided_from_its_event(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    # What older code and the ledger importer left behind: the event and the flag, no row.
    ticket_transition(
        ticket=ticket,
        event=EventKind.EXCLUSION_REQUESTED,
        actor=world.township_staff,
        reason="旧申请",
        payload={"reason_code": "emergency", "scope": AssessmentScope.EXCLUDED},
        changes={"exclusion_pending": True},
    )
    assessment.ticket_exclusion_decide(ticket=ticket, actor=world.shift_lead, approve=True)
    row = ExclusionRequest.objects.get(ticket=ticket)
    assert (row.reason_code, row.statement, row.decision) == ("emergency", "旧申请", ExclusionDecision.APPROVED)
    assert Ticket.objects.get(pk=ticket.pk).assessment_scope == AssessmentScope.EXCLUDED


def test_a_refused_evidence_file_leaves_no_request(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    with pytest.raises(DomainError):
        request_exclusion(world, ticket, evidence=[SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")])
    assert not ExclusionRequest.objects.exists()
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.EXCLUSION_REQUESTED).exists()
    assert not Ticket.objects.get(pk=ticket.pk).exclusion_pending


def test_reason_versions_apply_by_the_request_date(world: World) -> None:
    ExclusionReason.objects.filter(code="repeat", kind=ExclusionKind.EXCLUSION).update(effective_to=date(2026, 1, 1))
    ExclusionReason.objects.create(
        kind=ExclusionKind.EXCLUSION,
        code="repeat",
        label="重复诉求（新口径）",
        default_scope=AssessmentScope.EXCLUDED,
        effective_from=date(2026, 1, 1),
    )
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=BEIJING)):
        ticket = ticket_in(world, TicketStatus.HANDLING)
        request_exclusion(world, ticket)
    assert ExclusionRequest.objects.get(ticket=ticket).scope == AssessmentScope.EXCLUDED
