"""The home page: the viewer's work queues with counts (and what is due soon or overdue), or totals
by status for leaders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.selectors import ticket_queue_counts, ticket_status_counts, viewer_sees_status_totals
from jiesu.web.http import current_user
from jiesu.web.views.due import due_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    totals = []
    if viewer_sees_status_totals(user):
        counts = ticket_status_counts(viewer=user)
        totals = [(status, TicketStatus(status).label, n) for status, n in counts.items()]
    context = {
        "queues": ticket_queue_counts(viewer=user),
        # Every stage's deadline, not only the reply's: from the reminders app, which tickets must not import.
        "due": due_counts(user),
        "totals": totals,
        "total_count": sum(n for _, _, n in totals),
    }
    return render(request, "web/home.html", context)
