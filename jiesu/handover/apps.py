from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "jiesu.handover"
    label = "handover"
    verbose_name = "备份与数据移交"
