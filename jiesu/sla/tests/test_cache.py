"""The in-process SLA cache: fast in batches, never stale after saves, commits or rollbacks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from jiesu.sla.cache import sla_cache_clear
from jiesu.sla.calendar import SHANGHAI
from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.models import TimeLimitRule, TimeLimitRuleSet
from jiesu.sla.services import DeadlineFacts, calendar_year_import, stage_deadline

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


class RollbackError(Exception):
    pass


def dispatch_deadline() -> datetime | None:
    return stage_deadline(stage="dispatch", start=START, facts=DeadlineFacts())


def add_one_hour_dispatch_rule() -> None:
    rule_set = TimeLimitRuleSet.objects.get(code="beijing")
    TimeLimitRule.objects.create(rule_set=rule_set, stage="dispatch", amount=1, unit="h", kind="other", priority=99)


def test_a_batch_uses_no_queries(django_assert_num_queries):
    dispatch_deadline()
    with django_assert_num_queries(0):
        for minute in range(2000):
            stage_deadline(
                stage="reply",
                start=START + timedelta(minutes=minute),
                facts=DeadlineFacts(is_complex=bool(minute % 2)),
            )


def test_a_saved_rule_is_seen_at_once():
    assert dispatch_deadline() == datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI)
    add_one_hour_dispatch_rule()
    assert dispatch_deadline() == datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI)


def test_a_rolled_back_change_is_forgotten():
    before = dispatch_deadline()
    with pytest.raises(RollbackError), transaction.atomic():
        add_one_hour_dispatch_rule()
        assert dispatch_deadline() == datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI)
        raise RollbackError
    assert dispatch_deadline() == before


def test_a_committed_change_stays(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        add_one_hour_dispatch_rule()
    assert dispatch_deadline() == datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI)


def test_changes_without_signals_are_seen_after_the_refresh_interval(settings):
    settings.JIESU_SLA_CACHE_SECONDS = 0
    sla_cache_clear()
    assert dispatch_deadline() == datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI)
    # Another process edits the rule (no signal here); its updated_at moves.
    TimeLimitRule.objects.filter(rule_set__code="beijing", stage="dispatch", amount=24).update(
        amount=48, updated_at=timezone.now()
    )
    assert dispatch_deadline() == datetime(2026, 3, 12, 10, 0, tzinfo=SHANGHAI)


def test_a_new_year_becomes_usable_when_imported():
    TimeLimitRuleSet.objects.filter(code="beijing").update(is_active=False)
    yanta = TimeLimitRuleSet.objects.get(code="yanta")
    yanta.is_active = True
    yanta.save()
    start = datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)
    with pytest.raises(CalendarNotLoadedError):
        stage_deadline(stage="dispatch", start=start, facts=DeadlineFacts())
    calendar_year_import(year=2027, days=[(date(2027, 1, 1), False, "元旦")], actor=None, notice_number="测试")
    assert stage_deadline(stage="dispatch", start=start, facts=DeadlineFacts()) == datetime(
        2027, 1, 4, 12, 0, tzinfo=SHANGHAI
    )


# The next two tests run in this order: the first leaves a rule behind in its (rolled-back) test
# transaction; the second must not see it.
def test_isolation_part_one_changes_rules():
    add_one_hour_dispatch_rule()
    assert dispatch_deadline() == datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI)


def test_isolation_part_two_sees_the_seeded_rules_again():
    assert dispatch_deadline() == datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI)
