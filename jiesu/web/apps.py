from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jiesu.web"
    label = "web"
