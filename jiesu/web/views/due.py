"""The 'due soon' and 'overdue' lists: every stage with a deadline (签收, 派单, 反馈, 回访 …), not
only the reply, within the viewer's scope and optionally one unit's subtree."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jiesu.orgs.models import Unit, User
from jiesu.orgs.permissions import user_scope
from jiesu.reminders.selectors import tickets_due_conditions, tickets_due_soon, tickets_overdue
from jiesu.tickets.models import Ticket
from jiesu.web.http import current_user

PAGE_SIZE = 50
WITHIN_HOURS = 48
DUE_SOON_WITHIN = timedelta(hours=WITHIN_HOURS)
KINDS = {"soon": "即将到期", "overdue": "各环节超期"}


def due_tickets(viewer: User, kind: str, unit: Unit | None = None) -> QuerySet[Ticket]:
    if kind == "soon":
        return tickets_due_soon(viewer, DUE_SOON_WITHIN, unit=unit)
    return tickets_overdue(viewer, unit=unit)


def due_conditions(viewer: User, now: datetime) -> dict[str, Q]:
    """Both lists' conditions by kind, to be counted with the work queues in one pass (empty for
    users who see no tickets)."""
    if user_scope(viewer).nothing:
        return {}
    soon, overdue = tickets_due_conditions(viewer, DUE_SOON_WITHIN, now)
    return {"soon": soon, "overdue": overdue}


def due_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(kind, label, count) of both lists for the home page, from the counts of `due_conditions`."""
    return [(kind, KINDS[kind], counts[kind]) for kind in KINDS if kind in counts]


def _unit(value: str | None) -> Unit | None:
    if not value:
        return None
    unit = Unit.objects.filter(pk=int(value)).first() if value.isdigit() and len(value) < 19 else None
    if unit is None:
        raise Http404("单位不存在")
    return unit


@login_required
def ticket_due_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    kind = request.GET.get("kind", "soon")
    if kind not in KINDS:
        raise Http404("列表不存在")
    unit = _unit(request.GET.get("unit"))
    rows = due_tickets(user, kind, unit).select_related("district", "township", "lead_unit")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"kind": kind, "label": KINDS[kind], "unit": unit, "page": page, "within_hours": WITHIN_HOURS}
    return render(request, "web/tickets/due.html", context)
