from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "jiesu.retention"
    label = "retention"
    verbose_name = "保存期限"
