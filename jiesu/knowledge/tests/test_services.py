from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.models import EntryVersion, IndexTerm, KnowledgeEntry
from jiesu.knowledge.selectors import entry_versions, version_diff
from jiesu.knowledge.services import (
    TRANSITIONS,
    Action,
    entry_create,
    entry_expire,
    entry_publish,
    entry_reject,
    entry_submit,
    entry_update,
)
from jiesu.knowledge.tests.support import make_liaison, make_policy, policy_fields, published_policy
from jiesu.notify.models import Notification
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db


def _audit_actions(entry: KnowledgeEntry) -> list[str]:
    rows = AuditEntry.objects.filter(object_type="knowledge.knowledgeentry", object_id=str(entry.pk))
    return list(rows.order_by("sequence").values_list("action", flat=True))


def test_a_new_entry_is_a_draft_with_version_one_an_audit_line_and_postings(world):
    entry = make_policy(world.agent)
    assert (entry.status, entry.version, entry.created_by, entry.updated_by) == ("draft", 1, world.agent, world.agent)
    version = EntryVersion.objects.get(entry=entry)
    assert (version.number, version.status, version.changed_by) == (1, "draft", world.agent)
    assert version.snapshot["title"] == "最低生活保障审核办法"
    assert version.snapshot["issued_on"] == "2026-01-05"
    assert _audit_actions(entry) == ["knowledge.create"]
    assert IndexTerm.objects.filter(entry=entry).exists()


def test_the_whole_lifecycle_writes_one_version_and_one_audit_line_per_step(world):
    entry = make_policy(world.agent)
    entry_submit(entry=entry, actor=world.agent)
    assert entry.status == EntryStatus.REVIEW
    entry_reject(entry=entry, actor=world.knowledge_editor, reason="请补充发文日期")
    assert entry.status == EntryStatus.DRAFT
    entry_update(entry=entry, actor=world.agent, body="修改后的全文。")
    entry_submit(entry=entry, actor=world.agent)
    entry_publish(entry=entry, actor=world.knowledge_editor)
    assert (entry.status, entry.published_by) == (EntryStatus.PUBLISHED, world.knowledge_editor)
    assert entry.published_at is not None
    entry_expire(entry=entry, actor=world.knowledge_editor, reason="已废止")
    assert entry.status == EntryStatus.EXPIRED
    numbers = [(v.number, v.status) for v in entry_versions(entry)]
    assert numbers == [
        (7, "expired"),
        (6, "published"),
        (5, "review"),
        (4, "draft"),
        (3, "draft"),
        (2, "review"),
        (1, "draft"),
    ]
    assert entry.version == 7
    assert EntryVersion.objects.get(entry=entry, number=3).note == "请补充发文日期"
    assert _audit_actions(entry) == [
        "knowledge.create",
        "knowledge.submit",
        "knowledge.reject",
        "knowledge.update",
        "knowledge.submit",
        "knowledge.publish",
        "knowledge.expire",
    ]


@pytest.mark.parametrize("status", EntryStatus.values)
@pytest.mark.parametrize("action", list(Action))
def test_every_status_and_action_outside_the_table_is_refused(world: World, status: str, action: Action) -> None:
    entry = make_policy(world.knowledge_editor)
    KnowledgeEntry.objects.filter(pk=entry.pk).update(status=status)
    entry.refresh_from_db()
    calls: dict[Action, Callable[[], KnowledgeEntry]] = {
        Action.SUBMIT: lambda: entry_submit(entry=entry, actor=world.knowledge_editor),
        Action.PUBLISH: lambda: entry_publish(entry=entry, actor=world.knowledge_editor),
        Action.REJECT: lambda: entry_reject(entry=entry, actor=world.knowledge_editor, reason="不准确"),
        Action.EXPIRE: lambda: entry_expire(entry=entry, actor=world.knowledge_editor),
    }
    call = calls[action]
    target = TRANSITIONS.get((status, action))
    if target is None:
        with pytest.raises(Conflict) as refused:
            call()
        assert "不能" in refused.value.message
        assert KnowledgeEntry.objects.get(pk=entry.pk).version == 1
    else:
        assert call().status == target


def test_only_editors_publish_reject_and_expire(world):
    entry = make_policy(world.agent)
    entry_submit(entry=entry, actor=world.agent)
    for user in (world.agent, world.shift_lead, world.leader, world.system_admin, world.township_staff):
        with pytest.raises(PermissionDenied, match="只有知识库编辑可以发布"):
            entry_publish(entry=entry, actor=user)
        with pytest.raises(PermissionDenied):
            entry_reject(entry=entry, actor=user, reason="x")
    entry_publish(entry=entry, actor=world.knowledge_editor)
    with pytest.raises(PermissionDenied):
        entry_expire(entry=entry, actor=world.agent)


def test_people_without_a_drafting_role_cannot_create(world):
    for user in (world.analyst, world.township_staff, world.system_admin, world.outsider):
        with pytest.raises(PermissionDenied, match="无权新建"):
            make_policy(user)


def test_a_stale_edit_is_refused_and_changes_nothing(world):
    entry = make_policy(world.agent)
    seen_by_second_editor = KnowledgeEntry.objects.get(pk=entry.pk)
    entry_update(entry=entry, actor=world.agent, expected_version=1, body="第一次修改。")
    with pytest.raises(Conflict, match="已有更新的版本"):
        entry_update(entry=entry, actor=world.agent, expected_version=1, body="基于旧版本的修改。")
    # The second copy in memory is still at version 1: the conditional UPDATE refuses it too.
    with pytest.raises(Conflict, match="已被他人修改"):
        entry_update(entry=seen_by_second_editor, actor=world.agent, body="另一份旧副本的修改。")
    entry.refresh_from_db()
    assert (entry.version, entry.body) == (2, "第一次修改。")


def test_an_edit_that_changes_nothing_writes_no_version(world):
    entry = make_policy(world.agent)
    entry_update(entry=entry, actor=world.agent, title="最低生活保障审核办法", tags=["低保"])
    assert entry.version == 1
    assert EntryVersion.objects.filter(entry=entry).count() == 1


def test_a_published_entry_is_edited_only_by_editors_and_stays_published(world):
    entry = published_policy(world)
    with pytest.raises(PermissionDenied, match="只能由知识库编辑修改"):
        entry_update(entry=entry, actor=world.agent, body="坐席的修改")
    entry_update(entry=entry, actor=world.knowledge_editor, body="编辑更正后的全文。")
    assert (entry.status, entry.body, entry.updated_by) == ("published", "编辑更正后的全文。", world.knowledge_editor)


def test_drafters_edit_only_their_own_drafts(world):
    entry = make_policy(world.agent)
    with pytest.raises(PermissionDenied, match="只能修改自己起草的条目"):
        entry_update(entry=entry, actor=world.shift_lead, body="别人的修改")
    entry_submit(entry=entry, actor=world.agent)
    with pytest.raises(PermissionDenied, match="审核中"):
        entry_update(entry=entry, actor=world.agent, body="审核中修改")


def test_validation_errors_name_each_field_in_chinese(world):
    with pytest.raises(ValidationFailed) as refused:
        entry_create(actor=world.agent, library=Library.POLICY, title="", body="", issuing_body="")
    fields = refused.value.details["fields"]
    assert fields == {"title": "请填写标题", "issuing_body": "请填写发文机关", "body": "请填写全文"}
    with pytest.raises(ValidationFailed) as refused:
        make_liaison(world, contacts=[], duty_phone="")
    assert refused.value.details["fields"] == {"contacts": "请至少填写一位联系人或值班电话"}
    with pytest.raises(ValidationFailed, match="值班电话格式不正确"):
        make_liaison(world, duty_phone="call me maybe")
    with pytest.raises(ValidationFailed, match="问题分类"):
        entry_create(actor=world.agent, library=Library.POLICY, **policy_fields(category="not a category"))
    with pytest.raises(ValidationFailed, match="政策库没有此项"):
        entry_create(actor=world.agent, library=Library.POLICY, **policy_fields(legal_basis="x"))
    with pytest.raises(ValidationFailed, match="失效日期不能早于生效日期"):
        make_policy(world.agent, valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 1))
    with pytest.raises(ValidationFailed) as refused:
        entry_create(actor=world.agent, library=Library.SECTOR_ISSUE, title="公墓价格", unit=world.district, body="x")
    assert refused.value.details["fields"] == {"excludable": "请填写可申请剔除"}


def test_phones_accept_the_ways_people_write_them(world):
    phones = ("010-12345678", "+86 10 1234 5678", "(010)12345678", "12345678 转 801", "010-1234-5678-801")
    for phone in phones:
        make_liaison(world, title=f"联络 {phone}", duty_phone=phone)
    stored = KnowledgeEntry.objects.filter(library=Library.LIAISON, title__startswith="联络 ")
    assert sorted(stored.values_list("duty_phone", flat=True)) == sorted(phones)


def test_publishing_an_entry_past_its_validity_is_refused(world):
    entry = make_policy(world.knowledge_editor, valid_to=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="失效日期已过"):
        entry_publish(entry=entry, actor=world.knowledge_editor)


def test_a_reject_needs_a_reason(world):
    entry = make_policy(world.agent)
    entry_submit(entry=entry, actor=world.agent)
    with pytest.raises(ValidationFailed, match="退回原因"):
        entry_reject(entry=entry, actor=world.knowledge_editor, reason="  ")


def test_version_diff_lists_changed_fields_with_labels_and_an_inline_diff(world):
    entry = make_liaison(world)
    long_body = "第一段说明。\n第二段说明，包含<script>标签</script>。"
    entry_update(entry=entry, actor=world.knowledge_editor, duty_phone="010-0052 6999", body=long_body)
    entry_update(entry=entry, actor=world.knowledge_editor, body=long_body.replace("第二段", "第三段"))
    first = version_diff(entry, 1, 2)
    assert [(d.label, d.old, d.new) for d in first] == [
        ("值班电话", "010-0052 6000", "010-0052 6999"),
        ("备注", "", long_body),
    ]
    second = version_diff(entry, 2, 3)
    assert [d.name for d in second] == ["body"]
    html = second[0].diff_html
    assert "<del>二</del><ins>三</ins>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert version_diff(entry, 1, 1) == []


def test_contacts_are_cleaned_and_shown_in_diffs(world):
    entry = make_liaison(world)
    assert entry.contacts[1] == {
        "name": "李明",
        "role": "主任",
        "phone": "010-0052 6002 转 18",
        "mobile": "",
        "email": "li@example.org",
    }
    entry_update(entry=entry, actor=world.knowledge_editor, contacts=entry.contacts[:1])
    (diff,) = version_diff(entry, 1, 2)
    assert diff.label == "联系人"
    assert diff.new == "杨静/专员/010-0052 6001"
    assert "邮箱:li@example.org" in diff.old


def test_a_rejected_draft_goes_back_to_its_author_with_a_notification(world):
    entry = make_policy(world.agent)
    entry_submit(entry=entry, actor=world.agent)
    entry_reject(entry=entry, actor=world.knowledge_editor, reason="文号有误")
    note = Notification.objects.get(recipient=world.agent)
    assert note.title == "知识条目被退回：最低生活保障审核办法"
    assert "文号有误" in note.body and note.link == f"/knowledge/{entry.pk}/"
    assert not Notification.objects.exclude(recipient=world.agent).exists()
