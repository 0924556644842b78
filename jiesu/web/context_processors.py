"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from jiesu.orgs.choices import Role
from jiesu.sla.selectors import calendar_year_missing_warning


def admin_warnings(request: HttpRequest) -> dict[str, list[str]]:
    """Warnings for system administrators: from 1 November, while next year's holiday calendar
    is missing (the State Council publishes it in November or December); at once when this
    year's is. One small query, and only for administrators."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"admin_warnings": []}
    if not (user.is_staff or Role.SYSTEM_ADMIN in getattr(user, "roles", frozenset())):
        return {"admin_warnings": []}
    warning = calendar_year_missing_warning(timezone.localdate())
    return {"admin_warnings": [warning] if warning else []}
