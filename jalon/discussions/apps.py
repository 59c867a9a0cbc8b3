from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "jalon.discussions"

    def ready(self) -> None:
        # Connects the receivers of the signals of the rooms below (notifications).
        from . import receivers  # noqa: F401
