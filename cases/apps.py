from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Services queue tasks by name (cases.queueing): every process registers them.
        from . import tasks  # noqa: F401
