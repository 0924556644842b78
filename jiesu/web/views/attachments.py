"""Attachment download from the ticket detail page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from jiesu.core.errors import DomainError
from jiesu.retention.selectors import attachment_file_for_download
from jiesu.web.http import visible_ticket


@login_required
@require_GET
def attachment_download(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    ticket = visible_ticket(request, number)
    attachment = ticket.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404("附件不存在")
    try:
        path = attachment_file_for_download(attachment=attachment)
    except DomainError as exc:
        # A purged file is an expected state, not a broken link: say so on the ticket's page.
        messages.error(request, exc.message)
        return redirect("web:ticket_detail", number=ticket.number)
    # Always a download, never rendered inline: uploaded HTML or SVG must not run in our origin.
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=attachment.original_name, content_type="application/octet-stream"
    )
