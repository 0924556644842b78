from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiesu.core.errors import NotFound
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.permissions import can_draft_knowledge, can_publish_knowledge, entries_visible_to
from jiesu.knowledge.selectors import entries_expiring, entries_for_review, entries_list, entry_get_for
from jiesu.knowledge.services import entry_expire, entry_submit
from jiesu.knowledge.tests.support import make_liaison, make_policy, published_policy

pytestmark = pytest.mark.django_db


def test_who_may_draft_and_who_may_publish(world):
    drafters = {world.agent, world.shift_lead, world.knowledge_editor}
    for name, user in vars(world).items():
        if not hasattr(user, "roles"):
            continue
        assert can_draft_knowledge(user) == (user in drafters), name
        assert can_publish_knowledge(user) == (user == world.knowledge_editor), name


def test_published_and_expired_entries_are_read_by_every_business_role_only(world):
    published = published_policy(world)
    expired = published_policy(world, title="已废止的办法", document_number="测试〔2025〕9号")
    entry_expire(entry=expired, actor=world.knowledge_editor)
    readers = [world.agent, world.callback_agent, world.analyst, world.leader, world.township_staff, world.other_staff]
    for user in readers:
        assert set(entries_visible_to(user)) == {published, expired}, user.username
    for user in (world.system_admin, world.security_admin, world.audit_admin, world.outsider):
        assert not entries_visible_to(user).exists(), user.username
        with pytest.raises(NotFound):
            entry_get_for(viewer=user, entry_id=published.pk)


def test_drafts_and_reviews_are_seen_by_their_authors_and_the_editors(world):
    draft = make_policy(world.agent)
    in_review = make_policy(world.shift_lead, title="特困供养办法", document_number="测试〔2026〕2号")
    entry_submit(entry=in_review, actor=world.shift_lead)
    assert set(entries_visible_to(world.agent)) == {draft}
    assert set(entries_visible_to(world.shift_lead)) == {in_review}
    assert set(entries_visible_to(world.knowledge_editor)) == {draft, in_review}
    assert not entries_visible_to(world.callback_agent).exists()
    assert entry_get_for(viewer=world.agent, entry_id=draft.pk) == draft
    with pytest.raises(NotFound, match="知识条目不存在或无权查看"):
        entry_get_for(viewer=world.agent, entry_id=in_review.pk)
    assert list(entries_for_review(world.knowledge_editor)) == [in_review]
    assert not entries_for_review(world.shift_lead).exists()


def test_a_deactivated_editor_sees_and_publishes_nothing(world):
    make_policy(world.agent)
    world.knowledge_editor.is_active = False  # deactivation itself is tested in orgs
    assert not can_publish_knowledge(world.knowledge_editor)
    assert not entries_visible_to(world.knowledge_editor).exists()


def test_entries_list_filters_by_library_status_and_unit(world):
    policy = published_policy(world)
    liaison = make_liaison(world)
    editor = world.knowledge_editor
    assert set(entries_list(viewer=editor)) == {policy, liaison}
    assert list(entries_list(viewer=editor, library=Library.LIAISON)) == [liaison]
    assert list(entries_list(viewer=editor, status=EntryStatus.PUBLISHED)) == [policy]
    assert list(entries_list(viewer=editor, unit=world.township)) == [liaison]
    assert list(entries_list(viewer=world.agent, library=Library.LIAISON)) == []


def test_entries_expiring_lists_published_entries_within_the_window(world):
    today = timezone.localdate()
    soon = published_policy(world, valid_to=today + timedelta(days=10))
    published_policy(world, title="远期", document_number="测试〔2026〕3号", valid_to=today + timedelta(days=90))
    assert list(entries_expiring(world.agent, within_days=30)) == [soon]
