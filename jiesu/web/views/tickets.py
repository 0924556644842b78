"""Ticket pages: the list, the new-ticket form and the detail page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from jiesu.core.errors import DomainError
from jiesu.tickets.choices import EventKind
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import (
    ticket_actions_for,
    ticket_assisting_units,
    ticket_timeline,
    tickets_search,
)
from jiesu.tickets.selectors_queues import QUEUES
from jiesu.tickets.selectors_related import tickets_related
from jiesu.tickets.selectors_search import saved_searches_of
from jiesu.tickets.services.intake import ticket_create
from jiesu.tickets.services.saved_searches import saved_search_query
from jiesu.web.access import can_attach, can_intake
from jiesu.web.forms.actions import FIELDS, ActionForm
from jiesu.web.forms.base import Pickers
from jiesu.web.forms.saved_searches import SavedSearchForm
from jiesu.web.forms.tickets import TicketCreateForm, TicketFilterForm
from jiesu.web.http import current_user, visible_ticket
from jiesu.web.paging import KEYWORD_COUNT_CAP, CappedPaginator
from jiesu.web.presenters import (
    attachment_rows,
    reply_claim,
    requester_context,
    ticket_deadlines,
    timeline_rows,
)
from jiesu.web.sorting import sort_links

PAGE_SIZE = 50
# The review of a reply shows which reply elements the reply claimed.
REVIEW_EVENTS = frozenset({EventKind.CLOSED, EventKind.REPLY_SENT_BACK})


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    return ticket_list_page(request)


def ticket_list_page(
    request: HttpRequest, *, query: str | None = None, save_form: SavedSearchForm | None = None, status: int = 200
) -> HttpResponse:
    """The list for the request's GET filters, or for `query` when a saved-search form is re-shown."""
    user = current_user(request)
    filters = request.GET if query is None else QueryDict(query)
    form = TicketFilterForm(filters or None, pickers=Pickers())
    search = form.search()
    cap = KEYWORD_COUNT_CAP if search.keyword.strip() else None
    tickets = tickets_search(viewer=user, search=search)
    page = CappedPaginator(tickets, PAGE_SIZE, cap=cap).get_page(filters.get("page"))
    context = {
        "form": form,
        "page": page,
        "search": search,
        "queue": QUEUES.get(search.queue),
        "sort": sort_links(search.order),
        "current_query": saved_search_query(filters.urlencode()),
        "save_form": save_form or SavedSearchForm(),
        "saved_searches": saved_searches_of(owner=user),
    }
    return render(request, "web/tickets/list.html", context, status=status)


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not can_intake(user):
        raise PermissionDenied
    form = TicketCreateForm(request.POST or None, pickers=Pickers())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                ticket = ticket_create(draft=form.draft(), actor=user)
            except DomainError as exc:
                for message in exc.details.get("errors") or [exc.message]:
                    form.add_error(None, message)
            else:
                messages.success(request, f"工单 {ticket.number} 已受理")
                return redirect("web:ticket_detail", number=ticket.number)
        status = 400
    return render(request, "web/tickets/new.html", {"form": form}, status=status)


def render_ticket_detail(
    request: HttpRequest,
    ticket: Ticket,
    *,
    bound: ActionForm | None = None,
    status: int = 200,
    requester: dict[str, Any] | None = None,
) -> HttpResponse:
    """The detail page; `bound` replaces the blank form of its action so typed input survives;
    `requester` replaces the masked requester block (after a reveal, see web.views.pii)."""
    user = current_user(request)
    pickers = Pickers()
    forms = [
        bound
        if bound is not None and bound.event == action
        else ActionForm(event=action, ticket=ticket, pickers=pickers)
        for action in ticket_actions_for(ticket=ticket, viewer=user)
        if action in FIELDS
    ]
    context = {
        "ticket": ticket,
        "deadlines": ticket_deadlines(ticket),
        "assisting_units": ticket_assisting_units(ticket=ticket),
        "timeline": timeline_rows(ticket_timeline(ticket=ticket)),
        "attachments": attachment_rows(ticket.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")),
        "action_forms": forms,
        "reply_claim": reply_claim(ticket) if any(f.event in REVIEW_EVENTS for f in forms) else None,
        "related": tickets_related(ticket=ticket, viewer=user),
        "can_attach": can_attach(user),
        **(requester or requester_context(ticket=ticket, viewer=user)),
    }
    return render(request, "web/tickets/detail.html", context, status=status)


@login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render_ticket_detail(request, visible_ticket(request, number))
