"""Attachment download from the ticket detail page, and inline display of previewable files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from jiesu.core.errors import DomainError
from jiesu.retention.selectors import attachment_file_for_download
from jiesu.web.http import visible_ticket
from jiesu.web.presenters import attachment_inline_type


@login_required
@require_GET
def attachment_download(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    """A download; with ?inline=1 an image or recording on the allow-list is served for display
    (an <img>/<audio> on the ticket page). Anything else stays a download whatever is asked:
    uploaded HTML or SVG must never render in our origin."""
    ticket = visible_ticket(request, number)
    attachment = ticket.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404("附件不存在")
    inline_type = attachment_inline_type(attachment) if request.GET.get("inline") == "1" else ""
    try:
        path = attachment_file_for_download(attachment=attachment)
    except DomainError as exc:
        if inline_type:
            # An <img> or <audio> cannot follow a redirect to a page: answer with the refusal itself.
            return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
        # A purged file is an expected state, not a broken link: say so on the ticket's page.
        messages.error(request, exc.message)
        return redirect("web:ticket_detail", number=ticket.number)
    if inline_type:
        response = FileResponse(path.open("rb"), filename=attachment.original_name, content_type=inline_type)
    else:
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type="application/octet-stream",
        )
    # Also set globally (SECURE_CONTENT_TYPE_NOSNIFF); repeated here because inline display relies on it.
    response["X-Content-Type-Options"] = "nosniff"
    return response
