"""Assessment scope: exclusion requests (剔除) and sector confirmation (行业工单确认)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.tickets.choices import AssessmentScope, EventKind, SectorAnswer, Stage
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.services.deadlines import sector_entry, ticket_facts
from jiesu.tickets.services.transitions import ticket_transition

EXCLUDABLE_SCOPES = (AssessmentScope.EXCLUDED, AssessmentScope.RESPONSE_ONLY)


@transaction.atomic
def ticket_exclusion_request(
    *, ticket: Ticket, actor: User | None, reason_code: str, scope: str, reason: str
) -> TicketEvent:
    if scope not in EXCLUDABLE_SCOPES:
        raise TicketInvalid("申请的考核范围必须是「不纳入考核」或「只考核响应率」")
    if not reason_code.strip():
        raise TicketInvalid("请选择剔除原因")
    return ticket_transition(
        ticket=ticket,
        event=EventKind.EXCLUSION_REQUESTED,
        actor=actor,
        reason=reason,
        payload={"reason_code": reason_code.strip(), "scope": scope},
        changes={"exclusion_pending": True},
    )


@transaction.atomic
def ticket_exclusion_decide(*, ticket: Ticket, actor: User | None, approve: bool, reason: str = "") -> TicketEvent:
    request = (
        TicketEvent.objects.filter(ticket=ticket, kind=EventKind.EXCLUSION_REQUESTED)
        .order_by("-occurred_at", "-id")
        .first()
    )
    payload = request.payload if request is not None else {}
    changes: dict[str, object] = {"exclusion_pending": False}
    if approve:
        changes["assessment_scope"] = payload.get("scope", AssessmentScope.EXCLUDED)
        changes["exclusion_reason_code"] = payload.get("reason_code", "")
    return ticket_transition(
        ticket=ticket,
        event=EventKind.EXCLUSION_APPROVED if approve else EventKind.EXCLUSION_REJECTED,
        actor=actor,
        reason=reason,
        payload={"request_event_id": request.pk if request else None, **payload},
        changes=changes,
    )


@transaction.atomic
def ticket_sector_push(*, ticket: Ticket, actor: User | None, at: datetime | None = None) -> TicketEvent:
    """Ask the handling unit to confirm a sector ticket within the window; the worker confirms
    it as 'yes' once the window has closed (jiesu.tickets.jobs)."""
    at = at or timezone.now()
    entry = sector_entry(facts=ticket_facts(ticket), received_at=ticket.received_at, pushed_at=at)
    due = datetime.fromisoformat(entry["due_at"])
    if due <= at:
        raise TicketInvalid(
            f"该工单所属考核周期（{entry['period']}）的行业确认已于 {due:%Y-%m-%d %H:%M} 截止，不能再推送"
        )
    rules = {**ticket.deadline_rules, Stage.SECTOR_CONFIRMATION.value: entry}
    return ticket_transition(
        ticket=ticket,
        event=EventKind.SECTOR_PUSHED,
        actor=actor,
        occurred_at=at,
        payload={"due_at": due},
        changes={
            "sector_confirmation_pending": True,
            "sector_pushed_at": at,
            "sector_confirmation_due_at": due,
            "deadline_rules": rules,
        },
    )


@transaction.atomic
def ticket_sector_confirm(
    *, ticket: Ticket, actor: User | None, answer: str, automatic: bool = False, reason: str = ""
) -> TicketEvent:
    if answer not in SectorAnswer.values:
        raise TicketInvalid("行业确认结果必须是「是」或「否」")
    due = ticket.sector_confirmation_due_at
    if not automatic and due is not None and timezone.now() >= due:
        raise TicketInvalid(f"行业确认已于 {timezone.localtime(due):%Y-%m-%d %H:%M} 截止，系统将自动确认为「是」")
    return ticket_transition(
        ticket=ticket,
        event=EventKind.SECTOR_CONFIRMED,
        actor=actor,
        reason=reason,
        payload={"answer": answer, "automatic": automatic},
        changes={"sector_confirmation_pending": False, "sector_answer": answer},
    )
