from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiesu.audit"
    label = "audit"
    verbose_name = "安全审计"

    def ready(self) -> None:
        # Registers the retention system check (audit.E001).
        from jiesu.audit import checks  # noqa: F401
