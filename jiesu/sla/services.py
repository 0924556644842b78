"""The SLA app's entry points: stage deadlines for the tickets app, and calendar maintenance.

`stage_deadline` is what `jiesu.tickets` calls. It reads an in-process snapshot of the
configuration (`jiesu.sla.cache`), so a batch import can call it many thousands of times without
touching the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.core.errors import ValidationFailed
from jiesu.sla.cache import RuleEntry, sla_snapshot
from jiesu.sla.calendar import (
    SHANGHAI,
    CalendarNotLoaded,
    Duration,
    WorkCalendar,
    add_duration,
    is_working_time,
    working_minutes_between,
)
from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.models import CalendarDay, CalendarYear

if TYPE_CHECKING:
    from jiesu.orgs.models import User

__all__ = [
    "AppliedLimit",
    "CalendarNotLoadedError",
    "DeadlineFacts",
    "calendar_day_clear",
    "calendar_day_set",
    "calendar_year_import",
    "calendar_year_mark_complete",
    "deadline_compute",
    "stage_deadline",
    "stage_time_limit",
    "working_minutes_elapsed",
]


@dataclass(frozen=True)
class DeadlineFacts:
    """What a ticket tells the rule matcher (values as in jiesu.tickets.choices)."""

    urgency: str = "normal"
    kind: str = "other"
    is_complex: bool = False
    channel: str = "phone"
    category_code: str = ""
    unit_kind: str = ""


@dataclass(frozen=True)
class AppliedLimit:
    """The rule that applied to a stage, and the deadline it gives."""

    rule_set_code: str
    rule_id: int
    duration: Duration
    end_of_working_day: bool
    deadline: datetime


def _matches(rule: RuleEntry, facts: DeadlineFacts) -> bool:
    return (
        (not rule.urgency or rule.urgency == facts.urgency)
        and (not rule.kind or rule.kind == facts.kind)
        and (rule.is_complex is None or rule.is_complex == facts.is_complex)
        and (not rule.channel or rule.channel == facts.channel)
        and (not rule.category_code_prefix or facts.category_code.startswith(rule.category_code_prefix))
        and (not rule.unit_kind or rule.unit_kind == facts.unit_kind)
    )


def _pick_rule(
    rules: tuple[RuleEntry, ...], facts: DeadlineFacts, start: datetime, calendar: WorkCalendar
) -> RuleEntry | None:
    """The first matching rule; `rules` are sorted most specific first."""
    inside: bool | None = None  # computed only if a rule asks
    for rule in rules:
        if not _matches(rule, facts):
            continue
        if rule.in_working_time is not None:
            if inside is None:
                inside = is_working_time(start, calendar)
            if rule.in_working_time != inside:
                continue
        return rule
    return None


def _resolve(
    stage: str, start: datetime, facts: DeadlineFacts, on: date | None
) -> tuple[str, RuleEntry, datetime] | None:
    """(rule set code, rule, deadline) for a stage, or None. The hot path of batch imports."""
    if start.tzinfo is None:
        raise ValueError("时间必须带时区（aware datetime）")
    snapshot = sla_snapshot()
    local = start.astimezone(SHANGHAI)
    day = on if on is not None else local.date()
    rule_set = snapshot.rule_set_on(day)
    if rule_set is None:
        return None
    rules = rule_set.rules_by_stage.get(stage)
    if not rules:
        return None
    calendar = snapshot.calendar_for(day, rule_set.working_hours_code)
    try:
        rule = _pick_rule(rules, facts, local, calendar)
        if rule is None:
            return None
        deadline = add_duration(local, rule.duration, calendar, wd_end_of_working_day=rule.end_of_working_day)
    except CalendarNotLoaded as exc:
        raise CalendarNotLoadedError.from_exception(exc) from exc
    return rule_set.code, rule, deadline


def stage_time_limit(
    *, stage: str, start: datetime, facts: DeadlineFacts, on: date | None = None
) -> AppliedLimit | None:
    """Like `stage_deadline`, but also says which rule applied (to store with the deadline)."""
    resolved = _resolve(stage, start, facts, on)
    if resolved is None:
        return None
    code, rule, deadline = resolved
    return AppliedLimit(code, rule.pk, rule.duration, rule.end_of_working_day, deadline)


def stage_deadline(*, stage: str, start: datetime, facts: DeadlineFacts, on: date | None = None) -> datetime | None:
    """The deadline of `stage` started at `start`, under the rule set in force on `on` (default:
    the start's Shanghai date), or None when no rule applies. Raises CalendarNotLoadedError when
    a working-time limit touches a year whose calendar is not loaded."""
    resolved = _resolve(stage, start, facts, on)
    return resolved[2] if resolved is not None else None


def deadline_compute(
    *, start: datetime, duration: Duration, end_of_working_day: bool = False, working_hours_code: str = "default"
) -> datetime:
    """`start` + `duration` with the loaded calendar and the working hours in force on the start date."""
    calendar = sla_snapshot().calendar_for(start.astimezone(SHANGHAI).date(), working_hours_code)
    try:
        return add_duration(start, duration, calendar, wd_end_of_working_day=end_of_working_day)
    except CalendarNotLoaded as exc:
        raise CalendarNotLoadedError.from_exception(exc) from exc


def working_minutes_elapsed(*, start: datetime, end: datetime, working_hours_code: str = "default") -> int:
    """Working minutes between two moments (e.g. how long a stage took in working time)."""
    calendar = sla_snapshot().calendar_for(start.astimezone(SHANGHAI).date(), working_hours_code)
    try:
        return working_minutes_between(start, end, calendar)
    except CalendarNotLoaded as exc:
        raise CalendarNotLoadedError.from_exception(exc) from exc


# -- calendar maintenance ------------------------------------------------------------------------


def _year_for_update(
    year: int, *, notice_number: str | None, notice_url: str | None, source: str | None
) -> CalendarYear:
    calendar_year, _ = CalendarYear.objects.get_or_create(year=year)
    changed = []
    for name, value in (("notice_number", notice_number), ("notice_url", notice_url), ("source", source)):
        if value is not None and getattr(calendar_year, name) != value:
            setattr(calendar_year, name, value)
            changed.append(name)
    if changed:
        calendar_year.full_clean()
        calendar_year.save(update_fields=[*changed, "updated_at"])
    return calendar_year


def _validated_day(day: CalendarDay) -> CalendarDay:
    try:
        day.full_clean()
    except ValidationError as exc:
        raise ValidationFailed("；".join(exc.messages)) from exc
    return day


@transaction.atomic
def calendar_day_set(
    *,
    day: date,
    is_workday: bool,
    name: str = "",
    actor: User | None,
    notice_number: str | None = None,
    notice_url: str | None = None,
    source: str | None = None,
) -> CalendarDay:
    """Record a holiday (`is_workday` False) or a weekend make-up workday. A new year is created
    as a draft: it takes effect only after `calendar_year_mark_complete`."""
    calendar_year = _year_for_update(day.year, notice_number=notice_number, notice_url=notice_url, source=source)
    row = CalendarDay.objects.filter(day=day).first() or CalendarDay(day=day, year=calendar_year)
    row.is_workday, row.name, row.year = is_workday, name, calendar_year
    _validated_day(row).save()
    audit_record(
        actor=actor,
        action="sla.calendar_day_set",
        obj=row,
        detail={"day": day.isoformat(), "is_workday": is_workday, "name": name},
    )
    return row


@transaction.atomic
def calendar_day_clear(*, day: date, actor: User | None) -> bool:
    """Remove the override of `day` (it becomes an ordinary Mon–Fri working day or weekend)."""
    row = CalendarDay.objects.filter(day=day).first()
    if row is None:
        return False
    audit_record(actor=actor, action="sla.calendar_day_clear", obj=row, detail={"day": day.isoformat()})
    row.delete()
    return True


@transaction.atomic
def calendar_year_mark_complete(*, year: int, actor: User | None, is_complete: bool = True) -> CalendarYear:
    """Put a year's calendar in force (or take it out again)."""
    calendar_year = CalendarYear.objects.filter(year=year).first()
    if calendar_year is None:
        raise ValidationFailed(f"{year}年尚无任何节假日记录，请先录入")
    calendar_year.is_complete = is_complete
    calendar_year.loaded_at = timezone.now()
    calendar_year.save(update_fields=["is_complete", "loaded_at", "updated_at"])
    audit_record(actor=actor, action="sla.calendar_year_complete", obj=calendar_year, detail={"complete": is_complete})
    return calendar_year


@transaction.atomic
def calendar_year_import(
    *,
    year: int,
    days: Iterable[tuple[date, bool, str]],
    actor: User | None,
    notice_number: str = "",
    notice_url: str = "",
    source: str = "",
    complete: bool = True,
) -> CalendarYear:
    """Replace a year's holidays and make-up workdays with `days` ((day, is_workday, name) rows)."""
    calendar_year = _year_for_update(year, notice_number=notice_number, notice_url=notice_url, source=source)
    rows = list(days)
    if len({day for day, _, _ in rows}) != len(rows):
        raise ValidationFailed("导入数据中有重复日期")
    for old in CalendarDay.objects.filter(year=calendar_year):
        old.delete()  # one by one, so the SLA cache hears about it
    for day, is_workday, name in rows:
        if day.year != year:
            raise ValidationFailed(f"日期 {day} 不属于 {year} 年")
        _validated_day(CalendarDay(day=day, is_workday=is_workday, name=name, year=calendar_year)).save()
    calendar_year.is_complete = complete
    calendar_year.loaded_at = timezone.now()
    calendar_year.save(update_fields=["is_complete", "loaded_at", "updated_at"])
    audit_record(
        actor=actor,
        action="sla.calendar_year_import",
        obj=calendar_year,
        detail={"days": len(rows), "complete": complete, "notice_number": notice_number},
    )
    return calendar_year
