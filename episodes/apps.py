from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "episodes"
    verbose_name = "Flare-ups"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the data-version receivers)
