from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jiesu.api"
    label = "api"
