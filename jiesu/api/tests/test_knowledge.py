"""Knowledge-base endpoints: search, entries, the lifecycle with its permissions, versions and
diffs, the suggestions for a ticket; every refusal in the single error shape."""

from __future__ import annotations

from typing import Any

import pytest

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.services import entry_create, entry_publish
from jiesu.orgs.testing import World
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.django_db

POLICY: dict[str, Any] = {
    "library": "policy",
    "title": "居民供暖费补贴发放办法",
    "issuing_body": "市城市管理委员会",
    "document_number": "京管发〔2026〕3号",
    "body": "享受低保待遇的家庭可以申请供暖费补贴，由街道审核后按季度发放。",
    "tags": ["供暖", "补贴"],
}
ANSWER = "您好，暖气不热的可联系供热单位入户检测，检测不达标的按日退还供暖费。"


@pytest.fixture
def editor(world: World, as_user: ClientFor) -> ApiClient:
    return as_user(world.knowledge_editor)


def _published(world: World, library: str, **fields: Any) -> KnowledgeEntry:
    entry = entry_create(actor=world.knowledge_editor, library=library, **fields)
    return entry_publish(entry=entry, actor=world.knowledge_editor)


def _policy(world: World) -> KnowledgeEntry:
    fields = {k: v for k, v in POLICY.items() if k != "library"}
    return _published(world, Library.POLICY, **fields)


def test_search_returns_highlighted_hits(world: World, agent: ApiClient) -> None:
    policy = _policy(world)
    body = agent.get("/api/knowledge/search", q="供暖补贴").json()
    assert body["total"] == 1
    hit = body["hits"][0]
    assert hit["entry"]["id"] == policy.pk and hit["entry"]["library_label"] == "政策库"
    assert "<mark>供暖</mark>" in hit["title_html"] and hit["score"] > 0


def test_search_filters_and_suggestions(world: World, agent: ApiClient) -> None:
    _policy(world)
    assert agent.get("/api/knowledge/search", q="供暖", library="standard_answer").json()["total"] == 0
    assert "低保" in agent.get("/api/knowledge/search", q="低报").json()["suggestions"]
    assert agent.get("/api/knowledge/search", q="供暖", valid_on="2026-01-01").json()["total"] == 1


def test_search_refuses_drafts_to_agents(world: World, agent: ApiClient, editor: ApiClient) -> None:
    entry_create(
        actor=world.knowledge_editor, library=Library.POLICY, title="供暖草稿", issuing_body="某局", body="供暖"
    )
    assert_error(agent.get("/api/knowledge/search", q="供暖", status="draft"), 403, "permission_denied")
    assert editor.get("/api/knowledge/search", q="供暖", status="draft").json()["total"] == 1


def test_create_read_and_list(world: World, agent: ApiClient) -> None:
    response = agent.post("/api/knowledge/entries", POLICY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 1 and body["tags"] == ["供暖", "补贴"]
    assert body["fields"]["issuing_body"] == "发文机关"
    assert agent.get(f"/api/knowledge/entries/{body['id']}").json()["title"] == POLICY["title"]
    listed = agent.get("/api/knowledge/entries", library="policy").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]


def test_create_refuses_fields_of_another_library_and_missing_ones(agent: ApiClient) -> None:
    body = assert_error(agent.post("/api/knowledge/entries", {**POLICY, "legal_basis": "x"}), 400, "validation_failed")
    assert "legal_basis" in body["details"]["fields"]
    missing = assert_error(
        agent.post("/api/knowledge/entries", {"library": "policy", "title": "x"}), 400, "validation_failed"
    )
    assert "issuing_body" in missing["details"]["fields"]
    assert_error(agent.post("/api/knowledge/entries", {**POLICY, "category": "no-such"}), 400, "validation_failed")
    assert_error(agent.post("/api/knowledge/entries", {**POLICY, "colour": "red"}), 422, "invalid_input")


def test_units_are_given_by_code(world: World, editor: ApiClient) -> None:
    payload = {"library": "responsibility", "title": "供热投诉", "unit": world.district.code, "legal_basis": "条例"}
    body = editor.post("/api/knowledge/entries", payload).json()
    assert body["unit"]["id"] == world.district.pk


def test_patch_needs_the_current_version(world: World, editor: ApiClient) -> None:
    entry_id = editor.post("/api/knowledge/entries", POLICY).json()["id"]
    changed = editor.client.patch(
        f"/api/knowledge/entries/{entry_id}",
        {"expected_version": 1, "issuing_body": "市发展改革委"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = editor.client.patch(
        f"/api/knowledge/entries/{entry_id}",
        {"expected_version": 1, "title": "旧版本上的修改"},
        content_type="application/json",
    )
    assert_error(stale, 409, "conflict")
    assert KnowledgeEntry.objects.get(pk=entry_id).title == POLICY["title"]


def test_only_editors_publish(world: World, agent: ApiClient, editor: ApiClient) -> None:
    entry_id = agent.post("/api/knowledge/entries", POLICY).json()["id"]
    assert agent.post(f"/api/knowledge/entries/{entry_id}/submit").json()["status"] == "review"
    body = assert_error(agent.post(f"/api/knowledge/entries/{entry_id}/publish"), 403, "permission_denied")
    assert "知识库编辑" in body["message"]
    assert KnowledgeEntry.objects.get(pk=entry_id).status == EntryStatus.REVIEW
    assert_error(editor.post(f"/api/knowledge/entries/{entry_id}/reject"), 400, "validation_failed")
    assert editor.post(f"/api/knowledge/entries/{entry_id}/reject", {"reason": "缺少文号"}).json()["status"] == "draft"
    assert editor.post(f"/api/knowledge/entries/{entry_id}/publish").json()["status"] == "published"
    assert_error(editor.post(f"/api/knowledge/entries/{entry_id}/publish"), 409, "conflict")
    stale = editor.post(f"/api/knowledge/entries/{entry_id}/expire", {"expected_version": 1})
    assert_error(stale, 409, "conflict")
    assert editor.post(f"/api/knowledge/entries/{entry_id}/expire", {"reason": "已废止"}).json()["status"] == "expired"


def test_versions_and_diff(world: World, editor: ApiClient) -> None:
    entry_id = editor.post("/api/knowledge/entries", POLICY).json()["id"]
    editor.client.patch(
        f"/api/knowledge/entries/{entry_id}",
        {"expected_version": 1, "issuing_body": "市发展改革委"},
        content_type="application/json",
    )
    versions = editor.get(f"/api/knowledge/entries/{entry_id}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    diff = editor.get(f"/api/knowledge/entries/{entry_id}/diff", **{"from": 1, "to": 2}).json()
    assert diff["fields"] == [
        {"name": "issuing_body", "label": "发文机关", "old": "市城市管理委员会", "new": "市发展改革委", "diff_html": ""}
    ]
    assert_error(editor.get(f"/api/knowledge/entries/{entry_id}/diff", **{"from": 1, "to": 9}), 404, "not_found")
    assert_error(editor.get(f"/api/knowledge/entries/{entry_id}/diff", to=2), 422, "invalid_input")


def test_drafts_of_others_and_unknown_entries_are_not_found(world: World, agent: ApiClient) -> None:
    draft = entry_create(
        actor=world.knowledge_editor, library=Library.POLICY, title="草稿", issuing_body="某局", body="x"
    )
    assert_error(agent.get(f"/api/knowledge/entries/{draft.pk}"), 404, "not_found")
    assert_error(agent.get("/api/knowledge/entries/999999"), 404, "not_found")


def test_admins_do_not_read_the_knowledge_base(world: World, as_user: ClientFor) -> None:
    assert_error(as_user(world.audit_admin).get("/api/knowledge/search", q="供暖"), 403, "permission_denied")


def test_ticket_knowledge(world: World, agent: ApiClient) -> None:
    _published(world, Library.STANDARD_ANSWER, title="暖气不热的答复口径", question="暖气不热怎么办", body=ANSWER)
    _published(world, Library.RESPONSIBILITY, title="暖气不热投诉处理", unit=world.district, legal_basis="供热条例")
    ticket = new_ticket(world)
    body = agent.get(f"/api/tickets/{ticket.number}/knowledge").json()
    assert [h["entry"]["title"] for h in body["standard_answers"]] == ["暖气不热的答复口径"]
    assert body["responsible_units"][0]["unit"]["id"] == world.district.pk
    assert set(body) == {"policies", "standard_answers", "sector_issues", "responsible_units", "similar_tickets"}
    assert_error(agent.get("/api/tickets/999999/knowledge"), 404, "not_found")
