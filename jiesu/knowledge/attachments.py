"""Files of knowledge entries (附件: a policy's PDF, forms, scans).

The bytes go to the content-addressed store of ticket attachments (same size limit, same file
layout, so backups and restores carry them), and that store's helpers are reused here. Only the
people who may edit an entry add or remove its files; whoever may read the entry reads them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PureWindowsPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from jiesu.audit.services import audit_record
from jiesu.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from jiesu.knowledge.models import EntryAttachment, KnowledgeEntry
from jiesu.knowledge.permissions import can_edit_entry, entries_visible_to
from jiesu.orgs.models import User
from jiesu.tickets.models import Attachment
from jiesu.tickets.services.attachments import CHUNK, attachment_path, blob_store, upload_header_text

# Documents a policy library holds; by suffix, since the browser's content type is only a claim.
ALLOWED_SUFFIXES = frozenset(
    {".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".txt", ".jpg", ".jpeg", ".png"}
)
TYPES_MESSAGE = "不支持的附件类型，仅可上传 PDF、OFD、Word、Excel、WPS、文本或 JPG/PNG 图片"
FIELD = "file"


def _safe_name(raw: str) -> str:
    """The last path part of a client-sent name (either slash), printable characters only, so it
    is safe in a Content-Disposition header."""
    name = PureWindowsPath(upload_header_text(raw, 1024)).name
    return "".join(ch for ch in name if ch.isprintable())[-255:].strip()


def _checked_name(upload: UploadedFile) -> str:
    name = _safe_name(upload.name or "")
    if not name or Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise ValidationFailed(TYPES_MESSAGE, field=FIELD)
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationFailed(f"附件超过允许的大小（{limit // (1024 * 1024)} MB）", field=FIELD)
    if not upload.size:
        raise ValidationFailed("附件是空文件", field=FIELD)
    return name


def _sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _blob_in_use(sha256: str) -> bool:
    return EntryAttachment.objects.filter(sha256=sha256).exists() or Attachment.objects.filter(sha256=sha256).exists()


def entry_attachment_add(*, entry: KnowledgeEntry, actor: User, upload: UploadedFile) -> EntryAttachment:
    """Store `upload` as a file of `entry`: the file, the row and the audit line, or nothing (a
    file this call wrote is removed again when the row cannot be saved)."""
    if not can_edit_entry(actor, entry):
        raise PermissionDenied("无权为该知识条目上传附件")
    name = _checked_name(upload)
    new_file = not attachment_path(_sha256_of(upload)).exists()
    try:
        sha256, size = blob_store(upload)
    except DomainError as exc:  # the size limit, checked again while the bytes are read
        raise ValidationFailed(exc.message, field=FIELD) from exc
    try:
        with transaction.atomic():
            attachment = EntryAttachment.objects.create(
                entry=entry,
                original_name=name,
                size_bytes=size,
                sha256=sha256,
                content_type=upload_header_text(upload.content_type or "", 128),
                uploaded_by=actor,
            )
            audit_record(actor=actor, action="knowledge.attachment_add", obj=entry, detail=_detail(attachment))
    except BaseException:
        if new_file and not _blob_in_use(sha256):
            attachment_path(sha256).unlink(missing_ok=True)
        raise
    return attachment


def entry_attachment_remove(*, attachment: EntryAttachment, actor: User) -> None:
    """Detach a file from its entry. The stored bytes stay: the store is shared by content with
    ticket attachments, and only the retention purge removes files from it."""
    if not can_edit_entry(actor, attachment.entry):
        raise PermissionDenied("无权删除该知识条目的附件")
    with transaction.atomic():
        detail = _detail(attachment)
        attachment.delete()
        audit_record(actor=actor, action="knowledge.attachment_remove", obj=attachment.entry, detail=detail)


def _detail(attachment: EntryAttachment) -> dict[str, object]:
    return {
        "attachment_id": attachment.pk,
        "name": attachment.original_name,
        "sha256": attachment.sha256,
        "size_bytes": attachment.size_bytes,
    }


def entry_attachments(entry: KnowledgeEntry) -> QuerySet[EntryAttachment]:
    return EntryAttachment.objects.filter(entry=entry).select_related("uploaded_by")


def entry_attachment_get_for(*, viewer: User | None, entry_id: int, attachment_id: int) -> EntryAttachment:
    """A file of an entry `viewer` may read; NotFound otherwise, so a guessed id reveals nothing."""
    found = (
        EntryAttachment.objects.filter(pk=attachment_id, entry__in=entries_visible_to(viewer).filter(pk=entry_id))
        .select_related("entry")
        .first()
    )
    if found is None:
        raise NotFound("附件不存在或无权查看")
    return found


def entry_attachment_path(attachment: EntryAttachment) -> Path:
    path = attachment_path(attachment.sha256)
    if not os.path.exists(path):
        raise NotFound("附件文件已不存在")
    return path
