"""One entry point for every ticket action, shared by the API and the web pages.

Each action takes an `ActionInput` (what a form or a JSON body carries) and calls its verb
service; the verb service calls `ticket_transition`. Interfaces stay thin and agree exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from jiesu.orgs.models import Unit, User
from jiesu.tickets.choices import CallbackOutcome, EventKind
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import Category, Ticket, TicketEvent
from jiesu.tickets.services import assessment, callbacks, dispatch, handling, intake, oversight
from jiesu.tickets.services.attachments import attachment_store_upload


@dataclass
class ActionInput:
    reason: str = ""
    text: str = ""
    lead_unit_id: int | None = None
    assisting_unit_ids: list[int] = field(default_factory=list)
    category_id: int | None = None
    kind: str | None = None
    urgency: str | None = None
    is_complex: bool | None = None
    until: datetime | None = None
    approve: bool | None = None
    decision: str = ""
    reached: bool = True
    contacted: bool | None = None
    resolved: bool | None = None
    satisfaction: str = ""
    is_valid: bool = True
    outcome: str = ""  # a callback attempt's CallbackOutcome
    master_number: str = ""
    reason_code: str = ""
    scope: str = ""
    answer: str = ""
    elements: list[str] = field(default_factory=list)  # reply elements the reply covers
    evidence: list[UploadedFile] = field(default_factory=list)  # files of an exclusion request


def _unit(pk: int | None) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise TicketInvalid(f"单位不存在：{pk}")
    return unit


def _units(pks: list[int]) -> list[Unit]:
    units = list(Unit.objects.filter(pk__in=pks))
    if len(units) != len(set(pks)):
        raise TicketInvalid("协办单位中有不存在的单位")
    return units


def _required(value: bool | None, label: str) -> bool:
    if value is None:
        raise TicketInvalid(f"请选择{label}")
    return value


def _category(pk: int | None) -> Category | None:
    if pk is None:
        return None
    category = Category.objects.filter(pk=pk).first()
    if category is None:
        raise TicketInvalid(f"问题分类不存在：{pk}")
    return category


def _merge(t: Ticket, a: User | None, i: ActionInput) -> TicketEvent:
    master = Ticket.objects.filter(number=i.master_number.strip()).first()
    if master is None:
        raise TicketInvalid(f"主工单不存在：{i.master_number}")
    intake.ticket_merge(ticket=t, master=master, actor=a, reason=i.reason)
    return t.events.order_by("-id").first()  # type: ignore[return-value]


def _answers(i: ActionInput) -> callbacks.CallbackAnswers:
    return callbacks.CallbackAnswers(
        contacted=_required(i.contacted, "是否联系"),
        resolved=_required(i.resolved, "是否解决"),
        satisfaction=i.satisfaction,
        is_valid=i.is_valid,
        note=i.reason,
    )


def _callback(t: Ticket, a: User | None, i: ActionInput) -> TicketEvent:
    """Answers recorded directly are a reached call: logged as an attempt like any other."""
    attempt = callbacks.ticket_callback_attempt(
        ticket=t, actor=a, outcome=CallbackOutcome.REACHED, note=i.reason, answers=_answers(i)
    )
    return attempt.event  # type: ignore[return-value]


def _callback_attempt(t: Ticket, a: User | None, i: ActionInput) -> TicketEvent:
    reached = i.outcome == CallbackOutcome.REACHED
    attempt = callbacks.ticket_callback_attempt(
        ticket=t, actor=a, outcome=i.outcome, note=i.reason, answers=_answers(i) if reached else None
    )
    return attempt.event  # type: ignore[return-value]


def _until(i: ActionInput) -> datetime:
    if i.until is None:
        raise TicketInvalid("请填写申请的新时限")
    return i.until


Action = Callable[[Ticket, User | None, ActionInput], TicketEvent]
E = EventKind

ACTIONS: dict[str, Action] = {
    E.ACKNOWLEDGED: lambda t, a, i: dispatch.ticket_acknowledge(ticket=t, actor=a),
    E.CONTACTED: lambda t, a, i: handling.ticket_contact(ticket=t, actor=a, reached=i.reached, note=i.reason),
    E.TRIAGED: lambda t, a, i: dispatch.ticket_triage(
        ticket=t,
        actor=a,
        category=_category(i.category_id),
        kind=i.kind or None,
        urgency=i.urgency or None,
        is_complex=i.is_complex,
        note=i.reason,
    ),
    E.SELF_HANDLED: lambda t, a, i: handling.ticket_self_handle(ticket=t, actor=a, answer=i.text, elements=i.elements),
    E.DISPATCHED: lambda t, a, i: dispatch.ticket_dispatch(
        ticket=t, actor=a, lead_unit=_unit(i.lead_unit_id), assisting_units=_units(i.assisting_unit_ids), note=i.reason
    ),
    E.FORWARDED: lambda t, a, i: dispatch.ticket_forward(
        ticket=t, actor=a, lead_unit=_unit(i.lead_unit_id), note=i.reason
    ),
    E.REDISPATCHED: lambda t, a, i: dispatch.ticket_redispatch(
        ticket=t,
        actor=a,
        lead_unit=_unit(i.lead_unit_id),
        assisting_units=_units(i.assisting_unit_ids),
        reason=i.reason,
    ),
    E.UNIT_ACKNOWLEDGED: lambda t, a, i: dispatch.ticket_unit_acknowledge(ticket=t, actor=a),
    E.RETURN_REQUESTED: lambda t, a, i: dispatch.ticket_return_request(ticket=t, actor=a, reason=i.reason),
    E.RETURN_APPROVED: lambda t, a, i: dispatch.ticket_return_decide(
        ticket=t, actor=a, decision="triage", reason=i.reason
    ),
    E.RETURNED_TO_CITY: lambda t, a, i: dispatch.ticket_return_decide(
        ticket=t, actor=a, decision="city", reason=i.reason
    ),
    E.RETURN_REJECTED: lambda t, a, i: dispatch.ticket_return_decide(
        ticket=t, actor=a, decision="reject", reason=i.reason
    ),
    E.URGED: lambda t, a, i: oversight.ticket_urge(ticket=t, actor=a, note=i.reason),
    E.SUPERVISED: lambda t, a, i: oversight.ticket_supervise(ticket=t, actor=a, reason=i.reason),
    E.EXTENSION_REQUESTED: lambda t, a, i: handling.ticket_extension_request(
        ticket=t, actor=a, until=_until(i), reason=i.reason
    ),
    E.EXTENSION_APPROVED: lambda t, a, i: handling.ticket_extension_decide(
        ticket=t, actor=a, approve=True, reason=i.reason, until=i.until
    ),
    E.EXTENSION_REJECTED: lambda t, a, i: handling.ticket_extension_decide(
        ticket=t, actor=a, approve=False, reason=i.reason
    ),
    E.SUSPENDED: lambda t, a, i: handling.ticket_suspend(ticket=t, actor=a, reason=i.reason),
    E.RESUMED: lambda t, a, i: handling.ticket_resume(ticket=t, actor=a, reason=i.reason),
    E.REPLIED: lambda t, a, i: handling.ticket_reply(ticket=t, actor=a, text=i.text, elements=i.elements),
    E.CLOSED: lambda t, a, i: handling.ticket_review(ticket=t, actor=a, accept=True, reason=i.reason),
    E.REPLY_SENT_BACK: lambda t, a, i: handling.ticket_review(ticket=t, actor=a, accept=False, reason=i.reason),
    E.CALLBACK_RECORDED: _callback,
    E.CALLBACK_ATTEMPTED: _callback_attempt,
    E.REWORK: lambda t, a, i: callbacks.ticket_rework(ticket=t, actor=a, reason=i.reason),
    E.REOPENED: lambda t, a, i: callbacks.ticket_rework(ticket=t, actor=a, reason=i.reason),
    E.MERGED: _merge,
    E.EXCLUSION_REQUESTED: lambda t, a, i: assessment.ticket_exclusion_request(
        ticket=t, actor=a, reason_code=i.reason_code, scope=i.scope, reason=i.reason, evidence=i.evidence
    ),
    E.EXCLUSION_APPROVED: lambda t, a, i: assessment.ticket_exclusion_decide(
        ticket=t, actor=a, approve=True, reason=i.reason
    ),
    E.EXCLUSION_REJECTED: lambda t, a, i: assessment.ticket_exclusion_decide(
        ticket=t, actor=a, approve=False, reason=i.reason
    ),
    E.UNREASONABLE_REQUESTED: lambda t, a, i: assessment.ticket_unreasonable_request(
        ticket=t, actor=a, reason_code=i.reason_code, scope=i.scope, reason=i.reason, evidence=i.evidence
    ),
    E.UNREASONABLE_APPROVED: lambda t, a, i: assessment.ticket_unreasonable_decide(
        ticket=t, actor=a, approve=True, reason=i.reason
    ),
    E.UNREASONABLE_REJECTED: lambda t, a, i: assessment.ticket_unreasonable_decide(
        ticket=t, actor=a, approve=False, reason=i.reason
    ),
    E.SECTOR_PUSHED: lambda t, a, i: assessment.ticket_sector_push(ticket=t, actor=a),
    E.SECTOR_CONFIRMED: lambda t, a, i: assessment.ticket_sector_confirm(
        ticket=t, actor=a, answer=i.answer, reason=i.reason
    ),
    E.NOTE_ADDED: lambda t, a, i: oversight.ticket_note(ticket=t, actor=a, text=i.reason),
}


EVIDENCE_ACTIONS = frozenset({E.EXCLUSION_REQUESTED, E.UNREASONABLE_REQUESTED})


@transaction.atomic
def ticket_perform(
    *, ticket: Ticket, action: str, actor: User | None, data: ActionInput, uploads: Sequence[UploadedFile] = ()
) -> TicketEvent:
    """The action, then the files sent with it (a reply's attachments) attached to its event, in
    one transaction: a refused action stores no file record, and a refused file undoes the action."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise TicketInvalid(f"不支持的操作：{action}")
    if action in EVIDENCE_ACTIONS:
        # The request service checks and stores its evidence itself (some reasons require it).
        data, uploads = replace(data, evidence=[*data.evidence, *uploads]), ()
    event = handler(ticket, actor, data)
    for upload in uploads:
        attachment_store_upload(ticket=ticket, upload=upload, actor=actor, event=event)
    return event
