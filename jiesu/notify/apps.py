from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "jiesu.notify"
    label = "notify"
