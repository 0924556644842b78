"""Attachments are stored once per content: <root>/<aa>/<bb>/<sha256>, never overwritten."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from jiesu.orgs.models import User
from jiesu.tickets.choices import AttachmentKind
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import Attachment, Ticket, TicketEvent
from jiesu.tickets.permissions import ticket_ensure_can_attach

CHUNK = 1024 * 1024
UPLOAD_DEFAULT_NAME = "附件"


def attachment_path(sha256: str) -> Path:
    return Path(settings.ATTACHMENT_ROOT) / sha256[:2] / sha256[2:4] / sha256


def _kind_for(content_type: str) -> str:
    if content_type.startswith("image/"):
        return AttachmentKind.PHOTO
    if content_type.startswith("audio/"):
        return AttachmentKind.RECORDING
    return AttachmentKind.DOCUMENT


def blob_store(stream: IO[bytes]) -> tuple[str, int]:
    """Write `stream` into the store (size-limited); its SHA-256 and size. Also used by knowledge attachments."""
    root = Path(settings.ATTACHMENT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as tmp:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > settings.ATTACHMENT_MAX_BYTES:
                    raise TicketInvalid("附件超过允许的大小")
                digest.update(chunk)
                tmp.write(chunk)
        sha = digest.hexdigest()
        final = attachment_path(sha)
        if final.exists():
            os.unlink(tmp_name)  # same content already stored: keep the original file untouched
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, final)
            os.chmod(final, 0o440)
        return sha, size
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


@transaction.atomic
def attachment_store(
    *,
    ticket: Ticket,
    stream: IO[bytes],
    original_name: str,
    content_type: str,
    actor: User | None,
    event: TicketEvent | None = None,
) -> Attachment:
    ticket_ensure_can_attach(actor=actor, ticket=ticket)
    sha, size = blob_store(stream)
    if size == 0:
        raise TicketInvalid("附件是空文件")
    return Attachment.objects.create(
        ticket=ticket,
        event=event,
        sha256=sha,
        size_bytes=size,
        content_type=content_type,
        original_name=os.path.basename(original_name)[:255] or sha,
        kind=_kind_for(content_type),
        uploaded_by=actor,
    )


def upload_header_text(value: str, limit: int) -> str:
    """A client-sent name or type, fit for its column: no NUL (PostgreSQL refuses it), bounded."""
    return value.replace("\x00", "")[:limit]


def attachment_store_upload(
    *, ticket: Ticket, upload: UploadedFile, actor: User | None, event: TicketEvent | None = None
) -> Attachment:
    """A file uploaded through a page, stored under the name and type the browser sent."""
    return attachment_store(
        ticket=ticket,
        stream=upload,
        original_name=upload_header_text(upload.name or "", 255) or UPLOAD_DEFAULT_NAME,
        content_type=upload_header_text(upload.content_type or "", 128),
        actor=actor,
        event=event,
    )
