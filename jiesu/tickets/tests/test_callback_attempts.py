"""Callback attempts: failed calls, the attempt limit from the rule set, reached calls, rework notices."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiesu.core.errors import DomainError
from jiesu.notify.models import Notification
from jiesu.orgs.testing import World
from jiesu.sla.callback_rule import CallbackAttemptRule, callback_attempt_rule, callback_attempts_exhausted
from jiesu.sla.models import TimeLimitRuleSet
from jiesu.tickets.choices import CallbackOutcome, EventKind, Satisfaction, TicketStatus
from jiesu.tickets.models import Callback, CallbackAttempt, Ticket
from jiesu.tickets.services import handling
from jiesu.tickets.services.actions import ActionInput, ticket_perform
from jiesu.tickets.services.callbacks import CallbackAnswers, ticket_callback_attempt
from jiesu.tickets.tests.helpers import ticket_in

BEIJING = ZoneInfo("Asia/Shanghai")
CLOSED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)  # a Monday
Outcome = CallbackOutcome


def closed_ticket(world: World) -> Ticket:
    with time_machine.travel(CLOSED_AT, tick=False):
        return ticket_in(world, TicketStatus.CLOSED)


def attempt(world: World, ticket: Ticket, outcome: str, at: datetime, **kwargs: object) -> CallbackAttempt:
    with time_machine.travel(at, tick=False):
        return ticket_callback_attempt(ticket=ticket, actor=world.callback_agent, outcome=outcome, **kwargs)  # type: ignore[arg-type]


def day(n: int, hour: int = 10) -> datetime:
    return CLOSED_AT.replace(hour=hour) + timedelta(days=n)


SATISFIED = CallbackAnswers(contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED)


def test_the_rule_is_pure_data() -> None:
    rule = CallbackAttemptRule(max_attempts=3, min_days=2, final_outcomes=frozenset({"wrong_number"}))
    monday, tuesday = day(0).date(), day(1).date()
    assert not callback_attempts_exhausted(rule, [(monday, "no_answer")] * 3)  # one day only
    assert not callback_attempts_exhausted(rule, [(monday, "no_answer"), (tuesday, "busy")])
    assert callback_attempts_exhausted(rule, [(monday, "no_answer"), (monday, "busy"), (tuesday, "busy")])
    assert callback_attempts_exhausted(rule, [(monday, "wrong_number")])


def test_the_seeded_rule_set_carries_the_beijing_limit(db: None) -> None:
    rule = callback_attempt_rule(CLOSED_AT.date())
    assert (rule.rule_set_code, rule.max_attempts, rule.min_days) == ("beijing", 3, 2)
    assert rule.final_outcomes == {Outcome.WRONG_NUMBER, Outcome.REFUSED}
    assert rule.final_outcomes <= set(Outcome.values)


def test_a_failed_attempt_writes_an_event_and_counts(world: World) -> None:
    ticket = closed_ticket(world)
    row = attempt(world, ticket, Outcome.NO_ANSWER, day(0), note="无人接听")
    ticket.refresh_from_db()
    assert ticket.callback_attempts == 1 and ticket.status == TicketStatus.CLOSED
    assert row.event is not None and row.event.kind == EventKind.CALLBACK_ATTEMPTED
    assert row.event.payload == {"outcome": "no_answer", "attempt": 1}
    assert row.callback is None and ticket.callback_at is None  # still due


def test_three_failures_on_one_day_keep_the_callback_due(world: World) -> None:
    ticket = closed_ticket(world)
    for hour in (10, 14, 16):
        attempt(world, ticket, Outcome.BUSY, day(0, hour))
    ticket.refresh_from_db()
    assert ticket.callback_attempts == 3 and ticket.callback_at is None


def test_the_limit_on_two_days_closes_the_callback_as_not_contacted(world: World) -> None:
    ticket = closed_ticket(world)
    attempt(world, ticket, Outcome.NO_ANSWER, day(0, 10))
    attempt(world, ticket, Outcome.POWERED_OFF, day(0, 15))
    last = attempt(world, ticket, Outcome.NO_ANSWER, day(1, 10))
    ticket.refresh_from_db()
    callback = Callback.objects.get(ticket=ticket)
    assert last.callback == callback
    assert (callback.is_valid, callback.contacted, callback.satisfaction) == (False, False, "")
    assert "已拨打 3 次、2 天" in callback.note
    assert ticket.callback_valid is False and ticket.callback_at == day(1, 10)
    assert ticket.status == TicketStatus.CLOSED and ticket.rework_count == 0
    with pytest.raises(DomainError) as refused:
        attempt(world, ticket, Outcome.NO_ANSWER, day(2))
    assert refused.value.code == "guard_failed"


@pytest.mark.parametrize("outcome", [Outcome.WRONG_NUMBER, Outcome.REFUSED])
def test_a_final_outcome_ends_the_callback_at_once(world: World, outcome: str) -> None:
    ticket = closed_ticket(world)
    attempt(world, ticket, outcome, day(0))
    ticket.refresh_from_db()
    assert ticket.callback_valid is False and ticket.callback_attempts == 1
    assert CallbackOutcome(outcome).label in Callback.objects.get(ticket=ticket).note


def test_the_limit_follows_the_rule_set_in_force(world: World) -> None:
    TimeLimitRuleSet.objects.filter(code="beijing").update(
        callback_max_attempts=1, callback_min_days=1, callback_final_outcomes=[]
    )
    ticket = closed_ticket(world)
    attempt(world, ticket, Outcome.NO_ANSWER, day(0))
    ticket.refresh_from_db()
    assert ticket.callback_valid is False


def test_a_reached_call_records_the_answers_and_links_the_attempt(world: World) -> None:
    ticket = closed_ticket(world)
    attempt(world, ticket, Outcome.NO_ANSWER, day(0))
    row = attempt(world, ticket, Outcome.REACHED, day(1), answers=SATISFIED)
    ticket.refresh_from_db()
    assert row.callback is not None and row.callback.is_valid and row.event == row.callback.event
    assert ticket.callback_satisfaction == Satisfaction.SATISFIED and ticket.callback_at == day(1)
    assert ticket.callback_attempts == 1  # failed attempts only


def test_reached_needs_answers_and_failed_refuses_them(world: World) -> None:
    ticket = closed_ticket(world)
    with pytest.raises(DomainError):
        attempt(world, ticket, Outcome.REACHED, day(0))
    with pytest.raises(DomainError):
        attempt(world, ticket, Outcome.BUSY, day(0), answers=SATISFIED)
    with pytest.raises(DomainError) as refused:
        attempt(world, ticket, "smoke_signal", day(0))
    assert refused.value.message == "请选择有效的回访结果"
    assert not CallbackAttempt.objects.filter(ticket=ticket).exists()


def test_the_moment_must_lie_between_closing_and_now(world: World) -> None:
    ticket = closed_ticket(world)
    with pytest.raises(DomainError, match="早于工单办结时间"), time_machine.travel(day(1), tick=False):
        ticket_callback_attempt(ticket=ticket, actor=world.callback_agent, outcome=Outcome.BUSY, at=day(-1))
    with pytest.raises(DomainError, match="晚于当前时间"), time_machine.travel(day(1), tick=False):
        ticket_callback_attempt(ticket=ticket, actor=world.callback_agent, outcome=Outcome.BUSY, at=day(2))


def test_only_callback_roles_of_the_center_may_call(world: World) -> None:
    ticket = closed_ticket(world)
    for user in (world.township_staff, world.analyst, world.leader):
        with pytest.raises(DomainError) as refused, time_machine.travel(day(0), tick=False):
            ticket_callback_attempt(ticket=ticket, actor=user, outcome=Outcome.BUSY)
        assert refused.value.code == "action_forbidden"


def test_an_open_ticket_has_no_callback_to_attempt(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    with pytest.raises(DomainError) as refused:
        ticket_callback_attempt(ticket=ticket, actor=world.callback_agent, outcome=Outcome.BUSY)
    assert refused.value.code == "guard_failed"


def test_dissatisfied_answers_start_rework_and_notify_the_lead_unit(world: World) -> None:
    ticket = closed_ticket(world)
    attempt(world, ticket, Outcome.NO_ANSWER, day(0))
    answers = CallbackAnswers(contacted=True, resolved=True, satisfaction=Satisfaction.DISSATISFIED)
    attempt(world, ticket, Outcome.REACHED, day(1), answers=answers)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.HANDLING and ticket.callback_attempts == 0
    notes = list(Notification.objects.filter(recipient=world.township_staff))
    assert len(notes) == 1 and notes[0].title == f"工单 {ticket.number} 回访不满意，已转二次办理"
    assert ticket.title not in notes[0].body and notes[0].link.endswith(f"/tickets/{ticket.number}/")
    assert not Notification.objects.filter(recipient=world.other_staff).exists()


def test_a_satisfied_callback_notifies_nobody(world: World) -> None:
    ticket = closed_ticket(world)
    attempt(world, ticket, Outcome.REACHED, day(0), answers=SATISFIED)
    assert not Notification.objects.exists()


def test_after_rework_and_closing_again_the_count_starts_afresh(world: World) -> None:
    ticket = closed_ticket(world)
    attempt(world, ticket, Outcome.NO_ANSWER, day(0, 10))
    unresolved = CallbackAnswers(contacted=True, resolved=False, satisfaction=Satisfaction.FAIRLY_SATISFIED)
    attempt(world, ticket, Outcome.REACHED, day(0, 11), answers=unresolved)
    with time_machine.travel(day(1), tick=False):
        handling.ticket_reply(ticket=ticket, actor=world.township_staff, text="已再次上门维修")
        handling.ticket_review(ticket=ticket, actor=world.agent, accept=True)
    attempt(world, ticket, Outcome.NO_ANSWER, day(1, 15))
    attempt(world, ticket, Outcome.NO_ANSWER, day(1, 16))
    ticket.refresh_from_db()
    # The failure before the rework does not count: two failures on one day keep it due.
    assert ticket.callback_attempts == 2 and ticket.status == TicketStatus.CLOSED
    assert Ticket.objects.filter(pk=ticket.pk, callback_at__lt=day(1)).exists()


def test_ticket_perform_records_attempts_and_answers(world: World) -> None:
    ticket = closed_ticket(world)
    with time_machine.travel(day(0), tick=False):
        event = ticket_perform(
            ticket=ticket, action="callback_attempted", actor=world.callback_agent, data=ActionInput(outcome="busy")
        )
    assert event.kind == EventKind.CALLBACK_ATTEMPTED
    data = ActionInput(outcome="reached", contacted=True, resolved=True, satisfaction="satisfied")
    with time_machine.travel(day(1), tick=False):
        event = ticket_perform(ticket=ticket, action="callback_attempted", actor=world.callback_agent, data=data)
    assert event.kind == EventKind.CALLBACK_RECORDED
    assert list(CallbackAttempt.objects.filter(ticket=ticket).values_list("outcome", flat=True)) == ["busy", "reached"]


def test_the_direct_callback_action_is_logged_as_a_reached_call(world: World) -> None:
    ticket = closed_ticket(world)
    data = ActionInput(contacted=True, resolved=True, satisfaction="satisfied", reason="满意")
    with time_machine.travel(day(0), tick=False):
        event = ticket_perform(ticket=ticket, action="callback_recorded", actor=world.callback_agent, data=data)
    row = CallbackAttempt.objects.get(ticket=ticket)
    assert row.outcome == Outcome.REACHED and row.event == event and row.callback is not None
