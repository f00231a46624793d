"""Handing work to Celery once a transaction commits, without failing what committed.

A tip, message or case that was stored stays stored whatever the broker does afterwards
(DESIGN.md): a broker failure here is logged, with ids only, and swallowed. What was not
queued is found again by the beat sweepers (outbox notices, pending SMS, call-downs).
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def queue_after_commit(task, *args, what: str, case_id: int | None = None, **kwargs) -> None:
    """Call `task.delay(*args, **kwargs)` after the current transaction commits."""

    def queue() -> None:
        try:
            task.delay(*args, **kwargs)
        except Exception:
            logger.exception(
                f"could not queue {what}", extra={"event": task.name, "case_id": case_id}
            )

    transaction.on_commit(queue)
