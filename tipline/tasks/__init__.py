"""Celery tasks of the tipline app, one submodule per concern, imported here so that
autodiscovery (which imports `tipline.tasks`) registers them all."""

from . import calldown, notifications, outbox, sms, upkeep  # noqa: F401 - registers the tasks
