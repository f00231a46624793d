from django.apps import AppConfig


class TiplineConfig(AppConfig):
    name = "tipline"
    verbose_name = "Tip line"

    def ready(self) -> None:
        # Services queue tasks by name (cases.queueing): every process registers them.
        from . import tasks  # noqa: F401
