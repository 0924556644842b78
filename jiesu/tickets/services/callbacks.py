"""Callbacks (回访): the calls to the requester after closing, their answers, and rework.

Every call is a `CallbackAttempt`. A reached call carries the answers (a `Callback`); a failed one
writes a CALLBACK_ATTEMPTED event and counts against the attempt limit of the time-limit rule set
(jiesu.sla.callback_rule). Once the limit is reached the callback is closed as "not contacted,
invalid" (a Callback without verdict), so that the ticket leaves the due list and the coverage
counts it as done; the rates ignore it, as they count valid callbacks only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jiesu.notify.services import notification_enqueue
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.selectors import users_with_role
from jiesu.sla.callback_rule import CallbackAttemptRule, callback_attempt_rule, callback_attempts_exhausted
from jiesu.tickets.choices import CallbackOutcome, EventKind, Satisfaction, Stage, TicketStatus
from jiesu.tickets.errors import GuardFailed, TicketInvalid
from jiesu.tickets.models import Callback, CallbackAttempt, Ticket, TicketEvent
from jiesu.tickets.services.deadlines import deadline_changes, deadline_moves
from jiesu.tickets.services.transitions import ticket_transition


@dataclass(frozen=True)
class CallbackAnswers:
    contacted: bool
    resolved: bool
    satisfaction: str  # blank only for an invalid callback (no verdict)
    is_valid: bool = True
    note: str = ""
    called_at: datetime | None = None


def callback_needs_rework(answers: CallbackAnswers) -> bool:
    return answers.is_valid and (not answers.resolved or answers.satisfaction == Satisfaction.DISSATISFIED)


def ticket_awaits_callback(ticket: Ticket) -> bool:
    """The ticket's latest closing has no callback yet (the same rule as conditions.CALLBACK_DUE)."""
    if ticket.status != TicketStatus.CLOSED:
        return False
    return ticket.callback_at is None or (ticket.closed_at is not None and ticket.callback_at < ticket.closed_at)


@transaction.atomic
def ticket_callback(*, ticket: Ticket, actor: User | None, answers: CallbackAnswers) -> Callback:
    """Record a callback; an unresolved or dissatisfied verdict starts rework at once."""
    if answers.satisfaction not in Satisfaction.values and (answers.is_valid or answers.satisfaction):
        raise TicketInvalid("满意度取值无效", field="satisfaction")
    at = answers.called_at or timezone.now()
    event = ticket_transition(
        ticket=ticket,
        event=EventKind.CALLBACK_RECORDED,
        actor=actor,
        reason=answers.note,
        occurred_at=at,
        payload={
            "is_valid": answers.is_valid,
            "contacted": answers.contacted,
            "resolved": answers.resolved,
            "satisfaction": answers.satisfaction,
        },
        changes={
            "callback_at": at,
            "callback_valid": answers.is_valid,
            "callback_contacted": answers.contacted,
            "callback_resolved": answers.resolved,
            "callback_satisfaction": answers.satisfaction,
        },
    )
    callback = Callback.objects.create(
        ticket=ticket,
        event=event,
        called_at=at,
        is_valid=answers.is_valid,
        contacted=answers.contacted,
        resolved=answers.resolved,
        satisfaction=answers.satisfaction,
        note=answers.note,
        agent=actor,
    )
    if callback_needs_rework(answers):
        verdict = "未解决" if not answers.resolved else "不满意"
        rework = ticket_rework(ticket=ticket, actor=None, reason=f"回访结果：{verdict}，自动转二次办理", at=at)
        _notify_rework(ticket=ticket, event=rework, verdict=verdict)
    return callback


@transaction.atomic
def ticket_rework(*, ticket: Ticket, actor: User | None, reason: str, at: datetime | None = None) -> TicketEvent:
    """Reopen a closed ticket: back to its lead unit, or back to triage when the center answered it."""
    at = at or timezone.now()
    changes: dict[str, Any] = {
        "rework_count": ticket.rework_count + 1,
        "closed_at": None,
        "callback_due_at": None,
        "callback_attempts": 0,  # the next closing starts its callback afresh
    }
    if ticket.lead_unit_id is not None:
        changes.update(deadline_changes(ticket, {Stage.REPLY: at}))
        event = EventKind.REWORK
    else:
        changes["is_direct_answer"] = False
        event = EventKind.REOPENED
    changes["deadline_rules"] = {
        k: v for k, v in changes.get("deadline_rules", ticket.deadline_rules).items() if k != Stage.CALLBACK
    }
    payload = {"deadlines": deadline_moves(ticket, changes)}
    return ticket_transition(
        ticket=ticket, event=event, actor=actor, reason=reason, occurred_at=at, payload=payload, changes=changes
    )


def _notify_rework(*, ticket: Ticket, event: TicketEvent, verdict: str) -> None:
    """Tell the lead unit's staff that the ticket is back with them. No requester data and no
    title: messages may leave the system by SMS or e-mail."""
    if ticket.lead_unit_id is None or event.kind != EventKind.REWORK:
        return  # reopened at the center: it shows in the center's triage queue
    staff = list(users_with_role(roles=[Role.UNIT_STAFF], unit_ids=[ticket.lead_unit_id]))
    due = f"，反馈时限 {timezone.localtime(ticket.reply_due_at):%Y-%m-%d %H:%M}" if ticket.reply_due_at else ""
    try:
        link = reverse("web:ticket_detail", kwargs={"number": ticket.number})
    except NoReverseMatch:
        link = ""
    notification_enqueue(
        recipients=staff,
        subject=f"工单 {ticket.number} 回访{verdict}，已转二次办理",
        body=f"回访结果为{verdict}，工单已退回本单位二次办理，请重新办理并按时反馈{due}。",
        link=link,
        dedupe_key=f"ticket-rework:{event.pk}",
        now=event.occurred_at,
    )


# --- Attempts -------------------------------------------------------------------------------


def _attempt_moment(ticket: Ticket, at: datetime | None) -> datetime:
    now = timezone.now()
    at = at or now
    if at > now:
        raise TicketInvalid("拨打时间不能晚于当前时间", field="at")
    if ticket.closed_at is not None and at < ticket.closed_at:
        raise TicketInvalid("拨打时间不能早于工单办结时间", field="at")
    return at


def callback_attempt_rule_for(ticket: Ticket) -> CallbackAttemptRule:
    """The attempt limit in force on the day the ticket (last) closed."""
    closed = ticket.closed_at or timezone.now()
    return callback_attempt_rule(timezone.localdate(closed))


def _failed_since_closing(ticket: Ticket) -> list[tuple[Any, str]]:
    rows = CallbackAttempt.objects.filter(ticket=ticket).exclude(outcome=CallbackOutcome.REACHED)
    if ticket.closed_at is not None:
        rows = rows.filter(attempted_at__gte=ticket.closed_at)
    return [(timezone.localdate(at), outcome) for at, outcome in rows.values_list("attempted_at", "outcome")]


@transaction.atomic
def ticket_callback_attempt(
    *,
    ticket: Ticket,
    actor: User | None,
    outcome: str,
    note: str = "",
    at: datetime | None = None,
    answers: CallbackAnswers | None = None,
) -> CallbackAttempt:
    """Record one call to the requester for the callback of the ticket's latest closing.

    `reached` needs `answers` (the callback is recorded, rework may follow); any other outcome is
    a failed attempt, and the one that reaches the rule set's limit also closes the callback as
    not contacted (invalid, no verdict)."""
    if outcome not in CallbackOutcome.values:
        raise TicketInvalid("请选择有效的回访结果", field="outcome")
    if not ticket_awaits_callback(ticket):
        raise GuardFailed("该工单当前没有待回访的办结记录（未办结或本次办结后已完成回访）")
    at = _attempt_moment(ticket, at)
    if outcome == CallbackOutcome.REACHED:
        if answers is None:
            raise TicketInvalid("已接通的回访须填写回访结果（是否联系、是否解决、满意度）")
        callback = ticket_callback(ticket=ticket, actor=actor, answers=replace(answers, called_at=at))
        return CallbackAttempt.objects.create(
            ticket=ticket,
            event=callback.event,
            attempted_at=at,
            outcome=outcome,
            note=note,
            callback=callback,
            agent=actor,
        )
    if answers is not None:
        raise TicketInvalid("未接通的回访不能填写回访结果")
    return _record_failed_attempt(ticket=ticket, actor=actor, outcome=outcome, note=note, at=at)


def _record_failed_attempt(
    *, ticket: Ticket, actor: User | None, outcome: str, note: str, at: datetime
) -> CallbackAttempt:
    count = ticket.callback_attempts + 1
    event = ticket_transition(
        ticket=ticket,
        event=EventKind.CALLBACK_ATTEMPTED,
        actor=actor,
        reason=note,
        occurred_at=at,
        payload={"outcome": outcome, "attempt": count},
        changes={"callback_attempts": count},
    )
    attempt = CallbackAttempt.objects.create(
        ticket=ticket, event=event, attempted_at=at, outcome=outcome, note=note, agent=actor
    )
    rule = callback_attempt_rule_for(ticket)
    failed = _failed_since_closing(ticket)
    if callback_attempts_exhausted(rule, failed):
        days = len({day for day, _ in failed})
        label = CallbackOutcome(outcome).label
        reason = (
            f"回访未成功（{label}）"
            if outcome in rule.final_outcomes
            else f"回访未成功：已拨打 {len(failed)} 次、{days} 天"
        ) + "，按未联系上、无效回访结束"
        answers = CallbackAnswers(contacted=False, resolved=False, satisfaction="", is_valid=False, note=reason)
        attempt.callback = ticket_callback(ticket=ticket, actor=actor, answers=replace(answers, called_at=at))
        attempt.save(update_fields=["callback"])
    return attempt
