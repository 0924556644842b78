"""The exclusion endpoints: the reason list, filing with evidence, the request list and decisions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, TicketStatus
from jiesu.tickets.models import ExclusionReason, Ticket
from jiesu.tickets.services import assessment
from jiesu.tickets.tests.helpers import ticket_in

pytestmark = pytest.mark.django_db


def file_request(client: ApiClient, number: str, **fields: Any) -> Any:
    raw = Client(headers={"Authorization": f"Bearer {client.token}"})
    return raw.post(f"/api/tickets/{number}/exclusion-requests", fields)


def test_the_reason_list_in_force_and_its_history(world: World, as_user: ClientFor) -> None:
    client = as_user(world.township_staff)
    body = client.get("/api/exclusion-reasons", kind="unreasonable").json()
    assert [r["code"] for r in body][:2] == ["illegal_demand", "against_public_order"]
    assert {r["kind"] for r in body} == {"unreasonable"}
    assert len(client.get("/api/exclusion-reasons", on="2019-12-31").json()) == 0
    history = client.get("/api/exclusion-reasons", history="true").json()
    assert len(history) == ExclusionReason.objects.count()
    assert_error(as_user(world.outsider).get("/api/exclusion-reasons"), 403, "permission_denied")


def test_a_unit_files_a_request_with_evidence_and_the_lead_decides(world: World, as_user: ClientFor) -> None:
    ExclusionReason.objects.filter(code="legal_channel").update(evidence_required=True)
    ticket = ticket_in(world, TicketStatus.CLOSED)
    unit = as_user(world.township_staff)
    refused = file_request(unit, ticket.number, kind="exclusion", reason_code="legal_channel", statement="已起诉")
    assert "须上传佐证材料" in assert_error(refused, 400, "ticket_invalid")["message"]

    proof = SimpleUploadedFile("起诉书.pdf", b"%PDF proof", content_type="application/pdf")
    response = file_request(
        unit, ticket.number, kind="exclusion", reason_code="legal_channel", statement="已起诉", evidence=[proof]
    )
    assert response.status_code == 201, response.content.decode()
    filed = response.json()
    assert (filed["decision"], filed["scope"], filed["reason_label"]) == (
        "pending",
        "excluded",
        "应通过诉讼、仲裁、复议、信访等途径解决",
    )
    [evidence] = filed["evidence"]
    download = unit.get(f"/api/tickets/{ticket.number}/attachments/{evidence['id']}")
    assert download.status_code == 200

    assert_error(
        unit.post(f"/api/exclusion-requests/{filed['id']}/decision", {"approve": True}), 403, "action_forbidden"
    )
    lead = as_user(world.shift_lead)
    assert [r["id"] for r in lead.get("/api/exclusion-requests", decision="pending").json()["items"]] == [filed["id"]]
    decided = lead.post(f"/api/exclusion-requests/{filed['id']}/decision", {"approve": True, "note": "属实"})
    assert decided.status_code == 200, decided.content.decode()
    assert (decided.json()["decision"], decided.json()["reviewer"]["username"]) == ("approved", "lead")
    assert Ticket.objects.get(pk=ticket.pk).assessment_scope == AssessmentScope.EXCLUDED
    again = lead.post(f"/api/exclusion-requests/{filed['id']}/decision", {"approve": False, "note": "改判"})
    assert_error(again, 409, "guard_failed")


def test_a_rejection_needs_a_note(world: World, as_user: ClientFor) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    event = assessment.ticket_unreasonable_request(
        ticket=ticket, actor=world.township_staff, reason_code="other", reason="无理纠缠"
    )
    lead = as_user(world.shift_lead)
    pk = event.exclusion_request.pk
    assert_error(lead.post(f"/api/exclusion-requests/{pk}/decision", {"approve": False}), 400, "reason_required")
    assert lead.post(f"/api/exclusion-requests/{pk}/decision", {"approve": False, "note": "不成立"}).status_code == 200
    assert not Ticket.objects.get(pk=ticket.pk).is_unreasonable


def test_the_request_list_is_scoped_and_filtered(world: World, as_user: ClientFor) -> None:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    event = assessment.ticket_exclusion_request(
        ticket=ticket, actor=world.township_staff, reason_code="repeat", reason="重复"
    )
    assert as_user(world.other_staff).get("/api/exclusion-requests").json()["count"] == 0
    assert_error(
        as_user(world.other_staff).post(
            f"/api/exclusion-requests/{event.exclusion_request.pk}/decision", {"approve": True}
        ),
        404,
        "not_found",
    )
    lead = as_user(world.shift_lead)
    assert lead.get("/api/exclusion-requests", kind="unreasonable").json()["count"] == 0
    body = lead.get("/api/exclusion-requests", kind="exclusion", unit=world.township.pk).json()
    assert body["count"] == 1 and body["items"][0]["ticket"]["number"] == ticket.number
    assert body["items"][0]["submitted_by"]["username"] == "township_staff"
    assert_error(lead.get("/api/exclusion-requests", decision="maybe"), 422, "invalid_input")
