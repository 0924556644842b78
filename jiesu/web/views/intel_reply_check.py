"""The "反馈要素检查" section of the ticket page: the latest reply's text with the evidence of each
reply element highlighted, and where the text and the ticked elements disagree. Loaded by htmx;
shown to center staff and to the unit that replied, for a reply under review or a closed ticket."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiesu.intel.replycheck import (
    ElementFinding,
    TicketReplyCheck,
    reply_check_visible,
    ticket_reply_check,
    ticket_reply_event,
)
from jiesu.web.http import current_user, visible_ticket

COLOURS = 8  # el-c0 … el-c7 in intel-reply-check.css


@dataclass(frozen=True)
class LegendRow:
    finding: ElementFinding
    css: str
    ticked: bool


@dataclass(frozen=True)
class MarkedRun:
    text: str
    css: str  # "" for plain text
    labels: str


def element_css(code: str, index: int) -> str:
    """The classes of an element's marks: `el-<code>` (codes reduced to class-safe characters) and
    a colour of the palette by the element's place in the scheme."""
    return f"el-{re.sub(r'[^A-Za-z0-9_-]', '-', code)} el-c{index % COLOURS}"


def _presented(result: TicketReplyCheck) -> tuple[list[LegendRow], list[MarkedRun]]:
    elements = result.check.elements
    css = {e.code: element_css(e.code, i) for i, e in enumerate(elements)}
    labels = {e.code: e.label for e in elements}
    legend = [LegendRow(e, css[e.code], e.code in result.ticked) for e in elements]
    runs = [
        MarkedRun(s.text, " ".join(css[c] for c in s.codes), "、".join(labels[c] for c in s.codes))
        for s in result.segments
    ]
    return legend, runs


@login_required
@require_GET
def ticket_reply_check_section(request: HttpRequest, number: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(request, number)
    result = ticket_reply_check(ticket)
    event = result.event if result is not None else ticket_reply_event(ticket)
    if not reply_check_visible(viewer=user, ticket=ticket, event=event):
        # The placeholder is swapped out whole (outerHTML): nothing is left on the page.
        return HttpResponse("")
    legend, runs = _presented(result) if result is not None else ([], [])
    context = {"ticket": ticket, "result": result, "legend": legend, "runs": runs}
    return render(request, "web/intel/_reply_check.html", context)
