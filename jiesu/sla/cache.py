"""An in-process snapshot of the SLA configuration (calendar, working hours, active rule sets).

`stage_deadline` may be called 100,000 times in one batch import, so it must not query the
database. The snapshot is rebuilt when:

- a CalendarYear, CalendarDay, WorkingHours, TimeLimitRuleSet or TimeLimitRule row is saved or
  deleted in this process (signals, connected in `SlaConfig.ready`);
- every `JIESU_SLA_CACHE_SECONDS` (default 30), if a cheap fingerprint of those tables (row
  counts and latest `updated_at`) changed, which catches edits made by other processes and bulk
  writes that send no signals. Call `sla_cache_clear()` after such writes to see them at once.

While the current transaction holds uncommitted SLA changes, this thread uses a private snapshot
that is dropped when the transaction commits or rolls back (a rolled-back test must not leave its
rule sets behind for the next one).
"""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from jiesu.sla.calendar import DEFAULT_PERIODS, MONDAY_TO_FRIDAY, Duration, DurationUnit, WorkCalendar
from jiesu.sla.models import CalendarDay, CalendarYear, TimeLimitRule, TimeLimitRuleSet, WorkingHours, parse_periods

WATCHED_MODELS = (CalendarYear, CalendarDay, WorkingHours, TimeLimitRuleSet, TimeLimitRule)


@dataclass(frozen=True)
class RuleEntry:
    """A TimeLimitRule reduced to what matching and computing need."""

    pk: int
    duration: Duration
    end_of_working_day: bool
    urgency: str
    kind: str
    is_complex: bool | None
    channel: str
    category_code_prefix: str
    unit_kind: str
    in_working_time: bool | None


@dataclass(frozen=True)
class RuleSetEntry:
    pk: int
    code: str
    effective_from: date
    effective_to: date | None
    working_hours_code: str
    rules_by_stage: dict[str, tuple[RuleEntry, ...]]  # most specific first

    def is_effective_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class HoursEntry:
    effective_from: date
    periods: tuple[tuple[time, time], ...]
    weekdays: frozenset[int]


@dataclass
class SlaSnapshot:
    holidays: frozenset[date]
    make_up_workdays: frozenset[date]
    covered_years: frozenset[int]
    hours_by_code: dict[str, list[HoursEntry]]  # latest effective_from first
    rule_sets: list[RuleSetEntry]  # active only, latest effective_from first
    fingerprint: tuple[Any, ...]
    _calendars: dict[tuple[Any, ...], WorkCalendar] = field(default_factory=dict)
    _rule_set_by_day: dict[date, RuleSetEntry | None] = field(default_factory=dict)
    _calendar_by_code_day: dict[tuple[str, date], WorkCalendar] = field(default_factory=dict)

    def calendar_for(self, day: date, working_hours_code: str = "default") -> WorkCalendar:
        """The WorkCalendar with the working hours of `working_hours_code` effective on `day`."""
        try:
            return self._calendar_by_code_day[working_hours_code, day]
        except KeyError:
            calendar = self._build_calendar(day, working_hours_code)
            self._calendar_by_code_day[working_hours_code, day] = calendar
            return calendar

    def _build_calendar(self, day: date, working_hours_code: str) -> WorkCalendar:
        periods, weekdays = DEFAULT_PERIODS, MONDAY_TO_FRIDAY
        for entry in self.hours_by_code.get(working_hours_code, ()):
            if entry.effective_from <= day:
                periods, weekdays = entry.periods, entry.weekdays
                break
        key = (periods, weekdays)
        calendar = self._calendars.get(key)
        if calendar is None:
            calendar = WorkCalendar(
                holidays=self.holidays,
                make_up_workdays=self.make_up_workdays,
                covered_years=self.covered_years,
                periods=periods,
                weekdays=weekdays,
            )
            self._calendars[key] = calendar
        return calendar

    def rule_set_on(self, day: date) -> RuleSetEntry | None:
        """The active rule set effective on `day` (the latest `effective_from` wins)."""
        try:
            return self._rule_set_by_day[day]
        except KeyError:
            found = next((rs for rs in self.rule_sets if rs.is_effective_on(day)), None)
            self._rule_set_by_day[day] = found
            return found


def _specificity_key(rule: TimeLimitRule) -> tuple[int, int, int, int]:
    return (-rule.specificity, -rule.priority, -len(rule.category_code_prefix), rule.pk)


def _rule_entry(rule: TimeLimitRule) -> RuleEntry:
    return RuleEntry(
        pk=rule.pk,
        duration=Duration(rule.amount, DurationUnit(rule.unit)),
        end_of_working_day=rule.end_of_working_day,
        urgency=rule.urgency,
        kind=rule.kind,
        is_complex=rule.is_complex,
        channel=rule.channel,
        category_code_prefix=rule.category_code_prefix,
        unit_kind=rule.unit_kind,
        in_working_time=rule.in_working_time,
    )


def fingerprint() -> tuple[Any, ...]:
    """Row counts and latest change of every watched table: a few cheap aggregate queries."""
    parts: list[Any] = []
    for model in WATCHED_MODELS:
        agg = model.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
        parts.extend((agg["n"], agg["t"]))
    return tuple(parts)


def load_snapshot() -> SlaSnapshot:
    stamp = fingerprint()
    covered = frozenset(CalendarYear.objects.filter(is_complete=True).values_list("year", flat=True))
    holidays: set[date] = set()
    make_up: set[date] = set()
    for day, is_workday in CalendarDay.objects.filter(year__is_complete=True).values_list("day", "is_workday"):
        (make_up if is_workday else holidays).add(day)
    hours: dict[str, list[HoursEntry]] = {}
    for row in WorkingHours.objects.order_by("code", "-effective_from"):
        hours.setdefault(row.code, []).append(
            HoursEntry(row.effective_from, parse_periods(row.periods), row.python_weekdays())
        )
    rule_sets = []
    for rule_set in (
        TimeLimitRuleSet.objects.filter(is_active=True).prefetch_related("rules").order_by("-effective_from", "code")
    ):
        by_stage: dict[str, list[TimeLimitRule]] = {}
        for rule in rule_set.rules.all():
            by_stage.setdefault(rule.stage, []).append(rule)
        rule_sets.append(
            RuleSetEntry(
                pk=rule_set.pk,
                code=rule_set.code,
                effective_from=rule_set.effective_from,
                effective_to=rule_set.effective_to,
                working_hours_code=rule_set.working_hours_code,
                rules_by_stage={
                    stage: tuple(_rule_entry(r) for r in sorted(rules, key=_specificity_key))
                    for stage, rules in by_stage.items()
                },
            )
        )
    return SlaSnapshot(
        holidays=frozenset(holidays),
        make_up_workdays=frozenset(make_up),
        covered_years=covered,
        hours_by_code=hours,
        rule_sets=rule_sets,
        fingerprint=stamp,
    )


class _Shared:
    snapshot: SlaSnapshot | None = None
    next_check_at = 0.0


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.pending: list[_CommitMarker] = []  # uncommitted SLA changes of this thread's transaction
        self.verified_hooks: list[Any] | None = None  # connection.run_on_commit when last verified
        self.snapshot: SlaSnapshot | None = None  # private to the open transaction


_shared = _Shared()
_thread = _ThreadState()


class _CommitMarker:
    """Registered with transaction.on_commit for each SLA change made inside a transaction."""

    def __call__(self) -> None:
        if transaction.get_connection().in_atomic_block:
            # Not a real commit (TestCase.captureOnCommitCallbacks runs hooks inside the test's
            # transaction, which is rolled back later): stay pending, so the rollback is noticed.
            _thread.snapshot = None
            _shared.snapshot = None
            return
        if self in _thread.pending:
            _thread.pending.remove(self)
        _thread.snapshot = None
        _shared.snapshot = None


def sla_cache_clear() -> None:
    """Forget every cached snapshot (after bulk writes that send no signals)."""
    _shared.snapshot = None
    _thread.snapshot = None
    _thread.pending = []
    _thread.verified_hooks = None


def sla_data_changed(**kwargs: Any) -> None:
    """Signal receiver: a watched row was saved or deleted."""
    _shared.snapshot = None
    _thread.snapshot = None
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        marker = _CommitMarker()
        _thread.pending.append(marker)
        transaction.on_commit(marker)
        _thread.verified_hooks = connection.run_on_commit


def _pending_changes_alive() -> bool:
    """True while this thread's transaction still holds uncommitted SLA changes.

    Django replaces `connection.run_on_commit` with a new list whenever callbacks are dropped
    (rollback, savepoint rollback, commit), so an unchanged list object means nothing was dropped.
    """
    hooks = transaction.get_connection().run_on_commit
    if hooks is _thread.verified_hooks:
        return True
    registered = {id(entry[1]) for entry in hooks}
    alive = [marker for marker in _thread.pending if id(marker) in registered]
    if len(alive) != len(_thread.pending):
        _thread.pending = alive
        _thread.snapshot = None
        _shared.snapshot = None
    _thread.verified_hooks = hooks
    return bool(alive)


def _next_check(now: float) -> float:
    return now + float(getattr(settings, "JIESU_SLA_CACHE_SECONDS", 30))


def sla_snapshot(clock: Callable[[], float] = _time.monotonic) -> SlaSnapshot:
    """The current snapshot, loading or refreshing it when needed."""
    if _thread.pending and _pending_changes_alive():
        if _thread.snapshot is None:
            _thread.snapshot = load_snapshot()
        return _thread.snapshot
    snapshot = _shared.snapshot
    now = clock()
    if snapshot is None:
        snapshot = _shared.snapshot = load_snapshot()
        _shared.next_check_at = _next_check(now)
    elif now >= _shared.next_check_at:
        _shared.next_check_at = _next_check(now)
        if fingerprint() != snapshot.fingerprint:
            snapshot = _shared.snapshot = load_snapshot()
    return snapshot
