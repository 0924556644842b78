"""The report endpoints: preview, generate, read, download, the delivery ledger, and their errors."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from jiesu.api.tests.conftest import ClientFor, assert_error
from jiesu.audit.models import AuditEntry
from jiesu.orgs.testing import World
from jiesu.reports.facts import report_facts
from jiesu.reports.models import DeliveryResult, GeneratedReport, ReportDelivery
from jiesu.reports.narrative import report_narrative
from jiesu.reports.periods import period_parse
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import new_ticket

WEEK = "2026-W40"


@pytest.fixture(autouse=True)
def _own_report_root(settings: Any, tmp_path: Path) -> None:
    # Version folders left on disk by earlier tests would otherwise move the version numbers on.
    settings.REPORT_ROOT = tmp_path / "reports"


def tickets_in_week(world: World, n: int) -> None:
    period = period_parse("weekly", WEEK)
    moment = timezone.make_aware(datetime.combine(period.start, datetime.min.time())) + timedelta(hours=9)
    for i in range(n):
        ticket = new_ticket(world, title=f"小区暖气不热{i}")
        Ticket.objects.filter(pk=ticket.pk).update(received_at=moment + timedelta(days=i))


@pytest.mark.django_db
def test_preview_gives_the_facts_and_the_narrative(world: World, as_user: ClientFor) -> None:
    tickets_in_week(world, 4)
    response = as_user(world.leader).get("/api/reports/preview", kind="weekly", period=WEEK)
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    facts = report_facts(period=period_parse("weekly", WEEK))
    assert body["received"] == facts.received == 4
    assert body["period"]["label"] == "2026年第40周（9月28日至10月4日）"
    assert body["period"]["due_on"] == "2026-10-11"
    assert body["narrative"] == report_narrative(facts)
    assert "本周共受理诉求4件" in body["narrative"][0]
    assert [r["code"] for r in body["rates"]][:3] == ["response_rate", "resolution_rate", "satisfaction_rate"]
    assert sum(d["count"] for d in body["daily"]) == 4 and len(body["daily"]) == 7


@pytest.mark.django_db
def test_preview_of_a_special_report_narrows_to_topic_and_district(world: World, as_user: ClientFor) -> None:
    tickets_in_week(world, 2)
    query = {"kind": "special", "start": "2026-09-28", "end": "2026-10-04", "topic": "暖气"}
    body = as_user(world.analyst).get("/api/reports/preview", **query, district=world.district.code).json()
    assert body["received"] == 2 and body["district"] == "朝阳区" and body["topic"] == "暖气"
    other = as_user(world.analyst).get("/api/reports/preview", **query, district=world.other_district.code).json()
    assert other["received"] == 0


@pytest.mark.django_db
def test_preview_errors_are_structured_and_chinese(world: World, as_user: ClientFor) -> None:
    client = as_user(world.analyst)
    bad = assert_error(client.get("/api/reports/preview", kind="monthly", period="2026-13"), 400, "validation_failed")
    assert "2026-13" in bad["message"] and bad["details"]["period"] == "2026-13"
    assert_error(client.get("/api/reports/preview", kind="fortnightly"), 422, "invalid_input")
    public = client.get("/api/reports/preview", kind="weekly", period=WEEK, family="public_line")
    assert assert_error(public, 400, "family_unavailable")["message"] == "公共咨询线尚未启用，暂无法生成该系列报告"
    missing = assert_error(client.get("/api/reports/preview", kind="special"), 400, "validation_failed")
    assert missing["details"]["field"] == "start"
    assert_error(
        client.get("/api/reports/preview", kind="special", start="2026-10-01", end="2026-10-02", district="999999"),
        400,
        "validation_failed",
    )
    two_days = {"kind": "special", "start": "2026-10-01", "end": "2026-10-02"}
    for district in ("²", "9" * 30):  # a Unicode digit, an id beyond bigint: refused, not a crash
        odd = client.get("/api/reports/preview", **two_days, district=district)
        assert assert_error(odd, 400, "validation_failed")["details"]["field"] == "district"
    long = client.get("/api/reports/preview", kind="special", start="2020-01-01", end="2026-10-02")
    assert "366" in assert_error(long, 400, "validation_failed")["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["township_staff", "district_staff", "agent", "outsider"])
def test_others_get_403_permission_denied(world: World, as_user: ClientFor, role: str) -> None:
    client = as_user(getattr(world, role))
    assert_error(client.get("/api/reports/preview", kind="weekly", period=WEEK), 403, "permission_denied")
    assert_error(client.get("/api/reports/ledger", year=2026), 403, "permission_denied")
    assert_error(client.get("/api/reports/1"), 403, "permission_denied")


@pytest.mark.django_db
def test_leaders_may_not_generate(world: World, as_user: ClientFor) -> None:
    response = as_user(world.leader).post("/api/reports", {"kind": "weekly", "period": WEEK})
    body = assert_error(response, 403, "permission_denied")
    assert "分析员和班长" in body["message"]


@pytest.mark.django_db
def test_generate_read_and_download(world: World, as_user: ClientFor) -> None:
    tickets_in_week(world, 3)
    created = as_user(world.shift_lead).post("/api/reports", {"kind": "weekly", "period": WEEK})
    assert created.status_code == 201, created.content.decode()
    body = created.json()
    assert body["version"] == 1 and body["period_key"] == WEEK and body["generated_by"] == "lead"
    assert body["summary"]["received"] == 3 and set(body["files"]) == {"docx", "xlsx", "zip"}

    leader = as_user(world.leader)
    assert leader.get(f"/api/reports/{body['id']}").json()["files"] == body["files"]
    docx = leader.get(body["files"]["docx"]["url"])
    assert docx.status_code == 200
    content = b"".join(docx.streaming_content)
    assert len(content) == body["files"]["docx"]["size"]
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "本周共受理诉求3件" in text
    assert AuditEntry.objects.filter(action="reports.download", actor=world.leader).exists()

    again = as_user(world.analyst).post("/api/reports", {"kind": "weekly", "period": WEEK}).json()
    assert again["version"] == 2 and GeneratedReport.objects.count() == 2


@pytest.mark.django_db
def test_a_special_report_is_generated_for_one_district(world: World, as_user: ClientFor) -> None:
    tickets_in_week(world, 3)
    Ticket.objects.filter(title="小区暖气不热2").update(district=world.other_district, township=world.other_township)
    client = as_user(world.analyst)
    special = {"kind": "special", "start": "2026-09-28", "end": "2026-10-04", "district": world.district.code}
    created = client.post("/api/reports", special)
    assert created.status_code == 201, created.content.decode()
    body = created.json()
    assert body["district"] == "朝阳区" and body["summary"]["received"] == 2
    assert body["files"]["docx"]["name"].endswith("_朝阳区_v1.docx")
    whole = client.post("/api/reports", {**special, "district": None}).json()
    assert whole["district"] == "" and whole["summary"]["received"] == 3 and whole["version"] == 2
    unknown = client.post("/api/reports", {**special, "district": "999999"})
    assert assert_error(unknown, 400, "validation_failed")["details"]["field"] == "district"
    assert GeneratedReport.objects.count() == 2  # nothing stored for the refusal


@pytest.mark.django_db
def test_read_and_download_errors(world: World, as_user: ClientFor) -> None:
    client = as_user(world.leader)
    assert_error(client.get("/api/reports/999"), 404, "not_found")
    assert_error(client.get("/api/reports/999/docx"), 404, "not_found")
    assert_error(client.get("/api/reports/1/pdf"), 422, "invalid_input")
    bad = as_user(world.analyst).post("/api/reports", {"kind": "weekly", "period": "2026-W60"})
    assert_error(bad, 400, "validation_failed")


@pytest.mark.django_db
def test_the_ledger_shows_a_period_sent_in_time(world: World, as_user: ClientFor) -> None:
    report = as_user(world.analyst).post("/api/reports", {"kind": "weekly", "period": WEEK}).json()
    sent = timezone.make_aware(datetime(2026, 10, 6, 9))
    ReportDelivery.objects.create(
        report_id=report["id"], recipients=["a@example.cn"], attempted_at=sent, sent_at=sent, result=DeliveryResult.SENT
    )
    body = as_user(world.leader).get("/api/reports/ledger", year=2026).json()
    line = next(x for x in body["lines"] if x["kind"] == "weekly" and x["period"]["key"] == WEEK)
    assert line["state"] == "on_time" and line["recipients"] == ["a@example.cn"] and line["version"] == 1
    weekly = next(c for c in body["counts"] if c["kind"] == "weekly")
    assert weekly["owed"] == 52 and weekly["on_time"] == 1
    assert [c["owed"] for c in body["counts"]] == [52, 12, 4, 2, 1]
    assert_error(as_user(world.leader).get("/api/reports/ledger", year=1900), 422, "invalid_input")
