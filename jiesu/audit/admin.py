"""Django admin: audit entries can be looked at, never added, changed or deleted, by anyone.

The web viewer (/audit/) is the audit admin's tool; this read-only view exists because the admin
site lists every model and must not become a way around the append-only rule.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jiesu.audit.models import AuditChainHead, AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}  # no "delete selected", even for superusers


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "sequence",
        "occurred_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "result",
        "source_address",
    )
    list_filter = ("result",)
    search_fields = ("action", "object_type", "object_id")
    readonly_fields = tuple(f.name for f in AuditEntry._meta.concrete_fields)
    ordering = ("-sequence",)
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is wasted work


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("last_sequence", "anchor_sequence", "anchor_at")
    readonly_fields = ("last_sequence", "last_hash", "anchor_sequence", "anchor_hash", "anchor_at")
