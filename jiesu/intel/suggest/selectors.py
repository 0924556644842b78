"""Reads for the suggestion pages and the API: a ticket's suggestions as rows per field, the model
versions with their figures and how often agents took the top suggestion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from jiesu.intel.choices import SuggestedField
from jiesu.intel.models import ModelVersion, TicketSuggestion
from jiesu.intel.suggest.heads import KIND, LEAD_UNIT, URGENCY, category_level
from jiesu.intel.suggest.services import acceptance_rates

LEVEL_NAMES = "一二三四五"
ACCEPTANCE_WINDOW = timedelta(days=30)


def head_label(head: str) -> str:
    level = category_level(head)
    if level:
        return f"问题分类（{LEVEL_NAMES[level - 1] if level <= len(LEVEL_NAMES) else level}级）"
    return str(SuggestedField(head).label) if head in SuggestedField.values else head


def head_order(head: str) -> tuple[int, int]:
    level = category_level(head)
    return (
        (0, level)
        if level
        else (1, [KIND, URGENCY, LEAD_UNIT].index(head) if head in (KIND, URGENCY, LEAD_UNIT) else 9)
    )


@dataclass(frozen=True)
class SuggestionRow:
    head: str
    label: str
    candidates: list[dict[str, Any]]


def suggestion_rows(suggestion: TicketSuggestion) -> list[SuggestionRow]:
    heads = sorted(suggestion.suggestions, key=head_order)
    return [SuggestionRow(head=h, label=head_label(h), candidates=list(suggestion.suggestions[h])) for h in heads]


def suggestion_latest(ticket_id: int) -> TicketSuggestion | None:
    """The suggestion of the active version if there is one, else the newest one."""
    rows = TicketSuggestion.objects.filter(ticket_id=ticket_id).select_related("model_version")
    return rows.filter(model_version__is_active=True).first() or rows.order_by("-created_at").first()


def model_versions() -> list[ModelVersion]:
    return list(ModelVersion.objects.select_related("trained_by").order_by("-version"))


def acceptance_recent() -> dict[str, dict[str, Any]]:
    """Acceptance of the top suggestion per field over the last 30 days."""
    return acceptance_rates(since=timezone.now() - ACCEPTANCE_WINDOW)
