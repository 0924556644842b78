"""htmx helpers of the dispatch forms: the unit search that refills a unit select, and the
preview of the deadlines a dispatch to the chosen lead unit would set."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiesu.core.errors import DomainError
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.tickets.choices import Stage
from jiesu.tickets.services.dispatch import ticket_dispatch_deadlines
from jiesu.web.access import can_dispatch, can_forward
from jiesu.web.forms.base import NOT_HANDLING
from jiesu.web.http import current_user, visible_ticket

PICK_LIMIT = 50
PATH_SKIPPED = (UnitKind.CENTER, UnitKind.CITY)


def _with_paths(units: list[Unit]) -> list[tuple[int, str]]:
    """(pk, "朝阳区 / 望京街道") for each unit; ancestors' names come in one query."""
    ancestor_ids = {pk for u in units for pk in u.ancestor_ids()}
    names = dict(Unit.objects.filter(pk__in=ancestor_ids).exclude(kind__in=PATH_SKIPPED).values_list("pk", "name"))
    rows = []
    for unit in units:
        parts = [names[pk] for pk in unit.ancestor_ids() if pk in names and pk != unit.pk]
        rows.append((unit.pk, " / ".join([*parts, unit.name])))
    return rows


@login_required
@require_GET
def unit_pick(request: HttpRequest) -> HttpResponse:
    """The <option>s of the units the user may send a ticket to whose name or code contains `q`
    (all when empty): for the center any handling unit, for a unit the units below it."""
    user = current_user(request)
    units = Unit.objects.filter(is_active=True)
    if can_dispatch(user):
        units = units.exclude(kind__in=NOT_HANDLING)
    elif can_forward(user) and user.unit is not None:
        units = units.filter(path__startswith=user.unit.path).exclude(pk=user.unit.pk)
    else:
        raise PermissionDenied
    query = (request.GET.get("unit_q") or request.GET.get("q") or "").strip()[:64]
    if query:
        units = units.filter(name__icontains=query) | units.filter(code__iexact=query)
    found = list(units.order_by("path")[:PICK_LIMIT])
    context = {
        "options": _with_paths(found),
        "blank": request.GET.get("for", "lead") == "lead",
        "truncated": len(found) == PICK_LIMIT,
        "query": query,
    }
    return render(request, "web/tickets/_unit_options.html", context)


@login_required
@require_GET
def dispatch_preview(request: HttpRequest, number: str) -> HttpResponse:
    """The deadlines a dispatch to the chosen lead unit would set now, from the same code."""
    current_user(request)
    ticket = visible_ticket(request, number)
    # The select posts under its prefixed form name (dispatched-lead_unit, redispatched-lead_unit).
    raw = next((str(v) for k, v in request.GET.items() if k == "lead" or k.endswith("lead_unit")), "")
    unit = Unit.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() else None
    context: dict[str, object] = {"unit": unit}
    if unit is not None:
        try:
            deadlines = ticket_dispatch_deadlines(ticket=ticket, lead_unit=unit)
        except DomainError as exc:
            context["error"] = exc.message
        else:
            context["acknowledge_due"] = deadlines[Stage.UNIT_ACKNOWLEDGE]
            context["reply_due"] = deadlines[Stage.REPLY]
    return render(request, "web/tickets/_deadline_preview.html", context)
