"""The "重复诉求" panel of the ticket page (loaded by htmx) and its two decisions: merge the later
ticket into the earlier one (the ordinary 并单 of the workflow), or "不是重复" (dismiss)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jiesu.core.errors import DomainError, NotFound
from jiesu.intel.duplicates.selectors import link_get_for, links_of
from jiesu.intel.duplicates.services import link_can_decide, link_dismiss, link_merge
from jiesu.intel.models import TicketLink
from jiesu.tickets.models import Ticket
from jiesu.web.http import current_user, visible_ticket


def _panel(request: HttpRequest, ticket: Ticket, status: int = 200) -> HttpResponse:
    user = current_user(request)
    context = {"ticket": ticket, "links": links_of(ticket=ticket, viewer=user), "can_decide": link_can_decide(user)}
    return render(request, "web/intel/_links.html", context, status=status)


@login_required
@require_GET
def ticket_links(request: HttpRequest, number: str) -> HttpResponse:
    return _panel(request, visible_ticket(request, number))


def _link(request: HttpRequest, link_id: int) -> TicketLink:
    try:
        return link_get_for(viewer=current_user(request), pk=link_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))  # django-htmx's middleware


def _shown(request: HttpRequest) -> Ticket:
    """The ticket whose page the decision was taken on (either end of the link)."""
    return visible_ticket(request, str(request.POST.get("shown", "")))


@login_required
@require_POST
def intel_link_dismiss(request: HttpRequest, link_id: int) -> HttpResponse:
    link = _link(request, link_id)
    shown = _shown(request)
    try:
        link_dismiss(link=link, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        if _htmx(request):
            return _panel(request, shown, status=exc.status)
    if _htmx(request):
        return _panel(request, shown)
    return redirect("web:ticket_detail", number=shown.number)


@login_required
@require_POST
def intel_link_merge(request: HttpRequest, link_id: int) -> HttpResponse:
    link = _link(request, link_id)
    shown = _shown(request)
    try:
        link_merge(link=link, actor=current_user(request), reason=str(request.POST.get("reason", "")))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已将工单 {link.ticket.number} 并入 {link.other.number}")
    return redirect("web:ticket_detail", number=shown.number)
