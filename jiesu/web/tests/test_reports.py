"""The reports page: who may open it, the preview's numbers, the choice's errors, and the ledger."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.reports.facts import report_facts
from jiesu.reports.models import DeliveryResult, ReportDelivery
from jiesu.reports.narrative import report_narrative
from jiesu.reports.periods import period_parse
from jiesu.reports.services import report_generate
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import new_ticket
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

WEEK = "2026-W40"  # Monday 28 September to Sunday 4 October 2026


@pytest.fixture(autouse=True)
def _own_report_root(settings: Any, tmp_path: Path) -> None:
    # Version folders left on disk by earlier tests would otherwise move the version numbers on.
    settings.REPORT_ROOT = tmp_path / "reports"


def text_of(response: Any) -> str:
    return html.unescape(page_text(response))


def tickets_in_week(world: World, n: int, *, week: str = WEEK) -> list[Ticket]:
    period = period_parse("weekly", week)
    moment = timezone.make_aware(datetime.combine(period.start, datetime.min.time())) + timedelta(hours=10)
    made = []
    for i in range(n):
        ticket = new_ticket(world, title=f"小区暖气不热{i}")
        Ticket.objects.filter(pk=ticket.pk).update(received_at=moment + timedelta(days=i % 7))
        made.append(ticket)
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["township_staff", "district_staff", "agent", "callback_agent", "outsider"])
@pytest.mark.parametrize("url", ["/reports/", "/reports/ledger/", "/reports/settings/"])
def test_others_get_a_403_in_chinese(login_as: LoginAs, world: World, role: str, url: str) -> None:
    response = login_as(getattr(world, role)).get(url)
    assert response.status_code == 403
    assert "无权访问" in page_text(response)


@pytest.mark.django_db
def test_the_nav_offers_reports_to_readers_only(login_as: LoginAs, world: World) -> None:
    assert 'href="/reports/">报告</a>' in page_text(login_as(world.leader).get("/"))
    assert 'href="/reports/">报告</a>' not in page_text(login_as(world.township_staff).get("/"))


@pytest.mark.django_db
def test_the_default_is_last_weeks_weekly_report(login_as: LoginAs, world: World) -> None:
    response = login_as(world.analyst).get("/reports/")
    assert response.status_code == 200
    text = text_of(response)
    assert 'id="report-narrative"' in text and 'id="report-generate"' in text
    assert "本周未受理诉求" in text or "本周共受理诉求" in text


@pytest.mark.django_db
def test_the_preview_shows_the_narrative_with_the_right_numbers(login_as: LoginAs, world: World) -> None:
    tickets_in_week(world, 3)
    response = login_as(world.leader).get("/reports/", {"kind": "weekly", "period": WEEK, "family": "hotline"})
    assert response.status_code == 200
    text = text_of(response)
    facts = report_facts(period=period_parse("weekly", WEEK))
    assert facts.received == 3
    for paragraph in report_narrative(facts):
        assert paragraph in text
    assert "本周共受理诉求3件" in text
    assert re.search(r'id="fact-received">3<', text)
    assert "2026年第40周（9月28日至10月4日）" in text
    assert 'id="report-rates"' in text and "响应率" in text


@pytest.mark.django_db
def test_leaders_read_but_may_not_generate(login_as: LoginAs, world: World) -> None:
    client = login_as(world.leader)
    page = page_text(client.get("/reports/", {"kind": "weekly", "period": WEEK}))
    assert 'id="report-generate"' not in page and "生成报告请联系分析员或班长" in page
    response = client.post("/reports/generate", {"kind": "weekly", "period": WEEK, "family": "hotline"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_bad_period_is_shown_beside_the_field_and_the_input_is_kept(login_as: LoginAs, world: World) -> None:
    response = login_as(world.analyst).get("/reports/", {"kind": "monthly", "period": "2026-13", "family": "hotline"})
    assert response.status_code == 400
    text = text_of(response)
    field = re.search(r'<div class="field has-error[^"]*" data-field="period">(.*?)</div>', text, re.S)
    assert field is not None, text
    assert "报告周期“2026-13”无效" in field.group(1)
    assert 'value="2026-13"' in field.group(1)
    assert 'id="report-preview"' not in text


@pytest.mark.django_db
def test_the_public_line_is_refused_in_chinese_beside_the_family(login_as: LoginAs, world: World) -> None:
    response = login_as(world.analyst).get("/reports/", {"kind": "weekly", "period": WEEK, "family": "public_line"})
    assert response.status_code == 400
    field = re.search(r'data-field="family">(.*?)</div>', text_of(response), re.S)
    assert field is not None and "公共咨询线尚未启用" in field.group(1)


@pytest.mark.django_db
def test_a_special_report_needs_its_dates_in_order(login_as: LoginAs, world: World) -> None:
    client = login_as(world.analyst)
    missing = text_of(client.get("/reports/", {"kind": "special", "family": "hotline", "topic": "暖气"}))
    assert "专报须填写起止日期" in missing and 'value="暖气"' in missing
    backwards = client.get(
        "/reports/", {"kind": "special", "family": "hotline", "start": "2026-10-09", "end": "2026-10-01"}
    )
    assert backwards.status_code == 400 and "截止日期不能早于起始日期" in text_of(backwards)


@pytest.mark.django_db
def test_a_special_report_previews_its_topic(login_as: LoginAs, world: World) -> None:
    tickets_in_week(world, 2)
    new_ticket(world, title="噪音扰民")
    query = {"kind": "special", "family": "hotline", "start": "2026-09-28", "end": "2026-10-04", "topic": "暖气"}
    text = text_of(login_as(world.analyst).get("/reports/", query))
    assert re.search(r'id="fact-received">2<', text), text
    assert 'name="topic" value="暖气"' in text


@pytest.mark.django_db
def test_the_ledger_shows_a_generated_and_sent_period_as_on_time(login_as: LoginAs, world: World) -> None:
    period = period_parse("weekly", WEEK)
    report = report_generate(kind="weekly", period=period, actor=world.analyst)
    sent = timezone.make_aware(datetime.combine(period.end + timedelta(days=3), datetime.min.time()))
    ReportDelivery.objects.create(
        report=report, recipients=["leader@example.cn"], attempted_at=sent, sent_at=sent, result=DeliveryResult.SENT
    )
    response = login_as(world.leader).get("/reports/ledger/", {"year": 2026})
    assert response.status_code == 200
    text = text_of(response)
    row = re.search(rf'<tr data-period="{WEEK}" data-state="(\w+)">(.*?)</tr>', text, re.S)
    assert row is not None
    assert row.group(1) == "on_time" and "按时报送" in row.group(2)
    assert "leader@example.cn" in row.group(2) and "v1" in row.group(2)
    counts = re.search(r'<tr data-kind="weekly">(.*?)</tr>', text, re.S)
    assert counts is not None and "<td>52</td>" in counts.group(1)
