from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "jalon.discussions"

    def ready(self) -> None:
        from jalon.plans.signals import demo_loaded

        from .demo import add_demo_comments

        demo_loaded.connect(add_demo_comments, dispatch_uid="discussions-demo-comments")
        # Connects the receivers of the signals of the rooms below (notifications).
        from . import receivers  # noqa: F401
