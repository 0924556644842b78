"""The lexicon page (versions, a new version, input kept on error, the try box), the sensitive
panel and the remit panel of the ticket page."""

from __future__ import annotations

from datetime import date

import pytest

from jiesu.intel.sensitive.lexicon import lexicon_in_force
from jiesu.intel.sensitive.screen import sensitive_screen
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.search.index import entry_reindex
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.security.testing import client_with_second_factor
from jiesu.orgs.services import unit_create
from jiesu.orgs.testing import World
from jiesu.tickets.tests.helpers import new_ticket
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db
URL = "/intel/lexicon/"


def test_the_page_shows_the_version_in_force_to_shift_leads_and_admins(world: World, login_as: LoginAs) -> None:
    for client in (login_as(world.shift_lead), client_with_second_factor(world.system_admin)):
        response = client.get(URL)
        text = page_text(response)
        assert response.status_code == 200
        assert "默认敏感词库" in text
        assert "危及生命\t不想活了" in text  # the new-version box starts from the version in force
    for user in (world.agent, world.township_staff, world.analyst):
        assert login_as(user).get(URL).status_code == 403


def test_a_new_version_is_added(world: World, login_as: LoginAs) -> None:
    client = login_as(world.shift_lead)
    data = {
        "valid_from": "2030-01-01",
        "code": "v2030",
        "name": "二〇三〇版",
        "terms": "舆情风险\t自媒体\n安全隐患\t/漏(水|电)/",
    }
    response = client.post(URL, data)
    assert response.status_code == 302
    added = lexicon_in_force(on=date(2030, 1, 2))
    assert added is not None and added.code == "v2030" and added.terms.count() == 2
    assert "v2030" in page_text(client.get(URL))


def test_bad_input_is_kept_with_a_chinese_error(world: World, login_as: LoginAs) -> None:
    data = {"valid_from": "2030-01-01", "code": "", "name": "", "terms": "危及生命\t不想活了\n天气\t下雨"}
    response = login_as(world.shift_lead).post(URL, data)
    text = page_text(response)
    assert response.status_code == 400
    assert "第 2 行" in text and "未知的类别" in text
    assert "天气\t下雨" in text  # the textarea keeps what was typed
    data["valid_from"] = "2019-01-01"
    data["terms"] = "危及生命\t不想活了"
    assert "生效日期必须晚于" in page_text(login_as(world.shift_lead).post(URL, data))


def test_the_try_box_highlights_hits(world: World, login_as: LoginAs) -> None:
    client = login_as(world.shift_lead)
    response = client.post("/intel/lexicon/try", {"text": "<i>我</i>不想活了"}, headers={"HX-Request": "true"})
    text = page_text(response)
    assert response.status_code == 200 and "<html" not in text
    assert (
        '&lt;i&gt;我&lt;/i&gt;<mark class="sensitive sensitive-threat_to_life" title="危及生命">不想活了</mark>' in text
    )
    assert "未命中" in page_text(client.post("/intel/lexicon/try", {"text": "暖气不热"}))
    assert login_as(world.agent).post("/intel/lexicon/try", {"text": "x"}).status_code == 403


def test_the_ticket_page_shows_the_hits_to_center_staff(world: World, login_as: LoginAs) -> None:
    ticket = new_ticket(world, title="楼道电线裸露", content="再不修就找记者曝光")
    sensitive_screen(ticket)
    detail = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert f"/tickets/{ticket.number}/sensitive/" in detail
    panel = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/sensitive/"))
    assert "受理时命中敏感词" in panel
    assert '<mark class="sensitive sensitive-safety_hazard" title="安全隐患">电线裸露</mark>' in panel
    assert '<mark class="sensitive sensitive-public_opinion" title="舆情风险">找记者</mark>' in panel
    assert login_as(world.township_staff).get(f"/tickets/{ticket.number}/sensitive/").status_code in (403, 404)
    assert login_as(world.outsider).get(f"/tickets/{ticket.number}/sensitive/").status_code == 404


def test_the_remit_panel_suggests_a_return(world: World, login_as: LoginAs) -> None:
    housing = unit_create(name="市住房和城乡建设委员会", kind=UnitKind.DEPARTMENT, code="ZJW")
    entry = KnowledgeEntry.objects.create(
        library=Library.RESPONSIBILITY,
        status=EntryStatus.PUBLISHED,
        title="房屋维修资金的使用和管理",
        legal_basis="演示依据",
        unit=housing,
    )
    entry_reindex(entry)
    ticket = new_ticket(world, title="小区房屋维修资金使用不透明", content="房屋维修资金的使用从未公示。")
    detail = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert f"/tickets/{ticket.number}/remit/" in detail
    panel = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/remit/"))
    assert "建议申请退单" in panel and "市住房和城乡建设委员会" in panel
    assert f"/tickets/{ticket.number}/#action-return_requested" in panel
    assert page_text(login_as(world.analyst).get(f"/tickets/{ticket.number}/remit/")) == ""
