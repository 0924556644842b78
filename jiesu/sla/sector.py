"""The sector confirmation window (行业工单确认, docs/domain-rules.md §3.2).

The handling unit may confirm a sector ticket for `days` calendar days after the push: pushed on
the 19th, the last day to confirm is the 29th and the window closes at 00:00 on the 30th. All
confirmation for an assessment period (a calendar month) also closes at `cutoff_time` on the
`cutoff_day` of the following month (12:00 on the 21st); the earlier moment applies.

Which month a ticket belongs to is a rule-set parameter: by default the month of its receipt,
because the monthly assessment counts tickets by the day they were received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from jiesu.sla.calendar import SHANGHAI
from jiesu.sla.choices import AssessmentPeriodBasis
from jiesu.sla.selectors import rule_set_effective_on

__all__ = ["SectorWindow", "SectorWindowRule", "sector_window", "sector_window_rule"]


@dataclass(frozen=True)
class SectorWindowRule:
    """The parameters of the window (a rule set's, or the Beijing defaults when none is active)."""

    rule_set_code: str = ""
    days: int = 10
    cutoff_day: int | None = 21
    cutoff_time: time = time(12, 0)
    period_basis: str = AssessmentPeriodBasis.RECEIVED


@dataclass(frozen=True)
class SectorWindow:
    due_at: datetime  # the earlier of the two: confirmation is possible strictly before it
    window_end: datetime
    cutoff_at: datetime | None
    period: date  # first day of the assessment period's month


def sector_window_rule(on: date) -> SectorWindowRule:
    """The window parameters of the rule set in force on `on`."""
    rule_set = rule_set_effective_on(on)
    if rule_set is None:
        return SectorWindowRule()
    return SectorWindowRule(
        rule_set_code=rule_set.code,
        days=rule_set.sector_confirmation_days,
        cutoff_day=rule_set.sector_cutoff_day,
        cutoff_time=rule_set.sector_cutoff_time,
        period_basis=rule_set.assessment_period_basis,
    )


def _month_start(moment: datetime) -> date:
    local = moment.astimezone(SHANGHAI)
    return date(local.year, local.month, 1)


def sector_window(
    *,
    pushed_at: datetime,
    received_at: datetime,
    rule: SectorWindowRule,
    window_end: datetime | None = None,
) -> SectorWindow:
    """When confirmation of a ticket pushed at `pushed_at` closes. `window_end` replaces the
    day window (a time-limit rule of the sector confirmation stage, when the rule set has one)."""
    if window_end is None:
        last_day = pushed_at.astimezone(SHANGHAI).date() + timedelta(days=rule.days)
        window_end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    basis = pushed_at if rule.period_basis == AssessmentPeriodBasis.PUSHED else received_at
    period = _month_start(basis)
    cutoff_at = None
    if rule.cutoff_day is not None:
        following = date(period.year + period.month // 12, period.month % 12 + 1, rule.cutoff_day)
        cutoff_at = datetime.combine(following, rule.cutoff_time, tzinfo=SHANGHAI)
    due_at = window_end if cutoff_at is None else min(window_end, cutoff_at)
    return SectorWindow(due_at=due_at, window_end=window_end, cutoff_at=cutoff_at, period=period)
