"""Knowledge-base pages: search with highlights, suggestions and filters; the entry page and who
sees which buttons; lifecycle steps refused to agents; the edit form and its optimistic lock."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.models import EntryVersion, KnowledgeEntry
from jiesu.knowledge.services import entry_create, entry_update
from jiesu.orgs.testing import World
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.knowledge_support import category, heating_answer, heating_policy, published
from jiesu.web.tests.support import page_text
from jiesu.web.tests.test_hardening import assert_hardened

pytestmark = pytest.mark.django_db


def test_search_shows_highlighted_hits_with_their_library(login_as: LoginAs, world: World) -> None:
    policy = heating_policy(world)
    html = page_text(login_as(world.agent).get("/knowledge/", {"q": "供暖补贴"}))
    assert f'href="/knowledge/{policy.pk}/"' in html
    assert "<mark>供暖</mark>" in html
    assert "政策库" in html
    assert "共找到 1 条" in html


def test_a_near_miss_offers_a_new_search(login_as: LoginAs, world: World) -> None:
    heating_policy(world)
    html = page_text(login_as(world.agent).get("/knowledge/", {"q": "低报"}))
    assert "您是不是要找" in html
    assert 'href="/knowledge/?q=%E4%BD%8E%E4%BF%9D"' in html  # 低保


def test_filters_narrow_the_hits(login_as: LoginAs, world: World) -> None:
    heat = category("kb-heat", "供热")
    policy = heating_policy(world, category=heat)
    answer = heating_answer(world)
    client = login_as(world.agent)
    both = page_text(client.get("/knowledge/", {"q": "暖气 供暖"}))
    assert f"/knowledge/{policy.pk}/" in both and f"/knowledge/{answer.pk}/" in both
    only_answers = page_text(client.get("/knowledge/", {"q": "暖气 供暖", "library": Library.STANDARD_ANSWER}))
    assert f"/knowledge/{answer.pk}/" in only_answers and f"/knowledge/{policy.pk}/" not in only_answers
    by_category = page_text(client.get("/knowledge/", {"q": "暖气 供暖", "category": str(heat.pk)}))
    assert f"/knowledge/{policy.pk}/" in by_category and f"/knowledge/{answer.pk}/" not in by_category


def test_the_validity_toggle_hides_entries_out_of_date(login_as: LoginAs, world: World) -> None:
    today = timezone.localdate()
    later = heating_policy(world, valid_from=today + timedelta(days=10))
    client = login_as(world.agent)
    assert f"/knowledge/{later.pk}/" in page_text(client.get("/knowledge/", {"q": "供暖补贴"}))
    assert f"/knowledge/{later.pk}/" not in page_text(client.get("/knowledge/", {"q": "供暖补贴", "valid": "on"}))


def test_an_empty_query_lists_recent_entries_per_library(login_as: LoginAs, world: World) -> None:
    policy, answer = heating_policy(world), heating_answer(world)
    draft = entry_create(
        actor=world.knowledge_editor, library=Library.POLICY, title="未发布的草稿", issuing_body="某局", body="草稿正文"
    )
    response = login_as(world.agent).get("/knowledge/")
    html = page_text(response)
    assert response.status_code == 200
    assert "政策库 · 最近更新" in html and "标准化工作库 · 最近更新" in html
    assert f"/knowledge/{policy.pk}/" in html and f"/knowledge/{answer.pk}/" in html
    assert f"/knowledge/{draft.pk}/" not in html


def test_an_author_finds_own_unpublished_entries_on_the_knowledge_home(login_as: LoginAs, world: World) -> None:
    mine = entry_create(actor=world.agent, library=Library.POLICY, title="我的草稿", issuing_body="某局", body="正文")
    theirs = entry_create(
        actor=world.knowledge_editor, library=Library.POLICY, title="编辑的草稿", issuing_body="某局", body="正文"
    )
    html = page_text(login_as(world.agent).get("/knowledge/"))
    assert "我的草稿与待审核条目" in html
    assert f"/knowledge/{mine.pk}/" in html and f"/knowledge/{theirs.pk}/" not in html


def test_an_edit_without_the_version_it_started_from_is_refused(login_as: LoginAs, world: World) -> None:
    entry = heating_policy(world)
    client = login_as(world.knowledge_editor)
    form = {"title": "改过的标题", "issuing_body": entry.issuing_body, "body": entry.body}
    response = client.post(f"/knowledge/{entry.pk}/edit/", form)
    assert response.status_code == 400
    assert "页面已过期，请刷新后重新编辑" in page_text(response)
    assert KnowledgeEntry.objects.get(pk=entry.pk).title == entry.title


def test_only_editors_may_filter_by_status(login_as: LoginAs, world: World) -> None:
    draft = entry_create(
        actor=world.knowledge_editor, library=Library.POLICY, title="供暖草稿", issuing_body="某局", body="供暖"
    )
    agent_page = page_text(login_as(world.agent).get("/knowledge/"))
    editor_page = page_text(login_as(world.knowledge_editor).get("/knowledge/", {"q": "供暖", "status": "draft"}))
    assert 'name="status"' not in agent_page
    assert 'name="status"' in editor_page and f"/knowledge/{draft.pk}/" in editor_page


def test_the_nav_shows_the_knowledge_base_to_readers_only(login_as: LoginAs, world: World) -> None:
    assert 'href="/knowledge/"' in page_text(login_as(world.agent).get("/"))
    assert 'href="/knowledge/"' not in page_text(login_as(world.outsider).get("/"))
    assert login_as(world.outsider).get("/knowledge/").status_code == 403


def test_the_entry_page_shows_the_fields_and_contacts_of_its_library(login_as: LoginAs, world: World) -> None:
    contacts = [{"name": "李明", "role": "科长", "phone": "010-84001234", "mobile": "", "email": "liming@example.cn"}]
    entry = published(
        world,
        Library.LIAISON,
        title="望京街道联络名录",
        unit=world.township,
        contacts=contacts,
        duty_phone="010-84009999",
        tags=["四级联动"],
    )
    html = page_text(login_as(world.agent).get(f"/knowledge/{entry.pk}/"))
    for text in ("单位", "望京街道", "值班电话", "010-84009999", "李明", "科长", "liming@example.cn", "四级联动"):
        assert text in html, text
    assert '<th scope="col">职务</th>' in html


def test_editors_see_lifecycle_buttons_and_agents_do_not(login_as: LoginAs, world: World) -> None:
    entry = entry_create(
        actor=world.knowledge_editor, library=Library.POLICY, title="供暖", issuing_body="某局", body="正文"
    )
    editor_html = page_text(login_as(world.knowledge_editor).get(f"/knowledge/{entry.pk}/"))
    assert f'action="/knowledge/{entry.pk}/publish/"' in editor_html and "编辑" in editor_html
    published_entry = heating_policy(world)
    agent_html = page_text(login_as(world.agent).get(f"/knowledge/{published_entry.pk}/"))
    assert "/publish/" not in agent_html and "/expire/" not in agent_html
    assert f"/knowledge/{published_entry.pk}/edit/" not in agent_html


def test_an_agent_cannot_publish(login_as: LoginAs, world: World) -> None:
    entry = entry_create(
        actor=world.agent, library=Library.POLICY, title="坐席起草的政策", issuing_body="某局", body="正文"
    )
    response = login_as(world.agent).post(f"/knowledge/{entry.pk}/publish/")
    assert response.status_code == 403
    assert "只有知识库编辑可以发布知识条目" in page_text(response)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT and entry.version == 1


def test_submit_then_reject_with_a_reason_then_publish(login_as: LoginAs, world: World) -> None:
    entry = entry_create(
        actor=world.agent, library=Library.POLICY, title="坐席起草的政策", issuing_body="某局", body="正文"
    )
    agent, editor = login_as(world.agent), login_as(world.knowledge_editor)
    assert agent.post(f"/knowledge/{entry.pk}/submit/").status_code == 302
    missing = editor.post(f"/knowledge/{entry.pk}/reject/", {"reason": ""})
    assert missing.status_code == 400 and "此项必填" in page_text(missing)
    assert editor.post(f"/knowledge/{entry.pk}/reject/", {"reason": "请补充文号"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT
    assert "请补充文号" in page_text(agent.get(f"/knowledge/{entry.pk}/"))
    assert editor.post(f"/knowledge/{entry.pk}/publish/").status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED


def test_the_review_queue_is_for_editors(login_as: LoginAs, world: World) -> None:
    entry = entry_create(
        actor=world.agent, library=Library.POLICY, title="待审核的政策", issuing_body="某局", body="正文"
    )
    login_as(world.agent).post(f"/knowledge/{entry.pk}/submit/")
    soon = heating_policy(world, valid_to=timezone.localdate() + timedelta(days=5))
    html = page_text(login_as(world.knowledge_editor).get("/knowledge/review/"))
    assert "待审核的政策" in html and f"/knowledge/{soon.pk}/" in html
    assert login_as(world.agent).get("/knowledge/review/").status_code == 403


def test_a_new_entry_form_shows_only_its_library_fields(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    html = page_text(client.get("/knowledge/new/", {"library": Library.STANDARD_ANSWER}))
    assert "答复口径" in html and "话术" in html and "发文机关" not in html
    bad = client.post("/knowledge/new/", {"library": Library.STANDARD_ANSWER, "title": "暖气答复", "question": ""})
    assert bad.status_code == 400
    assert 'value="暖气答复"' in page_text(bad) and "此项必填" in page_text(bad)
    ok = client.post(
        "/knowledge/new/",
        {"library": Library.STANDARD_ANSWER, "title": "暖气答复", "question": "暖气不热", "body": "请联系供热单位"},
    )
    assert ok.status_code == 302
    created = KnowledgeEntry.objects.get(title="暖气答复")
    assert created.status == EntryStatus.DRAFT and created.created_by == world.agent


def test_contacts_are_typed_one_per_line(login_as: LoginAs, world: World) -> None:
    data = {
        "library": Library.LIAISON,
        "title": "学院路街道联络名录",
        "unit": world.other_township.pk,
        "contacts": "王芳 主任 010-62001234\n赵强 - 010-62005678 13900001111 zq@example.cn",
    }
    assert login_as(world.knowledge_editor).post("/knowledge/new/", data).status_code == 302
    entry = KnowledgeEntry.objects.get(title="学院路街道联络名录")
    assert entry.contacts[0]["name"] == "王芳" and entry.contacts[0]["role"] == "主任"
    assert entry.contacts[1] == {
        "name": "赵强",
        "role": "",
        "phone": "010-62005678",
        "mobile": "13900001111",
        "email": "zq@example.cn",
    }


def test_an_edit_conflict_keeps_the_input_and_explains(login_as: LoginAs, world: World) -> None:
    entry = heating_policy(world)
    client = login_as(world.knowledge_editor)
    form_html = page_text(client.get(f"/knowledge/{entry.pk}/edit/"))
    loaded = int(re.search(r'name="version" value="(\d+)"', form_html).group(1))  # type: ignore[union-attr]
    entry_update(entry=entry, actor=world.knowledge_editor, body="别人先保存的新正文")
    data = {
        "version": loaded,
        "title": "居民供暖费补贴发放办法（修订）",
        "issuing_body": "市城市管理委员会",
        "body": "我写的正文",
    }
    response = client.post(f"/knowledge/{entry.pk}/edit/", data)
    html = page_text(response)
    assert response.status_code == 409
    assert "已被他人修改" in html and "您填写的内容仍保留在下方" in html
    assert "我写的正文" in html and 'value="居民供暖费补贴发放办法（修订）"' in html
    entry.refresh_from_db()
    assert entry.body == "别人先保存的新正文"
    again = client.post(f"/knowledge/{entry.pk}/edit/", {**data, "version": entry.version})
    assert again.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "我写的正文"


def test_the_version_history_and_the_diff(login_as: LoginAs, world: World) -> None:
    entry = heating_policy(world)
    entry_update(entry=entry, actor=world.knowledge_editor, issuing_body="市发展改革委")
    latest = EntryVersion.objects.filter(entry=entry).order_by("-number").first()
    assert latest is not None
    client = login_as(world.agent)
    assert "与上一版对比" in page_text(client.get(f"/knowledge/{entry.pk}/"))
    html = page_text(client.get(f"/knowledge/{entry.pk}/diff/", {"from": latest.number - 1, "to": latest.number}))
    assert "发文机关" in html and "<del>市城市管理委员会</del>" in html and "<ins>市发展改革委</ins>" in html
    assert client.get(f"/knowledge/{entry.pk}/diff/", {"from": 1, "to": 99}).status_code == 404


def test_drafts_of_others_are_not_found(login_as: LoginAs, world: World) -> None:
    entry = entry_create(
        actor=world.knowledge_editor, library=Library.POLICY, title="草稿", issuing_body="某局", body="正文"
    )
    assert login_as(world.agent).get(f"/knowledge/{entry.pk}/").status_code == 404


def test_the_knowledge_pages_are_hardened(login_as: LoginAs, world: World) -> None:
    entry = heating_policy(world)
    client = login_as(world.knowledge_editor)
    for url in (
        "/knowledge/",
        "/knowledge/?q=供暖",
        f"/knowledge/{entry.pk}/",
        f"/knowledge/{entry.pk}/edit/",
        "/knowledge/new/",
        "/knowledge/new/?library=liaison",
        "/knowledge/review/",
        "/knowledge/exchange/",
    ):
        assert_hardened(client, url)
