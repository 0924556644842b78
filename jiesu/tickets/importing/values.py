"""What the ticket row of a planned import holds, shared by the SQLite and PostgreSQL writers."""

from __future__ import annotations

from django.db.models import Model

from jiesu.core.fields import PhoneDigestField
from jiesu.orgs.models import User
from jiesu.tickets.importing.planner import TicketPlan
from jiesu.tickets.models import Ticket

# Columns the model derives on save (pre_save); raw bulk writers must derive them too.
DERIVED = tuple(f for f in Ticket._meta.concrete_fields if isinstance(f, PhoneDigestField))


def ticket_values(plan: TicketPlan, actor: User | None) -> dict[str, object]:
    """Everything the ticket row holds but its number: the row's fields, then what each planned
    step set, then the derived columns."""
    record = plan.record
    values: dict[str, object] = {
        "source": record.source,
        "external_number": record.external_number,
        "received_at": record.times["received_at"],
        "district_id": _pk(record.district),
        "township_id": _pk(record.township),
        "community_id": _pk(record.community),
        "category_id": _pk(record.category),
        "created_by_id": _pk(actor),
        **record.values,
    }
    for step in plan.steps:
        values.update(step.changes)
    # Status and version as ticket_transition would leave them after these steps (checked by replay_status).
    values.update(status=plan.status, version=len(plan.steps))
    for derived in DERIVED:
        values[derived.attname] = derived.value_for(str(values.get(derived.source) or ""))
    return values


def _pk(instance: Model | None) -> int | None:
    return instance.pk if instance is not None else None
