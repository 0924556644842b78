from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "jiesu.geo"
    label = "geo"
