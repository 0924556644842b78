from django.db import models
from django.db.models import Q

from jiesu.tickets.choices import AttachmentKind


class RecordClass(models.TextChoices):
    """What a retention policy is about. Recordings are audio attachments; every other attachment
    (documents, photos, other files) is a text record in the customer's terms."""

    RECORDING = "recording", "录音"
    TEXT_RECORD = "text_record", "文字记录"


class PurgeTrigger(models.TextChoices):
    POLICY = "policy", "保存期满自动清理"
    REQUEST = "request", "系统管理员删除"


def record_class_of(kind: str) -> RecordClass:
    return RecordClass.RECORDING if kind == AttachmentKind.RECORDING else RecordClass.TEXT_RECORD


def record_class_condition(record_class: str, prefix: str = "") -> Q:
    """The attachments of one record class, as a filter on `<prefix>kind`."""
    field = f"{prefix}kind"
    if record_class == RecordClass.RECORDING:
        return Q(**{field: AttachmentKind.RECORDING})
    return ~Q(**{field: AttachmentKind.RECORDING})
