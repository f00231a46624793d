"""Retention for what tipline keeps beside its rows: the files and the phone numbers.

The case workflow purges a case's content (cases/services/retention.py: every encrypted text
of every row on the case, at once). Two things only tipline knows about are left for this
sweep (beat, `tipline.retention_sweep`), which looks for purged cases:

- the files of attachments on purged cases: the encrypted files are deleted from storage and
  their rows removed (meanwhile the case page refuses to serve them);
- the phone numbers of SMS threads that have nothing left on a case that is not purged;
- the rows of calls that left no tip (put through to staff, or hung up before a message),
  a day after the call: their CallSid is Twilio's key to its own call log, which holds the
  caller's number, and nothing here needs it.

Idempotent: a second run finds nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tipline.models import Attachment, Message, Reporter, Tip, VoiceCall

from .attachments import attachment_files_delete

CALL_WITHOUT_TIP_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class SweepResult:
    attachments: int
    phone_numbers: int
    calls: int = 0


def _attachments_erase() -> int:
    with transaction.atomic():
        rows = list(
            Attachment.objects.select_for_update()
            .filter(case__purged_at__isnull=False)
            .values_list("id", "storage_name")
        )
        Attachment.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
    # Files go after the commit: a rolled-back erase must not lose a kept file.
    attachment_files_delete([name for _, name in rows])
    return len(rows)


def _phone_numbers_erase() -> int:
    """Threads with a number whose tips and messages are all on purged cases."""
    with_number = Reporter.objects.exclude(phone_number_encrypted="")
    still_needed = Tip.objects.filter(case__purged_at__isnull=True).values("reporter_id")
    still_talking = Message.objects.filter(case__purged_at__isnull=True).values("reporter_id")
    spent = with_number.exclude(id__in=still_needed).exclude(id__in=still_talking)
    # Only threads with something on a purged case: a thread waiting for its school menu
    # answer has no case yet and still needs its number.
    on_purged = Q(id__in=Tip.objects.filter(case__purged_at__isnull=False).values("reporter_id"))
    on_purged |= Q(
        id__in=Message.objects.filter(case__purged_at__isnull=False).values("reporter_id")
    )
    return spent.filter(on_purged).update(phone_number_encrypted="")


def _calls_forget(now: datetime) -> int:
    """Calls that opened nothing, older than a day (a message is stored within minutes)."""
    deleted, _by_model = VoiceCall.objects.filter(
        tip__isnull=True, created_at__lt=now - CALL_WITHOUT_TIP_KEPT
    ).delete()
    return deleted


def retention_sweep(*, now: datetime | None = None) -> SweepResult:
    """Delete the files of purged cases, the numbers of spent SMS threads and the rows of
    calls that left no tip."""
    return SweepResult(
        attachments=_attachments_erase(),
        phone_numbers=_phone_numbers_erase(),
        calls=_calls_forget(now or timezone.now()),
    )
