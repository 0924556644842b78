"""Removing the stored files of purged attachments.

Files are stored once per SHA-256 and shared by every attachment with the same content, so a file
goes only when no unpurged attachment needs it. Removal runs after the purge records are committed
and is repeated by every purge run until it succeeds, so a crash in between leaves a pending record,
never a dangling one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from jiesu.knowledge.models import EntryAttachment
from jiesu.retention.models import AttachmentPurge
from jiesu.tickets.models import Attachment
from jiesu.tickets.services.attachments import attachment_path


@dataclass(frozen=True)
class FileRemoval:
    removed: int = 0
    still_needed: int = 0


def _still_needed(sha256: str) -> bool:
    # Knowledge-entry files share the store by content and are never purged.
    return (
        Attachment.objects.filter(sha256=sha256, retention_purge__isnull=True).exists()
        or EntryAttachment.objects.filter(sha256=sha256).exists()
    )


def _remove_blob(sha256: str) -> bool:
    """Remove one stored file unless an unpurged attachment needs it; True when it is gone.

    An upload of the same content checks whether the file exists before it creates its row, so
    the file is first moved aside and the check repeated: an upload that slipped in between
    gets the file back (or has written a fresh copy, since the name was free).
    """
    path = attachment_path(sha256)
    aside = path.with_name(f".purging-{sha256}")
    if path.exists():
        os.replace(path, aside)
    if not aside.exists():
        return True
    if _still_needed(sha256):
        if path.exists():
            os.unlink(aside)
        else:
            os.replace(aside, path)
        return False
    os.unlink(aside)
    return True


def purged_files_remove(*, sha256s: Iterable[str] | None = None, now: datetime | None = None) -> FileRemoval:
    """Remove the files of purged attachments that nothing else needs (all pending ones, or those
    of `sha256s`), and mark their purge records."""
    now = now or timezone.now()
    pending = AttachmentPurge.objects.filter(file_removed_at__isnull=True)
    if sha256s is not None:
        pending = pending.filter(sha256__in=list(sha256s))
    removed = kept = 0
    for sha256 in sorted(set(pending.values_list("sha256", flat=True))):
        if _still_needed(sha256) or not _remove_blob(sha256):
            kept += 1
            continue
        AttachmentPurge.objects.filter(sha256=sha256, file_removed_at__isnull=True).update(file_removed_at=now)
        removed += 1
    return FileRemoval(removed=removed, still_needed=kept)
