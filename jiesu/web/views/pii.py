"""Showing the requester's data in full on the ticket page: a reason, an audit line, an htmx swap."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jiesu.core.errors import DomainError
from jiesu.orgs.security.sessions import client_address
from jiesu.tickets.services.pii import REVEAL_FIELDS, requester_reveal
from jiesu.web.http import current_user, visible_ticket
from jiesu.web.presenters import requester_context
from jiesu.web.views.tickets import render_ticket_detail

PARTIAL = "web/tickets/_requester.html"


@never_cache
@login_required
@require_POST
def ticket_reveal(request: HttpRequest, number: str) -> HttpResponse:
    """The requester block with the full values, or with the refusal (htmx swaps it in place).

    htmx swaps only successful responses, so a refusal comes back as 200 with the message to an
    htmx request, and as the whole page with the error status otherwise."""
    user = current_user(request)
    ticket = visible_ticket(request, number)
    fields = request.POST.getlist("fields") or list(REVEAL_FIELDS)
    reason = request.POST.get("reason", "")
    htmx = bool(getattr(request, "htmx", False))
    try:
        revealed = requester_reveal(
            ticket, actor=user, fields=fields, reason=reason, source_address=client_address(request)
        )
    except DomainError as exc:
        context = requester_context(ticket=ticket, viewer=user, error=exc.message, reason=reason[:200])
        if htmx:
            return render(request, PARTIAL, context)
        messages.error(request, exc.message)
        return render_ticket_detail(request, ticket, status=exc.status, requester=context)
    context = requester_context(ticket=ticket, viewer=user, revealed=revealed)
    if htmx:
        return render(request, PARTIAL, context)
    return render_ticket_detail(request, ticket, requester=context)
