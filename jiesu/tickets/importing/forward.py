"""Tickets a previous import already created: find them, and move them forward step by step."""

from __future__ import annotations

from collections import defaultdict
from copy import copy
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from jiesu.sla.services import DeadlineFacts
from jiesu.tickets.importing.dues import PlanBasis, basis_for_ticket
from jiesu.tickets.importing.planner import PlannedStep, Planner, ReplayState
from jiesu.tickets.importing.rows import ImportRecord
from jiesu.tickets.importing.writer import remaining_steps, write_steps
from jiesu.tickets.models import Ticket, TicketEvent

_COLUMNS = (
    "id",
    "source",
    "external_number",
    "status",
    "lead_unit_id",
    "extension_pending",
    "exclusion_pending",
    "sector_confirmation_pending",
    "return_count",
    "urgency",
    "kind",
    "is_complex",
    "channel",
    "category__code",
    "lead_unit__kind",
    "deadline_rules",
)


@dataclass(slots=True)
class Existing:
    """What deciding "unchanged or not" needs of an existing ticket (read as values, not models)."""

    pk: int
    state: ReplayState
    basis: PlanBasis
    kinds: list[str]  # its events, in order

    def remaining(self, planner: Planner, record: ImportRecord) -> list[PlannedStep]:
        return remaining_steps(planner.plan(record, self.basis), self.kinds)


def _existing_of(row: dict[str, Any]) -> Existing:
    facts = DeadlineFacts(
        urgency=row["urgency"],
        kind=row["kind"],
        is_complex=row["is_complex"],
        channel=row["channel"],
        category_code=row["category__code"] or "",
        unit_kind=row["lead_unit__kind"] or "",
    )
    state = ReplayState(
        status=row["status"],
        lead_unit_id=row["lead_unit_id"],
        extension_pending=row["extension_pending"],
        exclusion_pending=row["exclusion_pending"],
        sector_confirmation_pending=row["sector_confirmation_pending"],
    )
    basis = PlanBasis(facts, row["return_count"], dict(row["deadline_rules"] or {}))
    return Existing(pk=row["id"], state=state, basis=basis, kinds=[])


def existing_find(records: list[ImportRecord]) -> dict[tuple[str, str], Existing]:
    """Tickets already imported under the same (source, external number), with their event kinds."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_source[record.source].append(record.external_number)
    found: dict[tuple[str, str], Existing] = {}
    for source, numbers in by_source.items():
        # The exclude() repeats the condition of the partial unique index on (source, external
        # number), without which SQLite does not use that index and scans the whole table.
        query = Ticket.objects.filter(source=source, external_number__in=numbers).exclude(external_number="")
        for row in query.order_by().values(*_COLUMNS):
            found[(row["source"], row["external_number"])] = _existing_of(row)
    if found:
        by_pk = {existing.pk: existing for existing in found.values()}
        events = TicketEvent.objects.filter(ticket_id__in=by_pk).order_by("occurred_at", "id")
        for ticket_id, kind in events.values_list("ticket_id", "kind"):
            by_pk[ticket_id].kinds.append(kind)
    return found


def forward_check(planner: Planner, record: ImportRecord, existing: Existing) -> None:
    """Dry run: would the missing steps be legal from the ticket's current status?"""
    steps = existing.remaining(planner, record)
    planner.replay(record, existing.state.status, steps, copy(existing.state))


@transaction.atomic
def forward_write(planner: Planner, record: ImportRecord, ticket_id: int) -> None:
    """Re-read the ticket inside the row's transaction, then write the steps it lacks."""
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("category", "lead_unit").get(pk=ticket_id)
    kinds = list(TicketEvent.objects.filter(ticket=ticket).order_by("occurred_at", "id").values_list("kind", flat=True))
    plan = planner.plan(record, basis_for_ticket(ticket))
    steps = remaining_steps(plan, kinds)
    state = ReplayState(
        status=ticket.status,
        lead_unit_id=ticket.lead_unit_id,
        extension_pending=ticket.extension_pending,
        exclusion_pending=ticket.exclusion_pending,
        sector_confirmation_pending=ticket.sector_confirmation_pending,
    )
    planner.replay(record, ticket.status, steps, state)
    write_steps(ticket, plan, steps)
