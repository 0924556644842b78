"""The "知识推荐" panel of the ticket page, loaded by htmx once the page is shown so that the
suggestions never slow the page itself down."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiesu.knowledge.permissions import can_read_knowledge
from jiesu.knowledge.suggestions import knowledge_for_ticket
from jiesu.tickets.selectors import ticket_actions_for
from jiesu.web.forms.actions import UNIT_SEARCH_EVENTS
from jiesu.web.http import current_user, visible_ticket


@login_required
@require_GET
def ticket_knowledge(request: HttpRequest, number: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(request, number)
    if not can_read_knowledge(user):
        raise PermissionDenied("无权查看知识库")
    knowledge = knowledge_for_ticket(ticket=ticket, viewer=user)
    # The dispatch forms on the page get the responsible units too (an out-of-band swap).
    dispatch_events = [a for a in ticket_actions_for(ticket=ticket, viewer=user) if a in UNIT_SEARCH_EVENTS]
    context = {"ticket": ticket, "knowledge": knowledge, "dispatch_events": dispatch_events}
    return render(request, "web/knowledge/_ticket_panel.html", context)
