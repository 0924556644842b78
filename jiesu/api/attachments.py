"""Attachment download. Mounted under /tickets beside the ticket router: a file is reached through
its ticket, so the ticket's data scope decides who may fetch it."""

from __future__ import annotations

from typing import Annotated

from django.http import FileResponse, HttpRequest
from ninja import Path, Router

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.schemas import MAX_ID
from jiesu.api.tickets import Number
from jiesu.core.errors import NotFound
from jiesu.retention.selectors import attachment_file_for_download
from jiesu.tickets.selectors import ticket_get_for

router = Router(tags=["工单"])

AttachmentId = Annotated[int, Path(description="附件 id", ge=1, le=MAX_ID)]
BINARY = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


@router.get(
    "/{number}/attachments/{attachment_id}",
    response=responses({200: None}, 404, 410),
    summary="下载附件",
    description="返回附件文件。已按保存期限清理的附件返回 410 attachment_purged。",
    openapi_extra={"responses": {200: {"description": "附件文件", "content": BINARY}}},
)
def attachment_download_endpoint(request: HttpRequest, number: Number, attachment_id: AttachmentId) -> FileResponse:
    ticket = ticket_get_for(viewer=request_user(request), number=number)
    attachment = ticket.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("附件不存在")
    path = attachment_file_for_download(attachment=attachment)
    # Always a download, never rendered inline: uploaded HTML or SVG must not run in our origin.
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
