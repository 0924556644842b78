from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "jiesu.sla"
    label = "sla"
    verbose_name = "时限与工作日历"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from jiesu.sla.cache import WATCHED_MODELS, sla_data_changed

        for model in WATCHED_MODELS:
            post_save.connect(sla_data_changed, sender=model, dispatch_uid=f"sla_cache_{model.__name__}_save")
            post_delete.connect(sla_data_changed, sender=model, dispatch_uid=f"sla_cache_{model.__name__}_delete")
