"""Admin screens for the holiday calendar, working hours and time-limit rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from jiesu.sla.models import CalendarDay, CalendarYear, TimeLimitRule, TimeLimitRuleSet, WorkingHours

# The admin classes are generic only for the type checker (no django_stubs_ext monkeypatch at run time).
if TYPE_CHECKING:
    CalendarDayInlineBase = admin.TabularInline[CalendarDay, CalendarYear]
    TimeLimitRuleInlineBase = admin.TabularInline[TimeLimitRule, TimeLimitRuleSet]
    CalendarYearAdminBase = admin.ModelAdmin[CalendarYear]
    CalendarDayAdminBase = admin.ModelAdmin[CalendarDay]
    WorkingHoursAdminBase = admin.ModelAdmin[WorkingHours]
    TimeLimitRuleSetAdminBase = admin.ModelAdmin[TimeLimitRuleSet]
    TimeLimitRuleAdminBase = admin.ModelAdmin[TimeLimitRule]
else:
    CalendarDayInlineBase = TimeLimitRuleInlineBase = admin.TabularInline
    CalendarYearAdminBase = CalendarDayAdminBase = WorkingHoursAdminBase = admin.ModelAdmin
    TimeLimitRuleSetAdminBase = TimeLimitRuleAdminBase = admin.ModelAdmin


class CalendarDayInline(CalendarDayInlineBase):
    model = CalendarDay
    extra = 0
    fields = ("day", "is_workday", "name")
    ordering = ("day",)


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarYearAdminBase):
    list_display = ("year", "notice_number", "is_complete", "day_count", "loaded_at")
    list_filter = ("is_complete",)
    search_fields = ("year", "notice_number")
    readonly_fields = ("created_at", "updated_at")
    inlines = (CalendarDayInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("mark_complete", "mark_draft")

    @admin.display(description="登记天数")
    def day_count(self, obj: CalendarYear) -> int:
        return obj.days.count()

    @admin.action(description="确认录入完整并生效")
    def mark_complete(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for row in queryset:  # one by one, so that signals refresh the SLA cache
            row.is_complete, row.loaded_at = True, timezone.now()
            row.save(update_fields=["is_complete", "loaded_at", "updated_at"])
        self.message_user(request, "所选年份已生效", messages.SUCCESS)

    @admin.action(description="撤销生效（改为草稿）")
    def mark_draft(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for row in queryset:
            row.is_complete = False
            row.save(update_fields=["is_complete", "updated_at"])
        self.message_user(request, "所选年份已改为草稿，不再参与工作日计算", messages.WARNING)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarDayAdminBase):
    list_display = ("day", "is_workday", "name", "year")
    list_filter = ("is_workday", "year")
    search_fields = ("name",)
    date_hierarchy = "day"
    ordering = ("-day",)


@admin.register(WorkingHours)
class WorkingHoursAdmin(WorkingHoursAdminBase):
    list_display = ("code", "name", "effective_from", "periods", "weekdays")
    list_filter = ("code",)


class TimeLimitRuleInline(TimeLimitRuleInlineBase):
    model = TimeLimitRule
    extra = 0
    fields = (
        "stage",
        "amount",
        "unit",
        "end_of_working_day",
        "urgency",
        "kind",
        "is_complex",
        "channel",
        "category_code_prefix",
        "unit_kind",
        "in_working_time",
        "priority",
        "note",
    )


@admin.register(TimeLimitRuleSet)
class TimeLimitRuleSetAdmin(TimeLimitRuleSetAdminBase):
    list_display = ("code", "name", "effective_from", "effective_to", "confidence", "is_active")
    list_filter = ("is_active", "confidence")
    search_fields = ("code", "name")
    inlines = (TimeLimitRuleInline,)


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(TimeLimitRuleAdminBase):
    list_display = ("rule_set", "stage", "amount", "unit", "urgency", "is_complex", "in_working_time", "priority")
    list_filter = ("rule_set", "stage", "unit")
    search_fields = ("note", "category_code_prefix")
