"""Admin screens: channel configuration, the delivery log and in-app notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Field, QuerySet
from django.http import HttpRequest

from jiesu.notify.models import ChannelConfig, Delivery, Notification
from jiesu.notify.services import deliveries_retry

# The admin classes are generic only for the type checker (no django_stubs_ext monkeypatch at run time).
if TYPE_CHECKING:
    ChannelConfigAdminBase = admin.ModelAdmin[ChannelConfig]
    DeliveryAdminBase = admin.ModelAdmin[Delivery]
    NotificationAdminBase = admin.ModelAdmin[Notification]
else:
    ChannelConfigAdminBase = DeliveryAdminBase = NotificationAdminBase = admin.ModelAdmin


@admin.register(ChannelConfig)
class ChannelConfigAdmin(ChannelConfigAdminBase):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "channel", "is_enabled", "quiet_start", "quiet_end", "max_attempts")
    list_filter = ("channel", "is_enabled")
    fieldsets = (
        (None, {"fields": ("channel", "name", "is_enabled")}),
        (
            "免打扰与重试",
            {"fields": ("quiet_start", "quiet_end", "max_attempts", "retry_base_seconds", "timeout_seconds")},
        ),
        (
            "电子邮件（SMTP）",
            {
                "fields": (
                    "smtp_host",
                    "smtp_port",
                    "smtp_username",
                    "smtp_password",
                    "smtp_password_env",
                    "smtp_use_tls",
                    "smtp_use_ssl",
                    "from_address",
                )
            },
        ),
        ("企业微信群机器人", {"fields": ("webhook_url",)}),
        (
            "短信网关（HTTP）",
            {"fields": ("gateway_url", "http_method", "body_format", "body_template", "headers", "success_text")},
        ),
    )

    def formfield_for_dbfield(self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "smtp_password":
            kwargs["widget"] = forms.PasswordInput(render_value=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ChannelConfig, form: Any, change: bool) -> None:
        if change and not form.cleaned_data.get("smtp_password"):
            # An empty password field means "unchanged": the widget never shows the stored one.
            obj.smtp_password = ChannelConfig.objects.get(pk=obj.pk).smtp_password
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(DeliveryAdminBase):
    list_display = ("created_at", "channel", "status", "recipient", "address", "subject", "attempts", "sent_at")
    list_filter = ("channel", "status", "urgent")
    search_fields = ("subject", "address", "dedupe_key", "recipient__username")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    actions = ("retry_now",)
    readonly_fields = [f.name for f in Delivery._meta.get_fields() if f.concrete]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="立即重试所选的失败或待发送消息")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = deliveries_retry(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"已安排 {count} 条消息重新发送")


@admin.register(Notification)
class NotificationAdmin(NotificationAdminBase):
    list_display = ("created_at", "recipient", "title", "level", "read_at")
    list_filter = ("level",)
    search_fields = ("title", "recipient__username")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
