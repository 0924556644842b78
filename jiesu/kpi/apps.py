from django.apps import AppConfig


class KpiConfig(AppConfig):
    name = "jiesu.kpi"
    label = "kpi"
    verbose_name = "考核指标"
