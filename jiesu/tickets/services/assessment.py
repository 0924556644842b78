"""Assessment scope: exclusion requests (剔除), unreasonable-appeal designations (不合理诉求认定)
and sector confirmation (行业工单确认).

A request is one ExclusionRequest row written with its request event; the center's decision
(查是 / 查否) completes the row with the decision event. Ticket.exclusion_pending mirrors "has a
pending request" for the home queues and the workflow guards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.tickets.choices import AssessmentScope, EventKind, ExclusionDecision, ExclusionKind, SectorAnswer, Stage
from jiesu.tickets.errors import GuardFailed, TicketInvalid
from jiesu.tickets.models import ExclusionReason, ExclusionRequest, Ticket, TicketEvent
from jiesu.tickets.selectors_exclusions import exclusion_reason_in_force
from jiesu.tickets.services.attachments import attachment_store_upload
from jiesu.tickets.services.deadlines import sector_entry, ticket_facts
from jiesu.tickets.services.transitions import ticket_transition

EXCLUDABLE_SCOPES = (AssessmentScope.EXCLUDED, AssessmentScope.RESPONSE_ONLY)

REQUESTED = {
    ExclusionKind.EXCLUSION: EventKind.EXCLUSION_REQUESTED,
    ExclusionKind.UNREASONABLE: EventKind.UNREASONABLE_REQUESTED,
}
APPROVED = {
    ExclusionKind.EXCLUSION: EventKind.EXCLUSION_APPROVED,
    ExclusionKind.UNREASONABLE: EventKind.UNREASONABLE_APPROVED,
}
REJECTED = {
    ExclusionKind.EXCLUSION: EventKind.EXCLUSION_REJECTED,
    ExclusionKind.UNREASONABLE: EventKind.UNREASONABLE_REJECTED,
}
KIND_OF_EVENT = {event: kind for table in (REQUESTED, APPROVED, REJECTED) for kind, event in table.items()}


@dataclass(frozen=True)
class AssessmentRequest:
    """What a unit sends: the reason code of the list in force, the scope it asks for (blank: the
    reason's default), its statement and the evidence files."""

    kind: str
    reason_code: str
    statement: str
    scope: str = ""
    evidence: Sequence[UploadedFile] = ()


def _reason_for(*, ticket: Ticket, request: AssessmentRequest, at: datetime) -> ExclusionReason:
    code = request.reason_code.strip()
    kind_label = ExclusionKind(request.kind).label
    if not code:
        raise TicketInvalid("请选择剔除原因" if request.kind == ExclusionKind.EXCLUSION else "请选择认定依据")
    today = timezone.localdate(at)
    reason = exclusion_reason_in_force(kind=request.kind, code=code, on=today)
    if reason is None:
        raise TicketInvalid(f"「{code}」不在 {today:%Y-%m-%d} 有效的{kind_label}原因清单中", field="reason_code")
    if reason.request_within_days is not None and ticket.closed_at is not None:
        last_day = timezone.localdate(ticket.closed_at) + timedelta(days=reason.request_within_days)
        if today > last_day:
            raise TicketInvalid(
                f"「{reason.label}」须在办结后 {reason.request_within_days} 天内申请，"
                f"最后申请日期为 {last_day:%Y-%m-%d}，已超过期限",
                field="reason_code",
            )
    if reason.evidence_required and not request.evidence:
        raise TicketInvalid(f"「{reason.label}」须上传佐证材料", field="evidence")
    return reason


@transaction.atomic
def ticket_assessment_request(
    *, ticket: Ticket, actor: User | None, request: AssessmentRequest, at: datetime | None = None
) -> ExclusionRequest:
    """File an exclusion or unreasonable-appeal request: the event, its row and its evidence
    together, so a refused file leaves no request behind."""
    if request.kind not in ExclusionKind.values:
        raise TicketInvalid("申请类别无效")
    at = at or timezone.now()
    reason = _reason_for(ticket=ticket, request=request, at=at)
    scope = request.scope or reason.default_scope
    if scope not in EXCLUDABLE_SCOPES:
        raise TicketInvalid("申请的考核范围必须是「不纳入考核」或「只考核响应率」", field="scope")
    event = ticket_transition(
        ticket=ticket,
        event=REQUESTED[ExclusionKind(request.kind)],
        actor=actor,
        reason=request.statement,
        occurred_at=at,
        payload={"reason_code": reason.code, "scope": scope},
        changes={"exclusion_pending": True},
    )
    row = ExclusionRequest.objects.create(
        ticket=ticket,
        kind=request.kind,
        reason_code=reason.code,
        scope=scope,
        statement=request.statement.strip(),
        submitted_at=at,
        submitted_by=actor,
        request_event=event,
    )
    for upload in request.evidence:
        attachment_store_upload(ticket=ticket, upload=upload, actor=actor, event=event)
    return row


def ticket_exclusion_request(
    *,
    ticket: Ticket,
    actor: User | None,
    reason_code: str,
    reason: str,
    scope: str = "",
    evidence: Sequence[UploadedFile] = (),
) -> TicketEvent:
    """申请剔除 (the workflow action); `reason` is the unit's statement."""
    request = AssessmentRequest(ExclusionKind.EXCLUSION, reason_code, reason, scope, evidence)
    return ticket_assessment_request(ticket=ticket, actor=actor, request=request).request_event


def ticket_unreasonable_request(
    *,
    ticket: Ticket,
    actor: User | None,
    reason_code: str,
    reason: str,
    scope: str = "",
    evidence: Sequence[UploadedFile] = (),
) -> TicketEvent:
    """申请认定不合理诉求 (the workflow action)."""
    request = AssessmentRequest(ExclusionKind.UNREASONABLE, reason_code, reason, scope, evidence)
    return ticket_assessment_request(ticket=ticket, actor=actor, request=request).request_event


def _adopt_legacy_request(ticket: Ticket) -> ExclusionRequest | None:
    """A request filed before requests had rows (or copied in by the ledger importer): the newest
    request event without a row becomes one, so it is decided like any other."""
    event = (
        TicketEvent.objects.filter(ticket=ticket, kind__in=list(REQUESTED.values()), exclusion_request__isnull=True)
        .order_by("-occurred_at", "-id")
        .first()
    )
    if event is None:
        return None
    scope = event.payload.get("scope") or AssessmentScope.EXCLUDED
    return ExclusionRequest.objects.create(
        ticket=ticket,
        kind=KIND_OF_EVENT[EventKind(event.kind)],
        reason_code=str(event.payload.get("reason_code", "")),
        scope=scope if scope in EXCLUDABLE_SCOPES else AssessmentScope.EXCLUDED,
        statement=event.reason,
        submitted_at=event.occurred_at,
        submitted_by=event.actor,
        request_event=event,
    )


def pending_request_of(ticket: Ticket) -> ExclusionRequest | None:
    """The pending request of `ticket`, locked for the decision (adopting a legacy one)."""
    found = ExclusionRequest.objects.select_for_update().filter(ticket=ticket, decision=ExclusionDecision.PENDING)
    return found.first() or (_adopt_legacy_request(ticket) if ticket.exclusion_pending else None)


def _decision_changes(request: ExclusionRequest, approve: bool) -> dict[str, object]:
    changes: dict[str, object] = {"exclusion_pending": False}
    if approve:
        changes["assessment_scope"] = request.scope
        changes["exclusion_reason_code"] = request.reason_code
        if request.kind == ExclusionKind.UNREASONABLE:
            changes["is_unreasonable"] = True
    return changes


def _record_decision(
    *, request: ExclusionRequest, ticket: Ticket, actor: User | None, approve: bool, note: str, at: datetime
) -> TicketEvent:
    if request.decision != ExclusionDecision.PENDING:
        raise GuardFailed(f"该申请已审核（{ExclusionDecision(request.decision).label}），不能重复审核")
    kind = ExclusionKind(request.kind)
    event = ticket_transition(
        ticket=ticket,
        event=APPROVED[kind] if approve else REJECTED[kind],
        actor=actor,
        reason=note,
        occurred_at=at,
        payload={
            "request_event_id": request.request_event_id,
            "reason_code": request.reason_code,
            "scope": request.scope,
        },
        changes=_decision_changes(request, approve),
    )
    request.decision = ExclusionDecision.APPROVED if approve else ExclusionDecision.REJECTED
    request.decided_at = at
    request.reviewer = actor
    request.decision_note = note.strip()
    request.decision_event = event
    request.save(update_fields=["decision", "decided_at", "reviewer", "decision_note", "decision_event"])
    return event


@transaction.atomic
def exclusion_request_decide(
    *, request: ExclusionRequest, actor: User | None, approve: bool, note: str = "", at: datetime | None = None
) -> ExclusionRequest:
    """查是 / 查否 from the review queue or the API. Approval sets the ticket's assessment scope
    (and the unreasonable flag for a designation); rejection leaves the scope as it was."""
    request = ExclusionRequest.objects.select_for_update().select_related("ticket").get(pk=request.pk)
    _record_decision(
        request=request, ticket=request.ticket, actor=actor, approve=approve, note=note, at=at or timezone.now()
    )
    return request


def _decide_on_ticket(*, ticket: Ticket, actor: User | None, kind: str, approve: bool, reason: str) -> TicketEvent:
    request = pending_request_of(ticket)
    if request is None:
        raise GuardFailed("没有待审核的剔除或不合理诉求申请")
    if request.kind != kind:
        raise GuardFailed(f"该工单待审核的是「{ExclusionKind(request.kind).label}」申请，请按其类别审核")
    # The caller's ticket instance: its version is the one the decision was made on.
    return _record_decision(
        request=request, ticket=ticket, actor=actor, approve=approve, note=reason, at=timezone.now()
    )


@transaction.atomic
def ticket_exclusion_decide(*, ticket: Ticket, actor: User | None, approve: bool, reason: str = "") -> TicketEvent:
    """剔除查是 / 查否 from the ticket page."""
    return _decide_on_ticket(ticket=ticket, actor=actor, kind=ExclusionKind.EXCLUSION, approve=approve, reason=reason)


@transaction.atomic
def ticket_unreasonable_decide(*, ticket: Ticket, actor: User | None, approve: bool, reason: str = "") -> TicketEvent:
    """不合理诉求查是 / 查否 from the ticket page."""
    return _decide_on_ticket(
        ticket=ticket, actor=actor, kind=ExclusionKind.UNREASONABLE, approve=approve, reason=reason
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
