"""Celery tasks of the tipline app, one submodule per concern, imported here so that
autodiscovery (which imports `tipline.tasks`) registers them all."""

from . import calldown, notifications, outbox, sms, upkeep  # noqa: F401 - registers the tasks


def dispatch_outbound_sms(message_id: int) -> None:
    """Queue the SMS sender for a stored message (called after commit).

    The SMS module replaces this hook with its real task; until then a pending SMS simply
    waits in the database, which is where the outbox sweeper finds it.
    """
    from .sms import sms_message_send

    sms_message_send.delay(message_id)
