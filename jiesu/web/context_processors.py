"""Template context shared by every page."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest
from django.utils import timezone

from jiesu.notify.selectors import notifications_unread_count
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
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


def unread_notifications(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """The unread count of the top bar's "通知 (N)" link. Templates call it only when they show it,
    so partial pages (htmx fragments) cost no query; one COUNT per page otherwise."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}

    @cache
    def count() -> int:
        return notifications_unread_count(user=user)

    return {"unread_notifications": count}
