from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from jiesu.knowledge.choices import EntryStatus
from jiesu.knowledge.jobs import knowledge_expire_job, knowledge_expiry_reminders_job
from jiesu.knowledge.models import EntryVersion, KnowledgeEntry
from jiesu.knowledge.services import entry_update
from jiesu.knowledge.tests.support import published_policy
from jiesu.notify.models import Notification

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


def test_the_jobs_are_registered_for_the_worker():
    jobs = dict(settings.WORKER_JOBS)
    assert jobs["jiesu.knowledge.jobs.knowledge_expire_job"] == 3600
    assert jobs["jiesu.knowledge.jobs.knowledge_expiry_reminders_job"] == 24 * 3600


def test_entries_past_their_last_valid_day_expire(world):
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        last_day_yesterday = published_policy(world, valid_to=TODAY - timedelta(days=1))
        last_day_today = published_policy(
            world, title="今天最后一天", document_number="测试〔2026〕2号", valid_to=TODAY
        )
        no_end = published_policy(world, title="长期有效", document_number="测试〔2026〕3号")
    assert knowledge_expire_job(NOW) == 1
    statuses = dict(KnowledgeEntry.objects.values_list("pk", "status"))
    assert statuses == {
        last_day_yesterday.pk: EntryStatus.EXPIRED,
        last_day_today.pk: EntryStatus.PUBLISHED,
        no_end.pk: EntryStatus.PUBLISHED,
    }
    version = EntryVersion.objects.get(entry=last_day_yesterday, status=EntryStatus.EXPIRED)
    assert version.changed_by is None and "已过失效日期" in version.note
    assert knowledge_expire_job(NOW) == 0


def test_editors_are_reminded_once_per_expiry_date(world):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        soon = published_policy(world, valid_to=TODAY + timedelta(days=20))
        published_policy(world, title="远期", document_number="测试〔2026〕2号", valid_to=TODAY + timedelta(days=60))
    assert knowledge_expiry_reminders_job(NOW) == 1
    notes = Notification.objects.filter(recipient=world.knowledge_editor)
    assert [(n.title, n.link) for n in notes] == [("知识条目即将失效：最低生活保障审核办法", f"/knowledge/{soon.pk}/")]
    assert not Notification.objects.exclude(recipient=world.knowledge_editor).exists()
    assert knowledge_expiry_reminders_job(NOW + timedelta(days=1)) == 0
    soon.refresh_from_db()
    entry_update(entry=soon, actor=world.knowledge_editor, valid_to=TODAY + timedelta(days=25))
    assert knowledge_expiry_reminders_job(NOW + timedelta(days=2)) == 1
    assert Notification.objects.filter(recipient=world.knowledge_editor).count() == 2


def test_without_any_editor_no_entry_is_marked_as_reminded(world):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        soon = published_policy(world, valid_to=TODAY + timedelta(days=20))
    world.knowledge_editor.is_active = False
    world.knowledge_editor.save(update_fields=["is_active"])
    assert knowledge_expiry_reminders_job(NOW) == 0
    soon.refresh_from_db()
    assert soon.expiry_reminded_for is None
    world.knowledge_editor.is_active = True
    world.knowledge_editor.save(update_fields=["is_active"])
    assert knowledge_expiry_reminders_job(NOW) == 1
