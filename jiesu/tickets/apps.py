from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "jiesu.tickets"
    label = "tickets"
