"""Handing work to Celery once a transaction commits, without failing what committed.

A tip, message or case that was stored stays stored whatever the broker does afterwards: a
broker failure here is logged, with ids only, and swallowed. What was not queued is found
again by the beat sweepers (the notice outbox, pending SMS replies, call-downs).

Tasks are named ("cases.notices_send"), and services queue them by that name, looked up in
the Celery app's registry when they are queued: the task modules import the services, so the
services importing the task modules would make a cycle. Each app's AppConfig.ready() imports
its tasks module, so every process (web or worker) has them registered.
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def task_named(name: str):
    """The registered Celery task called `name` (KeyError if no app registered it)."""
    return current_app.tasks[name]


def queue_after_commit(
    task_name: str, *args, what: str, case_id: int | None = None, **kwargs
) -> None:
    """Queue the task named `task_name` with these arguments once the transaction commits."""
    task_named(task_name)  # fail now, in the caller's transaction, on a name nobody registered

    def queue() -> None:
        try:
            task_named(task_name).delay(*args, **kwargs)
        except Exception:
            logger.exception(
                f"could not queue {what}", extra={"event": task_name, "case_id": case_id}
            )

    transaction.on_commit(queue)
