"""When an unreachable requester's callback (回访) may stop: the attempt limit of the rule set.

A callback that never reaches the requester cannot stay due for ever, or the due list fills with
tickets nobody can answer. Beijing practice closes it as "not contacted, invalid callback" after
three failed calls on at least two different days; some outcomes (a wrong number, a refusal) end
it at once. All three values are rule-set data (`TimeLimitRuleSet.callback_*`), so a customer's own
practice is a new rule-set version, not a code change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from jiesu.sla.models import default_callback_final_outcomes
from jiesu.sla.selectors import rule_set_effective_on

__all__ = ["CallbackAttemptRule", "callback_attempt_rule", "callback_attempts_exhausted"]


@dataclass(frozen=True)
class CallbackAttemptRule:
    """The limit in force (a rule set's, or the Beijing defaults when none is active)."""

    rule_set_code: str = ""
    max_attempts: int = 3
    min_days: int = 2
    final_outcomes: frozenset[str] = field(default_factory=lambda: frozenset(default_callback_final_outcomes()))

    def describe(self) -> str:
        text = f"未接通 {self.max_attempts} 次且分布在至少 {self.min_days} 个不同日期"
        return text + ("，或出现立即结束的结果" if self.final_outcomes else "")


def callback_attempt_rule(on: date) -> CallbackAttemptRule:
    """The attempt limit of the rule set in force on `on` (the day the ticket closed)."""
    rule_set = rule_set_effective_on(on)
    if rule_set is None:
        return CallbackAttemptRule()
    outcomes = rule_set.callback_final_outcomes if isinstance(rule_set.callback_final_outcomes, list) else []
    return CallbackAttemptRule(
        rule_set_code=rule_set.code,
        max_attempts=rule_set.callback_max_attempts,
        min_days=rule_set.callback_min_days,
        final_outcomes=frozenset(str(o) for o in outcomes),
    )


def callback_attempts_exhausted(rule: CallbackAttemptRule, failed: Iterable[tuple[date, str]]) -> bool:
    """Whether the failed attempts so far — (local day, outcome) each — end the callback."""
    attempts = list(failed)
    if any(outcome in rule.final_outcomes for _, outcome in attempts):
        return True
    days = {day for day, _ in attempts}
    return len(attempts) >= rule.max_attempts and len(days) >= rule.min_days
