from django.apps import AppConfig


class BacklogConfig(AppConfig):
    name = "backlog"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login/logout log lines)
