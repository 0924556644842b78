from typing import Any

from django.db import models

from jiesu.audit.models import AuditEntry, AuditResult


def audit_record(
    *,
    actor: models.Model | None,
    action: str,
    obj: models.Model | None = None,
    result: str = AuditResult.SUCCESS,
    source_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit line. Callers run it inside their own transaction."""
    return AuditEntry.objects.create(
        actor_id=actor.pk if actor is not None else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        result=result,
        source_address=source_address or None,
        detail=detail or {},
    )
