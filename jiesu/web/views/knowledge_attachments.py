"""Files of a knowledge entry: download for its readers, upload and removal for its editors.
Who may do what is decided by `jiesu.knowledge.attachments`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from jiesu.core.errors import DomainError, NotFound
from jiesu.core.errors import PermissionDenied as DomainPermissionDenied
from jiesu.knowledge.attachments import (
    entry_attachment_add,
    entry_attachment_get_for,
    entry_attachment_path,
    entry_attachment_remove,
)
from jiesu.knowledge.models import EntryAttachment
from jiesu.knowledge.permissions import can_edit_entry
from jiesu.web.forms.knowledge import AttachmentForm
from jiesu.web.views.knowledge import knowledge_reader, render_entry, visible_entry


def _visible_attachment(request: HttpRequest, entry_id: int, attachment_id: int) -> EntryAttachment:
    try:
        return entry_attachment_get_for(
            viewer=knowledge_reader(request), entry_id=entry_id, attachment_id=attachment_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def knowledge_attachment_download(request: HttpRequest, entry_id: int, attachment_id: int) -> FileResponse:
    """Always a download, never shown inline: an uploaded HTML or SVG must not run in our origin."""
    attachment = _visible_attachment(request, entry_id, attachment_id)
    try:
        path = entry_attachment_path(attachment)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=attachment.original_name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def knowledge_attachment_upload(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = knowledge_reader(request)
    entry = visible_entry(user, entry_id)
    if not can_edit_entry(user, entry):
        raise PermissionDenied("无权为该知识条目上传附件")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = entry_attachment_add(entry=entry, actor=user, upload=form.cleaned_data["file"])
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, f"附件「{attachment.original_name}」已上传")
            return redirect("web:knowledge_detail", entry_id=entry.pk)
    return render_entry(request, entry, attachment_form=form, status=400)


@login_required
@require_POST
def knowledge_attachment_remove(request: HttpRequest, entry_id: int, attachment_id: int) -> HttpResponse:
    attachment = _visible_attachment(request, entry_id, attachment_id)
    try:
        entry_attachment_remove(attachment=attachment, actor=knowledge_reader(request))
    except DomainPermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, f"附件「{attachment.original_name}」已删除")
    return redirect("web:knowledge_detail", entry_id=entry_id)
