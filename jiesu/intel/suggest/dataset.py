"""The training rows of the suggestion model, read from the database.

Closed tickets (not merged, not returned to the city) with a category give every head its label
from the ticket's final stored values. Tickets not closed yet add what an agent confirmed or
corrected (SuggestionFeedback.chosen, latest per field): that is how corrections reach the next
training before the ticket closes. A closed ticket's own values always win over its feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone

from jiesu.intel.choices import SuggestedField
from jiesu.intel.models import SuggestionFeedback
from jiesu.intel.suggest.heads import KIND, LEAD_UNIT, URGENCY, TrainingSet, category_head
from jiesu.orgs.models import Unit
from jiesu.tickets.choices import Kind, TicketStatus, Urgency
from jiesu.tickets.models import Category, Ticket

DEFAULT_LIMIT = 200_000
NOT_APPEALS = (TicketStatus.CLOSED, TicketStatus.MERGED, TicketStatus.RETURNED_TO_CITY)
COLUMNS = ("pk", "title", "content", "received_at", "category_id", "kind", "urgency", "lead_unit_id")


@dataclass
class _Row:
    received_at: datetime
    text: str
    category_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)  # kind / urgency / lead_unit


class CategoryTree:
    """Every category's chain of ancestors, loaded once."""

    def __init__(self) -> None:
        rows = Category.objects.values_list("pk", "parent_id", "level", "name", "full_name")
        self.parent = {pk: parent for pk, parent, _, _, _ in rows}
        self.level = {pk: level for pk, _, level, _, _ in rows}
        self.name = {pk: full or name for pk, _, _, name, full in rows}

    def chain(self, pk: int) -> list[int]:
        """`pk` and its ancestors, root first."""
        chain: list[int] = []
        current: int | None = pk
        while current is not None and current in self.parent and current not in chain:
            chain.append(current)
            current = self.parent[current]
        return chain[::-1]


def _text(title: str, content: str) -> str:
    return f"{title}\n{content}".strip()


def _closed_rows(since: date | None, limit: int) -> dict[int, _Row]:
    query = Ticket.objects.filter(status=TicketStatus.CLOSED, category__isnull=False, merged_into__isnull=True)
    if since is not None:
        query = query.filter(received_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    found: dict[int, _Row] = {}
    for pk, title, content, received_at, category_id, kind, urgency, lead_unit_id in query.order_by(
        "-received_at", "-pk"
    ).values_list(*COLUMNS)[:limit]:
        values = {KIND: kind, URGENCY: urgency, LEAD_UNIT: str(lead_unit_id) if lead_unit_id else ""}
        found[pk] = _Row(received_at, _text(title, content), category_id, values)
    return found


def _feedback_rows(since: date | None, limit: int) -> dict[int, _Row]:
    """Open tickets with an agent's confirmed or corrected values (latest answer per field)."""
    feedback = SuggestionFeedback.objects.exclude(ticket__status__in=NOT_APPEALS)
    if since is not None:
        feedback = feedback.filter(ticket__received_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    ticket_ids = list(feedback.order_by("-ticket__received_at").values_list("ticket_id", flat=True).distinct()[:limit])
    tickets = {
        pk: (title, content, received_at)
        for pk, title, content, received_at in Ticket.objects.filter(pk__in=ticket_ids).values_list(
            "pk", "title", "content", "received_at"
        )
    }
    found: dict[int, _Row] = {}
    for ticket_id, name, chosen in (
        feedback.filter(ticket_id__in=ticket_ids)
        .order_by("recorded_at", "pk")
        .values_list("ticket_id", "field", "chosen")
    ):
        title, content, received_at = tickets[ticket_id]
        row = found.setdefault(ticket_id, _Row(received_at, _text(title, content)))
        if name == SuggestedField.CATEGORY:
            row.category_id = int(chosen) if chosen.isdigit() else None
        else:
            row.values[str(name)] = chosen
    return found


def training_set(*, since: date | None = None, limit: int = DEFAULT_LIMIT) -> TrainingSet:
    """At most `limit` rows, the newest by received time, returned oldest first."""
    rows = _feedback_rows(since, limit)
    rows.update(_closed_rows(since, limit))  # the final stored values win
    chosen = sorted(rows.values(), key=lambda r: r.received_at, reverse=True)[:limit]
    chosen.reverse()
    tree = CategoryTree()
    depth = max((tree.level.get(r.category_id, 0) for r in chosen if r.category_id), default=0)
    labels: dict[str, list[str]] = {category_head(level): [] for level in range(1, depth + 1)}
    labels.update({KIND: [], URGENCY: [], LEAD_UNIT: []})
    used: set[int] = set()
    for row in chosen:
        chain = tree.chain(row.category_id) if row.category_id else []
        used.update(chain)
        for level in range(1, depth + 1):
            labels[category_head(level)].append(str(chain[level - 1]) if len(chain) >= level else "")
        for head in (KIND, URGENCY, LEAD_UNIT):
            labels[head].append(row.values.get(head, ""))
    return TrainingSet(
        texts=[r.text for r in chosen],
        labels=labels,
        names=_names(tree, used, depth, labels[LEAD_UNIT]),
        parents={str(pk): str(tree.parent[pk] or "") for pk in used},
        details={"source": "database", "since": since.isoformat() if since else None, "limit": limit},
    )


def _names(tree: CategoryTree, used: set[int], depth: int, lead_units: list[str]) -> dict[str, dict[str, str]]:
    categories = {str(pk): tree.name[pk] for pk in used}
    unit_ids = {int(x) for x in lead_units if x}
    units = {str(pk): name for pk, name in Unit.objects.filter(Q(pk__in=unit_ids)).values_list("pk", "name")}
    names = {category_head(level): categories for level in range(1, depth + 1)}
    names[KIND] = {str(k.value): str(k.label) for k in Kind}
    names[URGENCY] = {str(u.value): str(u.label) for u in Urgency}
    names[LEAD_UNIT] = units
    return names
