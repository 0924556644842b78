"""Indicators as declarative definitions over the facts stored on Ticket (docs/kpi.md).

Each definition says which tickets form the denominator, which of those form the numerator, the
timestamp that places a ticket in an assessment window, and which assessment scopes it counts.
Nothing here runs a query: `jiesu.kpi.selectors` turns the definitions into one aggregate query
per grouping, and into the drill-down querysets behind every number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import F, Q

from jiesu.kpi.choices import ScopeRule
from jiesu.kpi.errors import UnknownIndicator
from jiesu.tickets.choices import AssessmentScope, Satisfaction


@dataclass(frozen=True)
class Term:
    """One part of a numerator; `scaled` terms are multiplied by the scheme's coefficient for
    'fairly satisfied', so the SQL only ever counts rows and both databases agree exactly."""

    condition: Q
    scaled: bool = False


@dataclass(frozen=True)
class Window:
    """[start, end): aware datetimes."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    placed_by: str
    denominator: Q
    numerator: tuple[Term, ...]
    scope: ScopeRule
    is_rate: bool = True
    # A fact that must have happened before the window ends to count in the numerator: a past
    # period then re-computes to the same number however late the ticket was finished.
    done_before_end: str | None = None
    # Returns and repeat appeals: the lower the better (rankings sort ascending).
    lower_is_better: bool = False

    def window_condition(self, window: Window) -> Q:
        return Q(**{f"{self.placed_by}__gte": window.start, f"{self.placed_by}__lt": window.end})

    def scope_condition(self) -> Q:
        if self.scope == ScopeRule.ASSESSED:
            return Q(assessment_scope=AssessmentScope.FULL)
        if self.scope == ScopeRule.RESPONSE:
            return Q(assessment_scope__in=[AssessmentScope.FULL, AssessmentScope.RESPONSE_ONLY])
        return Q()

    def denominator_condition(self, window: Window) -> Q:
        return self.window_condition(window) & self.scope_condition() & self.denominator

    def term_condition(self, term: Term, window: Window) -> Q:
        condition = self.denominator_condition(window) & term.condition
        if self.done_before_end:
            condition &= Q(**{f"{self.done_before_end}__lt": window.end})
        return condition

    def value(self, numerator: Decimal, denominator: int) -> Decimal | None:
        """None ('不适用') for an empty denominator, never 0 % or 100 %."""
        if not self.is_rate:
            return numerator
        if denominator == 0:
            return None
        return numerator / Decimal(denominator)

    def numerator_from(self, counts: list[int], coefficient: Decimal) -> Decimal:
        return sum(
            (Decimal(n) * (coefficient if term.scaled else 1) for term, n in zip(self.numerator, counts, strict=True)),
            Decimal(0),
        )


def _on_time(code: str, name: str, due: str, done: str, extra: Q | None = None) -> Indicator:
    """Due in the window; on time when the fact happened by its deadline (never = late)."""
    return Indicator(
        code=code,
        name=name,
        placed_by=due,
        denominator=Q(**{f"{due}__isnull": False}) & (extra or Q()),
        numerator=(Term(Q(**{f"{done}__lte": F(due)})),),
        scope=ScopeRule.ASSESSED,
    )


VALID_CALLBACK = Q(callback_valid=True)
ALL_TICKETS = Q()

INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "response_rate",
            "响应率",
            "received_at",
            VALID_CALLBACK,
            (Term(Q(callback_contacted=True)),),
            ScopeRule.RESPONSE,
        ),
        Indicator(
            "resolution_rate",
            "解决率",
            "received_at",
            VALID_CALLBACK,
            (Term(Q(callback_resolved=True)),),
            ScopeRule.ASSESSED,
        ),
        Indicator(
            "satisfaction_rate",
            "满意率",
            "received_at",
            VALID_CALLBACK,
            (
                Term(Q(callback_satisfaction=Satisfaction.SATISFIED)),
                Term(Q(callback_satisfaction=Satisfaction.FAIRLY_SATISFIED), scaled=True),
            ),
            ScopeRule.ASSESSED,
        ),
        _on_time("on_time_acknowledge_rate", "按时签收率", "acknowledge_due_at", "acknowledged_at"),
        _on_time("on_time_dispatch_rate", "按时派单率", "dispatch_due_at", "dispatched_at"),
        _on_time(
            "on_time_dispatch_normal_rate",
            "一般工单按时派单率",
            "dispatch_due_at",
            "dispatched_at",
            Q(is_complex=False),
        ),
        _on_time(
            "on_time_dispatch_complex_rate",
            "复杂疑难工单按时派单率",
            "dispatch_due_at",
            "dispatched_at",
            Q(is_complex=True),
        ),
        _on_time("on_time_reply_rate", "按时反馈率", "reply_due_at", "replied_at"),
        _on_time("on_time_completion_rate", "按期办结率", "reply_due_at", "closed_at"),
        Indicator(
            "completion_rate",
            "办结率",
            "received_at",
            ALL_TICKETS,
            (Term(Q(closed_at__isnull=False)),),
            ScopeRule.ASSESSED,
            done_before_end="closed_at",
        ),
        Indicator(
            "return_rate",
            "退单率",
            "dispatched_at",
            ALL_TICKETS,
            (Term(Q(return_count__gt=0)),),
            ScopeRule.ASSESSED,
            lower_is_better=True,
        ),
        Indicator(
            "direct_answer_rate",
            "直接办复率",
            "received_at",
            ALL_TICKETS,
            (Term(Q(is_direct_answer=True)),),
            ScopeRule.ASSESSED,
        ),
        Indicator(
            "callback_rate",
            "回访率",
            "closed_at",
            ALL_TICKETS,
            (Term(VALID_CALLBACK),),
            ScopeRule.ASSESSED,
        ),
        Indicator(
            "repeat_rate",
            "重复诉求率",
            "received_at",
            ALL_TICKETS,
            (Term(Q(is_repeat=True)),),
            ScopeRule.ASSESSED,
            lower_is_better=True,
        ),
        Indicator(
            "volume",
            "受理量",
            "received_at",
            ALL_TICKETS,
            (Term(ALL_TICKETS),),
            ScopeRule.EVERY,
            is_rate=False,
        ),
    )
}


def indicator_get(code: str) -> Indicator:
    try:
        return INDICATORS[code]
    except KeyError:
        raise UnknownIndicator(indicator=code) from None
