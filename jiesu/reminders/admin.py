"""Admin screens: the reminder ladder of each rule set, and what fired."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from jiesu.reminders.models import ReminderFiring, ReminderStep

# The admin classes are generic only for the type checker (no django_stubs_ext monkeypatch at run time).
if TYPE_CHECKING:
    ReminderStepAdminBase = admin.ModelAdmin[ReminderStep]
    ReminderFiringAdminBase = admin.ModelAdmin[ReminderFiring]
else:
    ReminderStepAdminBase = ReminderFiringAdminBase = admin.ModelAdmin


@admin.register(ReminderStep)
class ReminderStepAdmin(ReminderStepAdminBase):
    list_display = ("rule_set", "stage", "moment", "recipient_role", "channels", "urgent", "is_active")
    list_filter = ("rule_set", "stage", "recipient_role", "is_active")
    list_select_related = ("rule_set",)
    fields = (
        "rule_set",
        "stage",
        "offset_minutes",
        "repeat_every_minutes",
        "recipient_role",
        "channels",
        "urgent",
        "is_active",
        "note",
    )

    @admin.display(description="提醒时间")
    def moment(self, obj: ReminderStep) -> str:
        return obj.moment_text


@admin.register(ReminderFiring)
class ReminderFiringAdmin(ReminderFiringAdminBase):
    list_display = ("fired_at", "ticket", "step", "occurrence", "due_at", "recipient_count")
    list_select_related = ("ticket", "step", "step__rule_set")
    search_fields = ("ticket__number",)
    date_hierarchy = "fired_at"
    readonly_fields = ("step", "ticket", "due_at", "occurrence", "scheduled_at", "fired_at", "recipient_count")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ReminderFiring | None = None) -> bool:
        return False
