"""The audit admin's viewer (/audit/): access, filters, paging, CSV export; login events audited."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from jiesu.audit.models import AuditEntry, AuditResult
from jiesu.audit.services import EXPORT_ACTION, audit_record
from jiesu.audit.verify import audit_verify
from jiesu.orgs.models import User
from jiesu.orgs.security.testing import client_with_second_factor
from jiesu.orgs.testing import PASSWORD, World
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(world: World) -> Client:
    return client_with_second_factor(world.audit_admin)


def export_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize("url", ["/audit/", "/audit/export.csv"])
def test_anonymous_visitors_go_to_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", ["/audit/", "/audit/export.csv"])
@pytest.mark.parametrize("role", ["system_admin", "security_admin", "agent", "leader", "analyst", "outsider"])
def test_only_the_audit_admin_may_look(world: World, role: str, url: str) -> None:
    user: User = getattr(world, role)
    response = client_with_second_factor(user).get(url)
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_the_audit_admin_sees_the_trail_in_chinese(auditor: Client, world: World) -> None:
    audit_record(
        actor=world.agent, action="pii.reveal", obj=world.agent, source_address="10.1.2.3", detail={"原因": "核实"}
    )
    response = auditor.get("/audit/")
    assert response.status_code == 200
    text = page_text(response)
    assert "安全审计日志" in text and "pii.reveal" in text and "10.1.2.3" in text and "成功" in text
    assert "{&quot;原因&quot;: &quot;核实&quot;}" in text


def _entries_for_filters(world: World) -> None:
    with time_machine.travel(datetime(2026, 3, 1, 2, tzinfo=UTC), tick=False):
        audit_record(actor=world.agent, action="pii.reveal", obj=world.township, source_address="10.0.0.1")
    with time_machine.travel(datetime(2026, 3, 5, 2, tzinfo=UTC), tick=False):
        audit_record(actor=world.leader, action="pii.export", result=AuditResult.FAILURE, source_address="10.0.0.2")
        audit_record(actor=None, action="orgs.role_grant", obj=world.district, source_address="10.0.0.3")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "agent"}, {"pii.reveal"}),
        ({"action": "pii."}, {"pii.reveal", "pii.export"}),
        ({"result": "failure", "action": "pii."}, {"pii.export"}),
        ({"object_type": "orgs.unit", "action": "orgs."}, {"orgs.role_grant"}),
        ({"source_address": "10.0.0.2"}, {"pii.export"}),
        ({"occurred_from": "2026-03-01", "occurred_to": "2026-03-01"}, {"pii.reveal"}),
        ({"occurred_from": "2026-03-02", "occurred_to": "2026-03-31", "action": "pii"}, {"pii.export"}),
    ],
)
def test_filters(auditor: Client, world: World, query: dict[str, str], expected: set[str]) -> None:
    _entries_for_filters(world)
    page = auditor.get("/audit/", query)
    shown = {e.action for e in page.context["page"].object_list}
    assert shown == expected
    rows = export_rows(auditor.get("/audit/export.csv", query))
    assert {r[3] for r in rows[1:]} - {EXPORT_ACTION} == expected


def test_the_object_id_filter(auditor: Client, world: World) -> None:
    _entries_for_filters(world)
    page = auditor.get("/audit/", {"object_type": "orgs.unit", "object_id": str(world.township.pk)})
    assert [e.action for e in page.context["page"].object_list] == ["pii.reveal"]


def test_an_invalid_filter_is_shown_and_filters_nothing(auditor: Client, world: World) -> None:
    response = auditor.get("/audit/", {"source_address": "not-an-address"})
    assert response.status_code == 200
    assert "格式不正确" in page_text(response)


def test_paging(auditor: Client, world: World) -> None:
    for n in range(60):
        audit_record(actor=None, action="test.paging", detail={"n": n})
    first = auditor.get("/audit/", {"action": "test.paging"}).context["page"]
    second = auditor.get("/audit/", {"action": "test.paging", "page": "2"}).context["page"]
    assert (len(first.object_list), len(second.object_list), first.paginator.count) == (50, 10, 60)
    assert first.object_list[0].detail == {"n": 59}  # newest first
    assert "第 1 / 2 页" in page_text(auditor.get("/audit/", {"action": "test.paging"}))


def test_the_export_is_streamed_filtered_and_itself_audited(auditor: Client, world: World) -> None:
    audit_record(actor=world.agent, action="pii.reveal", detail={"原因": '=HYPERLINK("x")'}, source_address="10.0.0.9")
    response = auditor.get("/audit/export.csv", {"action": "pii."}, REMOTE_ADDR="10.8.8.8")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = export_rows(response)
    assert rows[0][:4] == ["序号", "时间", "操作人", "操作"]
    assert [r[3] for r in rows[1:]] == ["pii.reveal"]
    assert rows[1][2] == "agent" and rows[1][7] == "10.0.0.9" and rows[1][6] == "成功"
    assert '"原因"' in rows[1][8] and len(rows[1][9]) == 64
    export = AuditEntry.objects.get(action=EXPORT_ACTION)
    assert export.actor_id == world.audit_admin.pk
    assert export.source_address == "10.8.8.8"
    assert export.detail == {"format": "csv", "filters": {"action": "pii."}}
    assert audit_verify().intact


def test_spreadsheet_formulas_are_neutralised_in_the_export(auditor: Client, world: World) -> None:
    audit_record(actor=None, action="=cmd|' /C calc'!A0")
    rows = export_rows(auditor.get("/audit/export.csv", {"action": "="}))
    assert rows[1][3] == "'=cmd|' /C calc'!A0"


def test_logins_logouts_and_failed_logins_are_audited(client: Client, world: World) -> None:
    client.post("/login/", {"username": "agent", "password": "wrong"}, REMOTE_ADDR="10.7.7.7")
    failed = AuditEntry.objects.filter(action="auth.login", result=AuditResult.FAILURE).latest("sequence")
    assert failed.source_address == "10.7.7.7" and failed.detail["username"] == "agent"
    assert "wrong" not in str(failed.detail)

    client.post("/login/", {"username": "agent", "password": PASSWORD}, REMOTE_ADDR="10.7.7.8")
    login = AuditEntry.objects.filter(action="auth.login", result=AuditResult.SUCCESS).latest("sequence")
    assert login.actor_id == world.agent.pk and login.source_address == "10.7.7.8"

    client.post("/logout/", REMOTE_ADDR="10.7.7.8")
    logout = AuditEntry.objects.filter(action="auth.logout").latest("sequence")
    assert logout.actor_id == world.agent.pk and logout.sequence > login.sequence > failed.sequence
    assert audit_verify().intact
