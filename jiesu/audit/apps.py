from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiesu.audit"
    label = "audit"
