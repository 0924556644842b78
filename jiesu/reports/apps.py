from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jiesu.reports"
    label = "reports"
    verbose_name = "报告"
    default_auto_field = "django.db.models.BigAutoField"
