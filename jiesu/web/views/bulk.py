"""Bulk actions on the tickets ticked in the list: 签收, 派单, 催办 each ticket, or export them.

签收 and 催办 run at once; 派单 first asks for the lead unit on a page of its own. A form in error
comes back on that page with the ticks kept and the error beside its field. The outcome page
lists every ticket: done, or refused with the reason.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiesu.core.errors import DomainError
from jiesu.orgs.permissions import is_center_user
from jiesu.orgs.security.sessions import client_address
from jiesu.tickets.choices import EventKind
from jiesu.tickets.exporting.jobs import export_job_start
from jiesu.tickets.exporting.service import tickets_for_export
from jiesu.tickets.selectors import tickets_visible_to
from jiesu.tickets.services.bulk import tickets_bulk_perform
from jiesu.web.forms.base import Pickers
from jiesu.web.forms.bulk import BulkForm
from jiesu.web.http import current_user

SHOWN = 500


def _render_form(request: HttpRequest, form: BulkForm, numbers: list[str], status: int) -> HttpResponse:
    visible = tickets_visible_to(viewer=current_user(request)).filter(number__in=numbers[:SHOWN])
    context = {"form": form, "numbers": numbers, "tickets": visible.order_by("-received_at", "-id")}
    return render(request, "web/tickets/bulk.html", context, status=status)


@login_required
@require_POST
def ticket_bulk(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    pickers = Pickers()
    numbers = request.POST.getlist("numbers")
    if request.POST.get("action") == "dispatch" and "confirm" not in request.POST:
        initial = {"action": "dispatch", "numbers": numbers, "reason": request.POST.get("reason", "")}
        return _render_form(request, BulkForm(pickers=pickers, initial=initial), numbers, status=200)
    form = BulkForm(request.POST, pickers=pickers)
    if not form.is_valid():
        return _render_form(request, form, numbers, status=400)
    chosen = form.cleaned_data["numbers"]
    try:
        if form.cleaned_data["action"] == "export":
            job = export_job_start(
                tickets=tickets_for_export(viewer=user, numbers=chosen),
                actor=user,
                filters={"selected": len(chosen), "numbers": chosen},
                source_address=client_address(request),
            )
            return redirect("web:export_job", job_id=job.id)
        event = form.event(center=is_center_user(user))
        result = tickets_bulk_perform(numbers=chosen, action=event, actor=user, data=form.action_input())
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_form(request, form, numbers, status=exc.status)
    context = {"result": result, "label": EventKind(event).label}
    return render(request, "web/tickets/bulk_result.html", context)
