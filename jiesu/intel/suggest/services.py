"""Making suggestions for a ticket, training new model versions from the database, and recording
the agents' answers to suggestions (accepted, or corrected to the value they chose)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jiesu.intel.choices import SuggestedField
from jiesu.intel.models import ModelVersion, SuggestionFeedback, TicketSuggestion
from jiesu.intel.suggest.dataset import DEFAULT_LIMIT, training_set
from jiesu.intel.suggest.heads import (
    KIND,
    LEAD_UNIT,
    URGENCY,
    category_head,
    category_level,
    heads_predict,
    heads_train,
)
from jiesu.intel.suggest.registry import active_model, model_register
from jiesu.orgs.models import User
from jiesu.tickets.choices import EventKind
from jiesu.tickets.models import Category, Ticket, TicketEvent

log = logging.getLogger(__name__)
DECISIONS = (EventKind.TRIAGED, EventKind.DISPATCHED, EventKind.SELF_HANDLED)
CLASSIFIED = (EventKind.TRIAGED, EventKind.SELF_HANDLED)
# Decisions older than this are not looked at again: a suggestion answered months later says
# nothing about how useful it was when the agent needed it.
FEEDBACK_WINDOW = timedelta(days=90)


def ticket_text(ticket: Ticket) -> str:
    return f"{ticket.title}\n{ticket.content}".strip()


def suggestions_make(ticket: Ticket) -> TicketSuggestion | None:
    """The active model's suggestions for `ticket`, stored once per ticket and version; None when
    no model is active."""
    loaded = active_model()
    if loaded is None:
        return None
    existing = TicketSuggestion.objects.filter(ticket=ticket, model_version=loaded.version).first()
    if existing is not None:
        return existing
    (predicted,) = heads_predict(loaded.pipeline, [ticket_text(ticket)])
    try:
        with transaction.atomic():
            return TicketSuggestion.objects.create(ticket=ticket, model_version=loaded.version, suggestions=predicted)
    except IntegrityError:  # made at the same moment by intake screening and a page view
        return TicketSuggestion.objects.get(ticket=ticket, model_version=loaded.version)


def suggestions_train(
    *,
    since: date | None = None,
    limit: int = DEFAULT_LIMIT,
    actor: User | None = None,
    activate: bool = True,
    note: str = "",
) -> ModelVersion:
    """Train a new version on the database's closed tickets and the agents' corrections."""
    data = training_set(since=since, limit=limit)
    trained = heads_train(data)
    return model_register(trained, actor=actor, activate=activate, note=note)


def _top(suggestions: dict[str, Any], head: str) -> str:
    candidates = suggestions.get(head) or []
    return str(candidates[0]["value"]) if candidates else ""


def _category_answer(suggestions: dict[str, Any], category: Category) -> tuple[str, bool]:
    """The suggested value at the chosen category's level (or the deepest level the model has
    above it) and whether it agrees with the chosen category."""
    levels = sorted((category_level(h) for h in suggestions if category_level(h)), reverse=True)
    level = next((x for x in levels if x <= category.level), 0)
    if not level:
        return "", False
    suggested = _top(suggestions, category_head(level))
    if level == category.level:
        return suggested, suggested == str(category.pk)
    ancestor: Category | None = category
    while ancestor is not None and ancestor.level > level:
        ancestor = ancestor.parent
    return suggested, ancestor is not None and suggested == str(ancestor.pk)


def _answers(
    ticket: Ticket, events: list[TicketEvent], suggestions: dict[str, Any]
) -> dict[str, tuple[str, str, bool]]:
    """Field → (suggested, chosen, accepted) for what the ticket's decisions settled."""
    answers: dict[str, tuple[str, str, bool]] = {}
    kinds = {e.kind for e in events}
    if kinds & set(CLASSIFIED):
        if ticket.category is not None:
            suggested, accepted = _category_answer(suggestions, ticket.category)
            if suggested:
                answers[SuggestedField.CATEGORY] = (suggested, str(ticket.category.pk), accepted)
        for name, value in ((KIND, ticket.kind), (URGENCY, ticket.urgency)):
            if suggestions.get(name):
                answers[name] = (_top(suggestions, name), value, _top(suggestions, name) == value)
    dispatches = [e for e in events if e.kind == EventKind.DISPATCHED and e.payload.get("lead_unit_id")]
    if dispatches and suggestions.get(LEAD_UNIT):
        chosen = str(dispatches[-1].payload["lead_unit_id"])
        answers[LEAD_UNIT] = (_top(suggestions, LEAD_UNIT), chosen, _top(suggestions, LEAD_UNIT) == chosen)
    return answers


def _pending_tickets(now: datetime, limit: int) -> list[int]:
    """Suggested tickets with a decision whose fields have no answer recorded yet, newest first."""

    def answered(*fields: str) -> Exists:
        return Exists(SuggestionFeedback.objects.filter(ticket_id=OuterRef("ticket_id"), field__in=fields))

    pending = (
        TicketEvent.objects.filter(
            kind__in=DECISIONS, occurred_at__gte=now - FEEDBACK_WINDOW, ticket__intel_suggestions__isnull=False
        )
        .alias(answered_classified=answered(SuggestedField.CATEGORY, KIND, URGENCY), answered_lead=answered(LEAD_UNIT))
        .filter(Q(kind__in=CLASSIFIED, answered_classified=False) | Q(kind=EventKind.DISPATCHED, answered_lead=False))
        .order_by("-recorded_at")
        .values_list("ticket_id", flat=True)
    )
    return list(dict.fromkeys(pending[: limit * 3]))[:limit]


def suggestion_feedback_record(*, now: datetime | None = None, limit: int = 500) -> int:
    """Record, once per ticket and field, whether the agent took the top suggestion. Returns the
    number of rows written; running it again writes nothing new."""
    now = now or timezone.now()
    written = 0
    for ticket_id in _pending_tickets(now, limit):
        written += _ticket_feedback(ticket_id)
    return written


def _ticket_feedback(ticket_id: int) -> int:
    ticket = Ticket.objects.select_related("category", "category__parent").get(pk=ticket_id)
    events = list(TicketEvent.objects.filter(ticket_id=ticket_id, kind__in=DECISIONS).order_by("recorded_at", "pk"))
    first_decision = events[0].recorded_at
    suggestion = (
        TicketSuggestion.objects.filter(ticket_id=ticket_id, created_at__lte=first_decision)
        .order_by("-created_at")
        .first()
    ) or TicketSuggestion.objects.filter(ticket_id=ticket_id).order_by("created_at").first()
    if suggestion is None:
        return 0
    done = set(SuggestionFeedback.objects.filter(ticket_id=ticket_id).values_list("field", flat=True))
    actor_id = events[-1].actor_id
    rows = [
        SuggestionFeedback(
            ticket_id=ticket_id,
            model_version_id=suggestion.model_version_id,
            field=name,
            suggested=suggested[:200],
            chosen=chosen[:200],
            accepted=accepted,
            actor_id=actor_id,
        )
        for name, (suggested, chosen, accepted) in _answers(ticket, events, suggestion.suggestions).items()
        if name not in done
    ]
    SuggestionFeedback.objects.bulk_create(rows)
    return len(rows)


def acceptance_rates(*, since: datetime, fields: Iterable[str] = SuggestedField.values) -> dict[str, dict[str, Any]]:
    """Per field: answers recorded since `since`, how many took the top suggestion, the rate."""
    rates: dict[str, dict[str, Any]] = {}
    for name in fields:
        rows = SuggestionFeedback.objects.filter(field=name, recorded_at__gte=since)
        total = rows.count()
        accepted = rows.filter(accepted=True).count()
        rates[name] = {"total": total, "accepted": accepted, "rate": round(accepted / total, 4) if total else None}
    return rates
