from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "jiesu.intel"
    label = "intel"
    verbose_name = "文本智能"
