"""SMS tasks: implemented by the SMS intake work (issue 4)."""

from celery import shared_task


@shared_task(name="tipline.sms_message_send")
def sms_message_send(message_id: int) -> None:
    raise NotImplementedError("Outbound SMS is built by the SMS issue.")
