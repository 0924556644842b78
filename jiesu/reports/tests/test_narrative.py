"""The narrative: every figure in the text is one of the facts, and the Chinese reads right."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from jiesu.kpi.tests.support import at, build_march_ledger, ticket
from jiesu.orgs.testing import World
from jiesu.reports.facts import ReportFacts, report_facts
from jiesu.reports.narrative import report_narrative
from jiesu.reports.periods import period_parse, period_special
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket

pytestmark = pytest.mark.django_db
MARCH = period_parse("monthly", "2024-03")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.1f}"


def figures_of(facts: ReportFacts) -> set[str]:
    """Every figure the text may show, formatted independently of the narrative module."""
    counts = [facts.received, facts.closed, facts.overdue, facts.returned, facts.repeat, len(facts.notable)]
    breakdowns = [*facts.by_channel, *facts.by_kind, *facts.top_categories, *facts.top_districts, *facts.top_townships]
    counts += [c.value for c in breakdowns]
    counts += [sum(1 for n in facts.notable if n.reason.startswith(p)) for p in ("督办", "紧急", "超期", "重复")]
    allowed = {f"{n:,}" for n in counts}
    allowed |= {_percent(c.share) for c in breakdowns}
    allowed |= {f"{abs(p):.1f}" for p in (facts.change_previous_pct, facts.change_year_ago_pct) if p is not None}
    allowed |= {_percent(r.value) for r in facts.rates if r.value is not None}
    allowed |= {f"{r.target * 100:.1f}".rstrip("0").rstrip(".") for r in facts.rates if r.target is not None}
    if facts.received:
        allowed.add(_percent(facts.repeat / facts.received))
    if facts.score is not None:
        allowed.add(f"{facts.score:g}")
    if facts.period.kind == "special":
        allowed |= set(NUMBER.findall(facts.period.label))
    return allowed


def assert_figures_match(facts: ReportFacts) -> str:
    text = "\n".join(report_narrative(facts))
    found = NUMBER.findall(text)
    assert found, text
    assert set(found) <= figures_of(facts), (set(found) - figures_of(facts), text)
    return text


def test_every_figure_is_a_fact(world: World) -> None:
    build_march_ledger(world)
    ticket(world, received_at=at(2, 10))
    facts = report_facts(period=MARCH)
    text = assert_figures_match(facts)
    first = report_narrative(facts)[0]
    assert first == "本月共受理诉求7件，环比上升250.0%。其中重复诉求1件，占14.3%。"
    assert "同比" not in first  # March 2023 had no tickets: no change, no division by zero
    assert "从受理渠道看，电话7件（占100.0%）" in text
    assert "诉求较多的区为朝阳区6件（占85.7%）、海淀区1件（占14.3%）" in text
    assert "本月办结诉求5件，超期未反馈工单1件，无退单。" in text
    assert "未指定" not in text  # the ledger's tickets have no category: no category sentence
    assert "按北京三率考核口径，响应率100.0%；解决率66.7%；满意率63.3%。综合成绩68.67分。" in text


def test_rates_against_targets(world: World) -> None:
    build_march_ledger(world)
    facts = report_facts(period=MARCH, scheme_code="civil-affairs-contract")
    text = assert_figures_match(facts)
    assert "响应率100.0%，达到目标100%" in text
    assert "解决率66.7%，低于目标90%，未达标" in text
    assert "满意率63.3%，低于目标95%，未达标" in text
    assert "回访率80.0%，低于目标100%，未达标" in text
    high = replace(facts.rates[1], value=0.934, met=True)
    assert "解决率93.4%，高于目标90%。" in "".join(report_narrative(replace(facts, rates=[high])))


@pytest.mark.parametrize(
    ("previous", "year_ago", "sentence"),
    [
        (5.2, -3.1, "本月共受理诉求1,234件，环比上升5.2%，同比下降3.1%。"),
        (0.0, 12.0, "本月共受理诉求1,234件，环比持平，同比上升12.0%。"),
        (-0.4, None, "本月共受理诉求1,234件，环比下降0.4%。"),
        (None, None, "本月共受理诉求1,234件。"),
    ],
)
def test_up_down_flat(world: World, previous: float | None, year_ago: float | None, sentence: str) -> None:
    facts = replace(
        report_facts(period=MARCH), received=1234, change_previous_pct=previous, change_year_ago_pct=year_ago
    )
    assert report_narrative(facts)[0] == sentence


def test_real_year_ago_decrease(world: World) -> None:
    build_march_ledger(world)
    for day in range(1, 9):
        ticket(world, received_at=at(3, day).replace(year=2023))
    facts = report_facts(period=MARCH)
    assert "同比下降12.5%" in assert_figures_match(facts)


@pytest.mark.parametrize(
    ("kind", "key", "sentence"),
    [
        ("weekly", "2020-W53", "本周未受理诉求。"),
        ("daily", "2020-12-30", "当日未受理诉求。"),
        ("quarterly", "2020-Q4", "本季度未受理诉求。"),
        ("half_year", "2020-H2", "本半年未受理诉求。"),
        ("annual", "2020", "本年度未受理诉求。"),
    ],
)
def test_empty_period(world: World, kind: str, key: str, sentence: str) -> None:
    paragraphs = report_narrative(report_facts(period=period_parse(kind, key)))
    assert paragraphs[0] == sentence
    assert paragraphs[1].endswith("无办结诉求，无超期工单，无退单。")
    assert "响应率暂无数据；解决率暂无数据；满意率暂无数据。" in paragraphs[2]
    assert len(paragraphs) == 3


def test_special_report_and_notable_tickets(world: World) -> None:
    ledger = build_march_ledger(world)
    Ticket.objects.filter(pk__in=[ledger["A"].pk, ledger["B"].pk]).update(title="小区供暖不热")
    ticket(world, title="供暖重复反映", received_at=at(3, 21), status=TicketStatus.MERGED, merged_into=ledger["A"])
    window = period_special(date(2024, 3, 1), date(2024, 3, 31))
    facts = report_facts(period=window, topic="供暖", district=world.district)
    text = assert_figures_match(facts)
    assert text.startswith("2024年3月1日至3月31日期间共受理朝阳区涉及“供暖”的诉求3件")
    assert "需重点关注的工单2件（超期工单1件、重复诉求1件），详见重点工单表。" in text
