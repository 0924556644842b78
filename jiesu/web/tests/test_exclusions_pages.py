"""剔除审核 pages: requests from the ticket page with evidence, the queue, review, export, and
the reason-list management."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, EventKind, ExclusionDecision, ExclusionKind, TicketStatus
from jiesu.tickets.models import Attachment, ExclusionReason, ExclusionRequest, Ticket
from jiesu.tickets.services import assessment
from jiesu.tickets.tests.helpers import ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import act, page_text

pytestmark = pytest.mark.django_db
E = EventKind


def requested(world: World, code: str = "repeat", kind: str = ExclusionKind.EXCLUSION) -> ExclusionRequest:
    ticket = ticket_in(world, TicketStatus.CLOSED)
    request = assessment.AssessmentRequest(kind, code, "诉求人重复来电，已多次答复")
    return assessment.ticket_assessment_request(ticket=ticket, actor=world.township_staff, request=request)


def test_the_ticket_page_offers_the_reasons_in_force_with_their_conditions(world: World, login_as: LoginAs) -> None:
    ExclusionReason.objects.filter(code="legal_channel").update(evidence_required=True, request_within_days=15)
    ticket = ticket_in(world, TicketStatus.CLOSED)
    html = page_text(login_as(world.township_staff).get(f"/tickets/{ticket.number}/"))
    assert "应通过诉讼、仲裁、复议、信访等途径解决（不纳入考核，办结后15天内，须佐证材料）" in html
    assert "申请认定不合理诉求" in html and "诉求违背公序良俗" in html
    assert "佐证材料（可多选）" in html


def test_a_refused_request_keeps_the_input_and_names_the_problem(world: World, login_as: LoginAs) -> None:
    ExclusionReason.objects.filter(code="legal_channel").update(evidence_required=True)
    ticket = ticket_in(world, TicketStatus.CLOSED)
    client = login_as(world.township_staff)
    response = act(client, ticket, E.EXCLUSION_REQUESTED, reason_code="legal_channel", reason="已进入诉讼程序")
    html = page_text(response)
    assert response.status_code == 400
    assert "须上传佐证材料" in html and "已进入诉讼程序" in html
    assert not ExclusionRequest.objects.exists()

    proof = SimpleUploadedFile("起诉状.pdf", b"%PDF court", content_type="application/pdf")
    response = act(
        client, ticket, E.EXCLUSION_REQUESTED, reason_code="legal_channel", reason="已进入诉讼程序", evidence=proof
    )
    assert response.status_code == 302, page_text(response)
    row = ExclusionRequest.objects.get(ticket=ticket)
    assert [a.original_name for a in Attachment.objects.filter(event=row.request_event)] == ["起诉状.pdf"]


def test_the_queue_shows_pending_requests_with_evidence_links(world: World, login_as: LoginAs) -> None:
    row = requested(world)
    decided = requested(world, code="other", kind=ExclusionKind.UNREASONABLE)
    assessment.exclusion_request_decide(request=decided, actor=world.shift_lead, approve=False, note="不成立")
    client = login_as(world.shift_lead)
    html = page_text(client.get("/exclusions/"))
    assert row.ticket.number in html and decided.ticket.number not in html
    assert '<span id="request-count">1</span>' in html and "重复诉求且无新情况新理由" in html
    html = page_text(client.get("/exclusions/", {"decision": "", "kind": "unreasonable"}))
    assert decided.ticket.number in html and row.ticket.number not in html and "查否（驳回）" in html
    assert page_text(login_as(world.other_staff).get("/exclusions/")).count('data-request="') == 0
    assert login_as(world.outsider).get("/exclusions/").status_code == 403
    assert "剔除审核" in page_text(client.get("/"))


def test_the_shift_lead_approves_on_the_review_page(world: World, login_as: LoginAs) -> None:
    row = requested(world)
    client = login_as(world.shift_lead)
    assert "提交审核" in page_text(client.get(f"/exclusions/{row.pk}/"))
    response = client.post(f"/exclusions/{row.pk}/", {"decision": "approve", "note": "情况属实"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.decision, row.reviewer, row.decision_note) == (ExclusionDecision.APPROVED, world.shift_lead, "情况属实")
    assert Ticket.objects.get(pk=row.ticket_id).assessment_scope == AssessmentScope.RESPONSE_ONLY


def test_a_rejection_without_a_note_is_refused_beside_the_note(world: World, login_as: LoginAs) -> None:
    row = requested(world)
    response = login_as(world.shift_lead).post(f"/exclusions/{row.pk}/", {"decision": "reject", "note": " "})
    assert response.status_code == 400
    html = page_text(response)
    assert '<span class="error">「剔除查否」必须填写原因或说明</span>' in html
    assert 'value="reject" required id="id_decision_1" checked' in html  # the choice is kept
    assert ExclusionRequest.objects.get(pk=row.pk).decision == ExclusionDecision.PENDING


def test_units_see_their_request_but_cannot_decide(world: World, login_as: LoginAs) -> None:
    row = requested(world)
    client = login_as(world.township_staff)
    html = page_text(client.get(f"/exclusions/{row.pk}/"))
    assert "提交审核" not in html and "待审核" in html
    assert client.post(f"/exclusions/{row.pk}/", {"decision": "approve"}).status_code == 403
    assert login_as(world.other_staff).get(f"/exclusions/{row.pk}/").status_code == 404


def test_the_export_has_the_rows_of_the_page(world: World, login_as: LoginAs) -> None:
    row = requested(world)
    response = login_as(world.shift_lead).get("/exclusions/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:3] == ["工单编号", "标题", "主办单位"]
    assert [v[0] for v in values[1:]] == [row.ticket.number]
    assert values[1][3:6] == ["剔除（考核申诉）", "重复诉求且无新情况新理由", "只考核响应率"]


def test_the_reason_list_page_adds_a_version_and_retires(world: World, login_as: LoginAs) -> None:
    client = login_as(world.shift_lead)
    assert "重复诉求且无新情况新理由" in page_text(client.get("/exclusions/reasons/"))
    start = timezone.localdate() + timedelta(days=10)
    form = {
        "kind": "exclusion",
        "code": "repeat",
        "label": "重复诉求（新口径）",
        "default_scope": "excluded",
        "request_within_days": "30",
        "effective_from": start.isoformat(),
    }
    assert client.post("/exclusions/reasons/", form).status_code == 302
    assert ExclusionReason.objects.get(code="repeat", effective_from=start).request_within_days == 30
    again = client.post("/exclusions/reasons/", {**form, "label": "再改一次"})
    assert again.status_code == 409 and "新版本的生效日期须晚于它" in page_text(again)
    assert 'value="再改一次"' in page_text(again)

    other = ExclusionReason.objects.get(kind="exclusion", code="other")
    assert client.post(f"/exclusions/reasons/{other.pk}/retire", {"effective_to": "2019-01-01"}).status_code == 400
    assert client.post(f"/exclusions/reasons/{other.pk}/retire", {"effective_to": "2030-01-01"}).status_code == 302
    assert ExclusionReason.objects.get(pk=other.pk).effective_to == date(2030, 1, 1)


@pytest.mark.parametrize("who", ["agent", "township_staff", "leader"])
def test_only_managers_open_the_reason_list(world: World, login_as: LoginAs, who: str) -> None:
    assert login_as(getattr(world, who)).get("/exclusions/reasons/").status_code == 403


def test_the_timeline_names_the_reason_from_the_list(world: World, login_as: LoginAs) -> None:
    row = requested(world, code="beyond_policy", kind=ExclusionKind.UNREASONABLE)
    html = page_text(login_as(world.shift_lead).get(f"/tickets/{row.ticket.number}/"))
    assert "申请原因：诉求超出政策规定，已依法依规解释" in html


def test_the_queue_reads_a_fixed_number_of_queries(
    world: World, login_as: LoginAs, django_assert_max_num_queries: Any
) -> None:
    client = login_as(world.shift_lead)
    requested(world)
    with CaptureQueriesContext(connection) as one:
        client.get("/exclusions/")
    for _ in range(4):
        requested(world)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/exclusions/")
    assert page_text(response).count('data-request="') == 5
