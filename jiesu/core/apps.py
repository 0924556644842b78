from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiesu.core"
    label = "core"
