from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "jiesu.reminders"
    label = "reminders"
