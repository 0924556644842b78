from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jiesu.orgs"
    label = "orgs"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from jiesu.orgs.security.sessions import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="jiesu.orgs.session_begin")
