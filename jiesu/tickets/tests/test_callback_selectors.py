"""The callback due list and the coverage of closed tickets, with hand-counted fixtures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiesu.core.errors import DomainError
from jiesu.orgs.testing import World
from jiesu.sla.choices import LimitUnit, Stage
from jiesu.sla.models import TimeLimitRule, TimeLimitRuleSet
from jiesu.tickets.choices import CallbackOutcome, Satisfaction, TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import ticket_queue_counts
from jiesu.tickets.selectors_callbacks import (
    CENTER_KEY,
    CallbackDueFilter,
    callback_coverage,
    callback_coverage_tickets,
    callbacks_due,
)
from jiesu.tickets.services import dispatch, handling
from jiesu.tickets.services.callbacks import CallbackAnswers, ticket_callback_attempt
from jiesu.tickets.tests.helpers import new_ticket, ticket_in

BEIJING = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)
SATISFIED = CallbackAnswers(contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED)


def closed_on(world: World, at: datetime, *, self_handled: bool = False, unit: str = "township") -> Ticket:
    with time_machine.travel(at, tick=False):
        if unit == "township":
            return ticket_in(world, TicketStatus.CLOSED, self_handled=self_handled)
        ticket = new_ticket(world, district=world.other_district, township=world.other_township)
        dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
        dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.other_township)
        dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.other_staff)
        handling.ticket_reply(ticket=ticket, actor=world.other_staff, text="已处理")
        handling.ticket_review(ticket=ticket, actor=world.agent, accept=True)
        return ticket


def call(world: World, ticket: Ticket, outcome: str, at: datetime, answers: CallbackAnswers | None = None) -> None:
    with time_machine.travel(at, tick=False):
        ticket_callback_attempt(ticket=ticket, actor=world.callback_agent, outcome=outcome, answers=answers)


@pytest.fixture
def ledger(world: World) -> dict[str, Ticket]:
    """Five tickets closed Monday–Wednesday, one closed the week before:
    a: township, satisfied callback · b: township, one failed attempt (due) · c: township, closed
    as unreachable (wrong number) · d: other township, nothing yet (due) · e: self-handled, nothing
    (due) · old: township, closed a week earlier, nothing (due, outside the window).
    The presets carry no callback time limit (no source states one): the test adds two days."""
    rule_set = TimeLimitRuleSet.objects.get(code="beijing")
    TimeLimitRule.objects.create(rule_set=rule_set, stage=Stage.CALLBACK, amount=2, unit=LimitUnit.DAY)
    t = {
        "a": closed_on(world, MONDAY),
        "b": closed_on(world, MONDAY + timedelta(hours=1)),
        "c": closed_on(world, MONDAY + timedelta(days=1)),
        "d": closed_on(world, MONDAY + timedelta(days=1), unit="other"),
        "e": closed_on(world, MONDAY + timedelta(days=2), self_handled=True),
        "old": closed_on(world, MONDAY - timedelta(days=7)),
    }
    call(world, t["a"], CallbackOutcome.REACHED, MONDAY + timedelta(hours=3), SATISFIED)
    call(world, t["b"], CallbackOutcome.NO_ANSWER, MONDAY + timedelta(hours=3))
    call(world, t["c"], CallbackOutcome.WRONG_NUMBER, MONDAY + timedelta(days=1, hours=3))
    return {k: Ticket.objects.get(pk=v.pk) for k, v in t.items()}


def numbers(qs: object) -> set[str]:
    return {t.number for t in qs}  # type: ignore[attr-defined]


def test_the_due_list_is_every_closed_ticket_without_callback(world: World, ledger: dict[str, Ticket]) -> None:
    due = list(callbacks_due(viewer=world.callback_agent))
    assert numbers(due) == {ledger[k].number for k in ("b", "d", "e", "old")}
    # Sorted by callback deadline: the ticket closed earliest is due earliest.
    assert due[0].number == ledger["old"].number
    moments = [t.callback_due_at for t in due]
    assert None not in moments and moments == sorted(moments)  # type: ignore[type-var]
    assert ledger["b"].callback_due_at == MONDAY + timedelta(days=2, hours=1)


def test_the_due_list_matches_the_home_queue(world: World, ledger: dict[str, Ticket]) -> None:
    counts = {q.key: n for q, n in ticket_queue_counts(viewer=world.callback_agent)}
    assert counts["callback"] == callbacks_due(viewer=world.callback_agent).count() == 4


def test_filters_of_the_due_list(world: World, ledger: dict[str, Ticket]) -> None:
    def due(**kw: Any) -> set[str]:
        now = MONDAY + timedelta(days=3)
        return numbers(callbacks_due(viewer=world.shift_lead, filters=CallbackDueFilter(**kw), now=now))

    assert due(unit_id=world.district.pk) == {ledger["b"].number, ledger["old"].number}  # the subtree
    assert due(district_id=world.other_district.pk) == {ledger["d"].number}
    assert due(attempted=True) == {ledger["b"].number}
    assert due(attempted=False) == {ledger[k].number for k in ("d", "e", "old")}
    overdue = {t.number for t in Ticket.objects.filter(callback_due_at__lt=MONDAY + timedelta(days=3))} & due()
    assert due(overdue=True) == overdue == {ledger[k].number for k in ("b", "old")}
    assert due(overdue=True) | due(overdue=False) == due()
    assert not due(overdue=True) & due(overdue=False)


def test_the_due_list_refuses_units_and_outsiders(world: World, ledger: dict[str, Ticket]) -> None:
    for user in (world.township_staff, world.outsider, world.system_admin):
        with pytest.raises(DomainError) as refused:
            callbacks_due(viewer=user)
        assert refused.value.code == "permission_denied"


def test_coverage_counts_by_hand(world: World, ledger: dict[str, Ticket]) -> None:
    report = callback_coverage(viewer=world.leader, date_from=date(2026, 3, 2), date_to=date(2026, 3, 4))
    # Closed in the window: a b c d e = 5; covered: a (valid) and c (closed as unreachable).
    assert (report.total.closed, report.total.covered, report.total.valid, report.total.missing) == (5, 2, 1, 3)
    assert report.total.rate == pytest.approx(0.4) and not report.total.meets_target
    rows = {r.key: r for r in report.rows}
    township = rows[str(world.township.pk)]
    assert (township.name, township.closed, township.covered, township.valid, township.invalid) == (
        "望京街道",
        3,
        2,
        1,
        1,
    )
    assert (rows[str(world.other_township.pk)].closed, rows[str(world.other_township.pk)].covered) == (1, 0)
    assert (rows[CENTER_KEY].name, rows[CENTER_KEY].closed, rows[CENTER_KEY].covered) == ("中心直接办结", 1, 0)
    assert sum(r.closed for r in report.rows) == report.total.closed


def test_coverage_by_district_and_an_empty_window(world: World, ledger: dict[str, Ticket]) -> None:
    report = callback_coverage(viewer=world.leader, date_from=date(2026, 3, 2), date_to=date(2026, 3, 4), by="district")
    rows = {r.key: (r.closed, r.covered) for r in report.rows}
    assert rows == {str(world.district.pk): (4, 2), str(world.other_district.pk): (1, 0)}
    empty = callback_coverage(viewer=world.leader, date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    assert empty.rows == [] and empty.total.rate is None


def test_drill_down_lists_add_up_to_the_figures(world: World, ledger: dict[str, Ticket]) -> None:
    window = {"viewer": world.leader, "date_from": date(2026, 3, 2), "date_to": date(2026, 3, 4)}
    report = callback_coverage(**window)  # type: ignore[arg-type]
    assert numbers(callback_coverage_tickets(**window)) == {ledger[k].number for k in ("b", "d", "e")}  # type: ignore[arg-type]
    for row in [report.total, *report.rows]:
        for part, figure in (("closed", row.closed), ("covered", row.covered), ("missing", row.missing)):
            assert callback_coverage_tickets(**window, part=part, key=row.key).count() == figure  # type: ignore[arg-type]


def test_bad_parameters_are_refused_in_chinese(world: World) -> None:
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        callback_coverage(viewer=world.leader, date_from=date(2026, 3, 4), date_to=date(2026, 3, 2))
    with pytest.raises(DomainError, match="不支持的分组"):
        callback_coverage(viewer=world.leader, date_from=date(2026, 3, 2), date_to=date(2026, 3, 4), by="category")
    with pytest.raises(DomainError, match="分组编号无效"):
        callback_coverage_tickets(viewer=world.leader, date_from=date(2026, 3, 2), date_to=date(2026, 3, 4), key="x")
    with pytest.raises(DomainError, match="年份必须在"):
        callback_coverage(viewer=world.leader, date_from=date(2026, 3, 2), date_to=date(9999, 12, 31))
