from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Social-post alerts"

    def ready(self) -> None:
        # Ingest queues the second reading by name (cases.queueing): every process
        # registers the tasks.
        from . import tasks  # noqa: F401
