"""One ExclusionRequest row for every exclusion request filed before the rows existed: each
EXCLUSION_REQUESTED event, with the first decision event that followed it on the same ticket.

Only events are read and rows added; events stay untouched (they are append-only)."""

from django.db import migrations

REQUESTED = "exclusion_requested"
DECISIONS = {"exclusion_approved": "approved", "exclusion_rejected": "rejected"}
SCOPES = ("excluded", "response_only")


def _decision_for(events, request):
    """The decision that answered `request`; None while pending; False if a newer request came
    first (not possible through the workflow guard, but a ticket may hold only one pending row)."""
    later = [e for e in events if (e.occurred_at, e.pk) > (request.occurred_at, request.pk)]
    for event in later:
        if event.kind == REQUESTED:
            return False
        if event.kind in DECISIONS:
            return event
    return None


def backfill(apps, schema_editor):
    event_model = apps.get_model("tickets", "TicketEvent")
    request_model = apps.get_model("tickets", "ExclusionRequest")
    kinds = [REQUESTED, *DECISIONS]
    taken = set(request_model.objects.values_list("request_event_id", flat=True))
    ticket_ids = (
        event_model.objects.filter(kind=REQUESTED).order_by("ticket_id").values_list("ticket_id", flat=True).distinct()
    )
    for ticket_id in ticket_ids.iterator():
        events = list(event_model.objects.filter(ticket_id=ticket_id, kind__in=kinds).order_by("occurred_at", "id"))
        for request in (e for e in events if e.kind == REQUESTED and e.pk not in taken):
            decision = _decision_for(events, request)
            if decision is False:
                continue
            scope = request.payload.get("scope")
            request_model.objects.create(
                ticket_id=ticket_id,
                kind="exclusion",
                reason_code=str(request.payload.get("reason_code", ""))[:64],
                scope=scope if scope in SCOPES else "excluded",
                statement=request.reason,
                submitted_at=request.occurred_at,
                submitted_by_id=request.actor_id,
                request_event_id=request.pk,
                decision=DECISIONS[decision.kind] if decision else "pending",
                decided_at=decision.occurred_at if decision else None,
                reviewer_id=decision.actor_id if decision else None,
                decision_note=decision.reason if decision else "",
                decision_event_id=decision.pk if decision else None,
            )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0011_seed_exclusion_reasons")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
