"""API: bulk actions and the export job (start → status → file)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from jiesu.api.tests.conftest import ClientFor, assert_error
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.exporting.jobs import export_job_wait
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import ticket_in
from jiesu.tickets.tests.test_export_jobs import queued_export


def test_bulk_reports_each_ticket(world: World, as_user: ClientFor) -> None:
    fresh = ticket_in(world, TicketStatus.RECEIVED)
    moved = ticket_in(world, TicketStatus.TRIAGED)
    body = {"action": "acknowledged", "numbers": [fresh.number, moved.number, "X1"]}
    response = as_user(world.agent).post("/api/tickets/bulk", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["done"], data["refused"]) == (1, 2)
    codes = {r["number"]: r["code"] for r in data["results"]}
    assert codes == {fresh.number: "", moved.number: "transition_not_allowed", "X1": "not_found"}
    assert Ticket.objects.get(pk=fresh.pk).status == TicketStatus.ACKNOWLEDGED
    assert Ticket.objects.get(pk=moved.pk).status == TicketStatus.TRIAGED


def test_bulk_refuses_too_many_and_unsupported_actions(world: World, as_user: ClientFor) -> None:
    client = as_user(world.agent)
    many = client.post(
        "/api/tickets/bulk", {"action": "urged", "reason": "快", "numbers": [f"N{n}" for n in range(501)]}
    )
    assert "500" in assert_error(many, 400, "validation_failed")["message"]
    assert_error(client.post("/api/tickets/bulk", {"action": "closed", "numbers": ["N1"]}), 400, "validation_failed")


def test_bulk_keeps_to_the_scope(world: World, as_user: ClientFor) -> None:
    ticket = ticket_in(world, TicketStatus.DISPATCHED)
    body = {"action": "unit_acknowledged", "numbers": [ticket.number]}
    data = as_user(world.other_staff).post("/api/tickets/bulk", body).json()
    assert data["results"][0]["code"] == "not_found"
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DISPATCHED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_export_job_runs_and_only_its_owner_downloads(world: World, as_user: ClientFor) -> None:
    ticket_in(world, TicketStatus.RECEIVED)
    ticket_in(world, TicketStatus.ACKNOWLEDGED)
    client = as_user(world.agent)
    started = client.post("/api/tickets/export", {"status": ["received"]})
    assert started.status_code == 202, started.content
    job_id = started.json()["id"]
    export_job_wait(job_id, timeout=60)
    status = client.get(f"/api/exports/{job_id}").json()
    assert status["state"] == "done" and status["rows"] == 1 and status["file_url"] == f"/api/exports/{job_id}/file"
    file = client.get(status["file_url"])
    assert file.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(file.streaming_content)), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号" and len(rows) == 2
    other = as_user(world.shift_lead)
    assert_error(other.get(f"/api/exports/{job_id}"), 404, "not_found")
    assert_error(other.get(f"/api/exports/{job_id}/file"), 404, "not_found")


def test_an_unknown_export_is_a_structured_404(world: World, as_user: ClientFor) -> None:
    assert_error(as_user(world.agent).get("/api/exports/" + "0" * 32), 404, "not_found")


@pytest.mark.parametrize("body", ["false", "0", '"x"', "true"])
def test_a_body_that_is_not_an_object_is_refused_and_starts_nothing(
    world: World, as_user: ClientFor, body: str
) -> None:
    client = as_user(world.agent).client
    response = client.post("/api/tickets/export", body, content_type="application/json")
    assert_error(response, 400, "malformed_request")
    started = as_user(world.agent).post("/api/tickets/export", {})
    assert started.status_code == 202, started.content  # no export was left running by the refused one
    export_job_wait(started.json()["id"], timeout=60)


def test_a_second_export_while_one_runs_is_a_structured_409(world: World, as_user: ClientFor) -> None:
    waiting = queued_export(world.agent)
    try:
        refused = as_user(world.agent).post("/api/tickets/export", {"status": ["received"]})
        body = assert_error(refused, 409, "export_running")
        assert body["message"] == "您已有一个导出任务正在进行，请等待完成"
        assert body["details"] == {"job_id": waiting.id}
    finally:
        cache.clear()
