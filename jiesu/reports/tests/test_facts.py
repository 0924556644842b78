"""Report facts over hand-built tickets: exact counts, and rates equal to the KPI engine's."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiesu.core.errors import DomainError, ValidationFailed
from jiesu.kpi.choices import Grouping
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.tests.support import at, build_march_ledger, ticket
from jiesu.orgs.testing import World
from jiesu.reports.facts import Count, ReportFacts, report_facts
from jiesu.reports.periods import period_containing, period_parse, period_special
from jiesu.tickets.choices import Channel, Kind, TicketStatus, Urgency
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import oversight
from jiesu.tickets.tests.helpers import new_ticket, ticket_in

pytestmark = pytest.mark.django_db
MARCH = period_parse("monthly", "2024-03")


def test_counts_of_the_march_ledger(world: World) -> None:
    build_march_ledger(world)
    ticket(world, received_at=at(2, 10))  # a second February ticket: previous month has G and this
    facts = report_facts(period=MARCH)
    # received in March: A B C D E F H; February: G and the extra; March 2023: none
    assert (facts.received, facts.received_previous, facts.received_year_ago) == (7, 2, 0)
    assert (facts.change_previous_pct, facts.change_year_ago_pct) == (250.0, None)
    # closed in March: A B C G H (F closed on 04-02)
    assert facts.closed == 5
    # reply deadline in March: A on time, G on time, B replied late
    assert facts.overdue == 1
    assert (facts.repeat, facts.returned) == (1, 0)
    assert facts.by_channel == [Count("电话", 7, 1.0, Channel.PHONE)]
    assert facts.by_kind == [Count("其他", 7, 1.0, Kind.OTHER)]
    assert facts.top_categories == [Count("未指定", 7, 1.0, "")]
    assert [(c.name, c.value) for c in facts.top_districts] == [("朝阳区", 6), (world.other_district.name, 1)]
    assert [(c.name, c.value) for c in facts.top_townships] == [
        (world.township.name, 6),
        (world.other_township.name, 1),
    ]
    assert facts.top_districts[0].share == pytest.approx(6 / 7)
    assert len(facts.daily) == 31 and sum(facts.daily.values()) == 7
    assert (facts.daily[date(2024, 3, 10)], facts.daily[date(2024, 3, 11)], facts.daily[date(2024, 3, 20)]) == (3, 2, 1)


def test_units_and_their_on_time_rate_from_the_kpi_engine(world: World) -> None:
    build_march_ledger(world)
    facts = report_facts(period=MARCH)
    units = {u.name: u for u in facts.by_unit}
    # township leads A B C E F (received), A B C G (closed), B overdue
    township = units[world.township.name]
    assert (township.received, township.closed, township.overdue) == (5, 4, 1)
    assert township.on_time_rate == pytest.approx(2 / 3)
    assert (units[world.other_township.name].received, units[world.district.name].closed) == (1, 1)
    engine = kpi_evaluate(scheme_code="beijing-3rates", start=MARCH.start, end=MARCH.end, by=Grouping.UNIT)
    on_time = {g["name"]: g["indicators"]["on_time_completion_rate"]["value"] for g in engine["groups"]}
    assert {u.name: u.on_time_rate for u in facts.by_unit} == on_time


def test_rates_are_the_kpi_engines(world: World) -> None:
    build_march_ledger(world)
    facts = report_facts(period=MARCH, scheme_code="civil-affairs-contract")
    engine = kpi_evaluate(scheme_code="civil-affairs-contract", start=MARCH.start, end=MARCH.end)["groups"][0]
    assert [r.code for r in facts.rates] == ["response_rate", "resolution_rate", "satisfaction_rate", "callback_rate"]
    targets = {t["indicator"]: t for t in engine["targets"]}
    for line in facts.rates:
        figures = engine["indicators"][line.code]
        assert (line.numerator, line.denominator, line.value) == (
            figures["numerator"],
            figures["denominator"],
            figures["value"],
        )
        assert (line.target, line.met) == (targets[line.code]["threshold"], targets[line.code]["met"])
    response, resolution, satisfaction, callback = facts.rates
    assert (response.value, response.target, response.met) == (1, 1, True)
    assert resolution.value == pytest.approx(2 / 3) and resolution.met is False
    assert satisfaction.value == pytest.approx(float(Fraction(19, 30)))
    assert (callback.numerator, callback.denominator, callback.name) == (4, 5, "回访率")
    assert facts.scheme_name == "民政热线分中心合同指标" and facts.score is None


@pytest.mark.parametrize("scheme", ["beijing-3rates", "civil-affairs-contract", "panjin", "yanta-quarterly"])
def test_every_seeded_scheme_matches_the_full_evaluation(world: World, scheme: str) -> None:
    """The report counts only the indicators it shows; rates, targets and score stay the full
    evaluation's."""
    build_march_ledger(world)
    facts = report_facts(period=MARCH, scheme_code=scheme)
    engine = kpi_evaluate(scheme_code=scheme, start=MARCH.start, end=MARCH.end)["groups"][0]
    assert facts.score == engine["score"]
    assert {r.code: r.value for r in facts.rates} == {
        code: engine["indicators"][code]["value"] for code in [r.code for r in facts.rates]
    }
    assert {t["indicator"] for t in engine["targets"]} <= {r.code for r in facts.rates}
    assert [r.code for r in facts.rates][:3] == ["response_rate", "resolution_rate", "satisfaction_rate"]


def test_default_scheme_gives_the_score_and_no_targets(world: World) -> None:
    build_march_ledger(world)
    facts = report_facts(period=MARCH)
    assert facts.scheme_code == "beijing-3rates"
    assert [r.target for r in facts.rates] == [None, None, None]
    # 0.1 × 100 % + 0.5 × 2/3 + 0.4 × 1.9/3, in points
    assert facts.score == pytest.approx(68.67)


def test_year_ago_change(world: World) -> None:
    build_march_ledger(world)
    for day in (1, 2, 3, 4, 5, 6, 7, 8):
        ticket(world, received_at=at(3, day).replace(year=2023))
    facts = report_facts(period=MARCH)
    assert (facts.received_year_ago, facts.change_year_ago_pct) == (8, -12.5)


def test_empty_period_is_zeros_not_an_error(world: World) -> None:
    facts = report_facts(period=period_parse("weekly", "2020-W53"))
    assert (facts.received, facts.closed, facts.overdue, facts.returned, facts.repeat) == (0, 0, 0, 0, 0)
    assert (facts.change_previous_pct, facts.change_year_ago_pct) == (None, None)
    assert facts.by_channel == facts.by_kind == facts.top_categories == facts.top_districts == []
    assert facts.by_unit == [] and facts.notable == []
    assert list(facts.daily.values()) == [0] * 7
    assert [r.value for r in facts.rates] == [None, None, None]
    assert facts.is_empty


def test_special_report_filters_by_topic_and_district(world: World) -> None:
    ledger = build_march_ledger(world)
    Ticket.objects.filter(pk__in=[ledger["A"].pk, ledger["F"].pk]).update(title="小区供暖不热")
    Ticket.objects.filter(pk=ledger["D"].pk).update(content="楼道供暖管道漏水")
    window = period_special(date(2024, 3, 1), date(2024, 3, 31))
    heating = report_facts(period=window, topic=" 供暖 ")
    assert (heating.topic, heating.received, heating.closed, heating.repeat) == ("供暖", 3, 1, 1)
    # valid callbacks among A D F: A (full, resolved, satisfied) and D (response only)
    response, resolution, satisfaction = heating.rates
    assert (response.numerator, response.denominator) == (2, 2)
    assert (resolution.numerator, resolution.denominator, satisfaction.value) == (1, 1, 1)
    other = report_facts(period=window, district=world.other_district)
    assert (other.district, other.received, other.closed) == (world.other_district.name, 1, 0)
    assert [(r.denominator, r.value) for r in other.rates] == [(1, 1), (0, None), (0, None)]
    both = report_facts(period=window, topic="供暖", district=world.district)
    assert both.received == 2
    assert report_facts(period=window, district=world.township).received == 6


def test_tickets_moved_by_the_workflow(world: World) -> None:
    """Returns and supervision are events: counted when they happen in the period."""
    closed = ticket_in(world, TicketStatus.CLOSED)
    ticket_in(world, TicketStatus.RETURN_REQUESTED)
    handling = ticket_in(world, TicketStatus.HANDLING)
    oversight.ticket_supervise(ticket=handling, actor=world.shift_lead, reason="群众反映强烈")
    urgent = new_ticket(world, "燃气泄漏", urgency=Urgency.URGENT, kind=Kind.HELP)
    week = period_containing("weekly", timezone.localdate())
    facts = report_facts(period=week)
    assert (facts.received, facts.closed, facts.returned, facts.overdue) == (4, 1, 1, 0)
    assert {c.name: c.value for c in facts.by_kind} == {"其他": 3, "求助": 1}
    reasons = {n.number: n.reason for n in facts.notable}
    assert reasons == {handling.number: "督办件", urgent.number: "紧急诉求"}
    assert closed.number not in reasons
    assert facts.daily[timezone.localdate()] == 4


def test_notable_overdue_and_repeated(world: World) -> None:
    ledger = build_march_ledger(world)
    for _ in range(2):
        ticket(world, received_at=at(3, 21), status=TicketStatus.MERGED, merged_into=ledger["A"])
    facts = report_facts(period=MARCH)
    reasons = {n.number: n.reason for n in facts.notable}
    # B was due 03-15 18:00 and replied 03-16 10:00
    assert reasons == {ledger["B"].number: "超期16小时", ledger["A"].number: "重复诉求2次"}
    b = next(n for n in facts.notable if n.number == ledger["B"].number)
    assert (b.district, b.category, b.ticket_id) == ("朝阳区", "未指定", ledger["B"].pk)


def test_open_overdue_counts_until_now(world: World) -> None:
    now = timezone.now()
    ticket(world, received_at=now - timedelta(days=3), reply_due_at=now - timedelta(hours=30))
    ticket(world, received_at=now - timedelta(days=3), reply_due_at=now + timedelta(hours=1))
    returned = ticket(world, received_at=now - timedelta(days=3), reply_due_at=now - timedelta(hours=2))
    Ticket.objects.filter(pk=returned.pk).update(status=TicketStatus.RETURNED_TO_CITY)
    period = period_special(timezone.localdate() - timedelta(days=3), timezone.localdate() + timedelta(days=1))
    facts = report_facts(period=period)
    assert facts.overdue == 1
    assert [n.reason for n in facts.notable] == ["超期1天"]


def test_number_of_queries_does_not_grow_with_tickets(world: World) -> None:
    build_march_ledger(world)
    with CaptureQueriesContext(connection) as few:
        report_facts(period=MARCH)
    for day in range(1, 29):
        ticket(world, received_at=at(3, day), lead_unit=world.other_township, township=world.other_township)
    with CaptureQueriesContext(connection) as many:
        facts = report_facts(period=MARCH)
    assert facts.received == 7 + 28
    assert len(many.captured_queries) == len(few.captured_queries) <= 25


def test_public_line_is_refused_in_chinese(world: World) -> None:
    with pytest.raises(DomainError, match="公共咨询线尚未启用，暂无法生成该系列报告"):
        report_facts(period=MARCH, family="public_line")
    with pytest.raises(ValidationFailed, match="报告系列“radio”无效"):
        report_facts(period=MARCH, family="radio")


def test_facts_are_typed_values(world: World) -> None:
    facts = report_facts(period=MARCH)
    assert isinstance(facts, ReportFacts)
    assert facts.period == MARCH and facts.family == "hotline" and facts.district == "" and facts.topic == ""
