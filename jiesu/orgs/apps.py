from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jiesu.orgs"
    label = "orgs"
