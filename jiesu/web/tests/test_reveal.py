"""The requester on the pages: masked, the "显示" form with a reason, confidentiality, phone search, admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from jiesu.audit.models import AuditEntry, AuditResult
from jiesu.core.fields import SealedCharField
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.services.pii import CONFIDENTIAL_TEXT, REVEAL_ACTION
from jiesu.tickets.tests.helpers import REQUESTER_ID_NUMBER as ID_NUMBER
from jiesu.tickets.tests.helpers import REQUESTER_NAME as NAME
from jiesu.tickets.tests.helpers import REQUESTER_PHONE as PHONE
from jiesu.tickets.tests.helpers import new_ticket, requester_ticket
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_the_page_masks_the_requester_and_offers_the_reveal_form_to_agents(login_as: LoginAs, world: World) -> None:
    ticket = requester_ticket(world)
    text = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert "王**" in text and "138****1234" in text and "110105********1234" in text
    assert PHONE not in text and NAME not in text and ID_NUMBER not in text
    assert f'hx-post="/tickets/{ticket.number}/reveal"' in text and "查看原因" in text
    analyst = page_text(login_as(world.analyst).get(f"/tickets/{ticket.number}/"))
    assert "138****1234" in analyst and "/reveal" not in analyst


def test_revealing_with_a_reason_swaps_in_the_full_values_and_audits(login_as: LoginAs, world: World) -> None:
    ticket = requester_ticket(world)
    response = login_as(world.agent).post(f"/tickets/{ticket.number}/reveal", {"reason": "回访前核对"}, headers=HTMX)
    text = page_text(response)
    assert response.status_code == 200 and text.lstrip().startswith('<div id="requester"')
    assert NAME in text and PHONE in text and ID_NUMBER in text and "已记入审计日志" in text
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=REVEAL_ACTION)
    assert entry.result == AuditResult.SUCCESS and entry.detail["reason"] == "回访前核对"


def test_a_missing_reason_or_a_refusal_shows_the_chinese_message(login_as: LoginAs, world: World) -> None:
    ticket = requester_ticket(world)
    url = f"/tickets/{ticket.number}/reveal"
    no_reason = page_text(login_as(world.agent).post(url, {"reason": ""}, headers=HTMX))
    assert "请填写查看原因" in no_reason and PHONE not in no_reason and "138****1234" in no_reason
    refused = login_as(world.analyst).post(url, {"reason": "随便看看"})
    assert refused.status_code == 403
    assert "无权查看诉求人的完整信息" in page_text(refused) and PHONE not in page_text(refused)
    assert [e.result for e in AuditEntry.objects.filter(action=REVEAL_ACTION)] == [AuditResult.FAILURE] * 2


def test_without_htmx_the_whole_page_comes_back_with_the_values(login_as: LoginAs, world: World) -> None:
    ticket = requester_ticket(world, TicketStatus.HANDLING)
    response = login_as(world.township_staff).post(f"/tickets/{ticket.number}/reveal", {"reason": "上门核实"})
    text = page_text(response)
    assert response.status_code == 200 and "办理过程" in text and PHONE in text


def test_units_see_no_number_of_a_confidential_requester(login_as: LoginAs, world: World) -> None:
    ticket = requester_ticket(world, TicketStatus.HANDLING, confidential=True)
    unit = login_as(world.township_staff)
    for page in (page_text(unit.get(f"/tickets/{ticket.number}/")), page_text(unit.get("/tickets/"))):
        assert CONFIDENTIAL_TEXT in page and "138****1234" not in page and PHONE not in page
    assert "/reveal" not in page_text(unit.get(f"/tickets/{ticket.number}/"))
    refused = page_text(unit.post(f"/tickets/{ticket.number}/reveal", {"reason": "上门核实"}, headers=HTMX))
    assert "诉求人要求保密" in refused and PHONE not in refused
    center = page_text(login_as(world.agent).get("/tickets/"))
    assert "138****1234" in center and CONFIDENTIAL_TEXT not in center


def test_the_keyword_box_finds_a_ticket_by_phone_number(login_as: LoginAs, world: World) -> None:
    ticket = requester_ticket(world)
    other = new_ticket(world, "别的工单", requester_phone="13500000000")
    text = page_text(login_as(world.agent).get("/tickets/", {"q": "138 1234 1234"}))
    assert ticket.number in text and other.number not in text


def test_no_admin_page_shows_sealed_personal_data(world: World) -> None:
    request = RequestFactory().get("/admin/")
    request.user = world.system_admin
    for model, model_admin in admin.site._registry.items():
        sealed = {f.name for f in model._meta.concrete_fields if isinstance(f, SealedCharField)}
        if not sealed:
            continue
        shown = {*model_admin.get_list_display(request), *model_admin.get_search_fields(request)}
        shown |= set(model_admin.get_fields(request))
        assert not sealed & {str(name) for name in shown}, (model, sealed & shown)
