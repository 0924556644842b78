from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "jiesu.intel"
    label = "intel"
    verbose_name = "文本智能"

    def ready(self) -> None:
        from jiesu.intel.screening import on_ticket_received
        from jiesu.tickets.signals import ticket_received

        ticket_received.connect(on_ticket_received, dispatch_uid="intel-screening")
