"""`stage_time_limit` for many tickets in a row (deadline recomputes after a calendar edit).

One snapshot of the configuration serves the whole run, so every ticket is judged by the same
calendar and rules even if an admin edits them meanwhile (the next run catches that edit), and
the rule matching is memoised per (rule set, stage, facts): what is left per call is the
calendar arithmetic and, for 'inside / outside working time' rules, one working-time check.
"""

from __future__ import annotations

from datetime import date, datetime

from jiesu.sla.cache import RuleEntry, RuleSetEntry, SlaSnapshot, sla_snapshot
from jiesu.sla.calendar import SHANGHAI, CalendarNotLoaded, WorkCalendar, add_duration, is_working_time
from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.services import DeadlineFacts, _matches

__all__ = ["StageLimiter"]

StageLimit = tuple[RuleSetEntry, RuleEntry, datetime]


def _first_in_time(candidates: tuple[RuleEntry, ...], local: datetime, calendar: WorkCalendar) -> RuleEntry | None:
    inside: bool | None = None
    for rule in candidates:
        if rule.in_working_time is not None:
            if inside is None:
                inside = is_working_time(local, calendar)
            if rule.in_working_time != inside:
                continue
        return rule
    return None


class StageLimiter:
    """Resolves stage limits against one snapshot; results match `stage_time_limit`."""

    def __init__(self, snapshot: SlaSnapshot | None = None) -> None:
        self.snapshot = snapshot or sla_snapshot()
        self.stages = frozenset(stage for rule_set in self.snapshot.rule_sets for stage in rule_set.rules_by_stage)
        self._days: dict[date, tuple[RuleSetEntry, WorkCalendar] | None] = {}
        # Keyed by the facts object's id (hashing the dataclass costs more than the rest of a
        # lookup); the value keeps the object alive and is checked, so an id is never reused.
        self._candidates: dict[tuple[int, str, int], tuple[DeadlineFacts, tuple[RuleEntry, ...]]] = {}

    def has_rules(self, stage: str) -> bool:
        """False when no active rule set limits `stage` at all (its deadline is always None)."""
        return stage in self.stages

    def _day(self, day: date) -> tuple[RuleSetEntry, WorkCalendar] | None:
        rule_set = self.snapshot.rule_set_on(day)
        found = None if rule_set is None else (rule_set, self.snapshot.calendar_for(day, rule_set.working_hours_code))
        self._days[day] = found
        return found

    def _matching(self, rule_set: RuleSetEntry, stage: str, facts: DeadlineFacts) -> tuple[RuleEntry, ...]:
        key = (rule_set.pk, stage, id(facts))
        known = self._candidates.get(key)
        if known is not None and known[0] is facts:
            return known[1]
        candidates = tuple(rule for rule in rule_set.rules_by_stage.get(stage, ()) if _matches(rule, facts))
        self._candidates[key] = (facts, candidates)
        return candidates

    def limit(self, stage: str, start: datetime, facts: DeadlineFacts) -> StageLimit | None:
        """(rule set, rule, deadline) of `stage` started at `start`, or None when no rule applies.
        Raises CalendarNotLoadedError like `stage_time_limit`."""
        local = start.astimezone(SHANGHAI)
        day = local.date()
        found = self._days[day] if day in self._days else self._day(day)
        if found is None:
            return None
        rule_set, calendar = found
        candidates = self._matching(rule_set, stage, facts)
        if not candidates:
            return None
        try:
            rule = (
                candidates[0] if candidates[0].in_working_time is None else _first_in_time(candidates, local, calendar)
            )
            if rule is None:
                return None
            deadline = add_duration(local, rule.duration, calendar, wd_end_of_working_day=rule.end_of_working_day)
        except CalendarNotLoaded as exc:
            raise CalendarNotLoadedError.from_exception(exc) from exc
        return rule_set, rule, deadline
