"""Retention for what tipline keeps beside its rows: the files and the phone numbers.

The case workflow purges a case's content (cases/services/retention.py: every encrypted text
of every row on the case, at once). Two things only tipline knows about are left for this
sweep (beat, `tipline.retention_sweep`), which looks for purged cases:

- the files of attachments on purged cases: the encrypted files are deleted from storage and
  their rows removed (meanwhile the case page refuses to serve them);
- the phone numbers of SMS threads that have nothing left on a case that is not purged.

Idempotent: a second run finds nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from tipline.models import Attachment, Message, Reporter, Tip

from .attachments import attachment_files_delete


@dataclass(frozen=True)
class SweepResult:
    attachments: int
    phone_numbers: int


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


def retention_sweep() -> SweepResult:
    """Delete the files of purged cases and the numbers of spent SMS threads."""
    return SweepResult(attachments=_attachments_erase(), phone_numbers=_phone_numbers_erase())
