"""The home page per role: the viewer's work queues with counts (each a link to its list), what
is due soon or overdue, the newest unread notifications, and for leaders and analysts the totals
by status and the way to the dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiesu.notify.selectors import notifications_for
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.selectors import ticket_queue_and_extra_counts, ticket_status_counts, viewer_sees_status_totals
from jiesu.tickets.selectors_queues import OPEN_STATUSES
from jiesu.web.access import can_see_dashboard
from jiesu.web.http import current_user
from jiesu.web.views.due import due_conditions, due_rows

NEWEST_NOTIFICATIONS = 5


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    totals = []
    if viewer_sees_status_totals(user):
        # Open work only: totals over the whole history belong on the dashboard.
        counts = ticket_status_counts(viewer=user, statuses=OPEN_STATUSES)
        totals = [(status, TicketStatus(status).label, n) for status, n in counts.items()]
    # Every stage's deadline, not only the reply's: from the reminders app, which tickets must not
    # import; counted in the same pass over the open tickets as the queues.
    now = timezone.now()
    queues, due = ticket_queue_and_extra_counts(viewer=user, extra=due_conditions(user, now), now=now)
    context = {
        "queues": queues,
        "due": due_rows(due),
        "totals": totals,
        "total_count": sum(n for _, _, n in totals),
        "notifications": list(notifications_for(user=user, unread_only=True)[:NEWEST_NOTIFICATIONS]),
        "show_dashboard": can_see_dashboard(user),
    }
    return render(request, "web/home.html", context)
