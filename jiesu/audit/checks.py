"""System checks: refuse to run with an audit retention below the legal minimum."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from jiesu.audit.services import audit_retention_days


@checks.register(checks.Tags.compatibility, deploy=False)
def audit_retention_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        audit_retention_days()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="audit.E001", hint="审计日志至少保存六个月")]
    return []
