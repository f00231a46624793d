"""Staff reasons leave clear text: encrypted, out of the audit data, erased with purged cases.

Before: a case's priority reason was a plain column, and the reasons staff gave for a reopen,
an assignment or a priority change sat in clear in CaseEvent.data (exported as the audit CSV,
and kept after retention purged the case). After: Case.priority_reason is encrypted;
each event's reason moves to the new encrypted CaseEvent.staff_reason and out of its data
(a priority change's diff keeps "…" in place of the words); cases already purged lose them.

Safe to run twice (a value that already decrypts is left alone). The reverse puts the
words back in clear where they were.
"""

from django.db import migrations
from django.db.models import TextField, Value
from django.db.models.functions import Cast

import tipline.fields
from tipline import crypto

BATCH = 2000
REDACTED = ["…", "…"]
REASON_KINDS = ("status_changed", "assigned")


def _is_token(value: str) -> bool:
    try:
        crypto.decrypt_text(value)
    except (crypto.InvalidToken, UnicodeError, ValueError):
        return False
    return True


def _plain(value: str) -> Value:
    # A Value of a plain TextField is written as it is, past the encrypting field.
    return Value(value, output_field=TextField())


def encrypt_reasons(apps, schema_editor):
    Case = apps.get_model("tipline", "Case")
    CaseEvent = apps.get_model("tipline", "CaseEvent")
    raw = Case.objects.annotate(raw=Cast("priority_reason", TextField())).exclude(raw="")
    for case_id, value, purged_at in raw.values_list("id", "raw", "purged_at").iterator(
        chunk_size=BATCH
    ):
        if purged_at is not None:
            Case.objects.filter(id=case_id).update(priority_reason="")
        elif not _is_token(value):
            Case.objects.filter(id=case_id).update(priority_reason=value)  # encrypted on save

    stated = CaseEvent.objects.filter(kind__in=REASON_KINDS, data__has_key="reason")
    for event_id, data, purged_at in stated.values_list("id", "data", "case__purged_at").iterator(
        chunk_size=BATCH
    ):
        reason = str(data.pop("reason") or "")
        keep = "" if purged_at is not None else reason
        CaseEvent.objects.filter(id=event_id).update(data=data, staff_reason=keep)

    changed = CaseEvent.objects.filter(
        kind="priority_changed", data__changes__has_key="priority_reason"
    )
    for event_id, data, purged_at in changed.values_list("id", "data", "case__purged_at").iterator(
        chunk_size=BATCH
    ):
        diff = data["changes"]["priority_reason"]
        if diff == REDACTED:
            continue
        reason = str(diff[1] or "") if isinstance(diff, list) and len(diff) == 2 else ""
        data["changes"]["priority_reason"] = REDACTED
        keep = "" if purged_at is not None else reason
        CaseEvent.objects.filter(id=event_id).update(data=data, staff_reason=keep)


def decrypt_reasons(apps, schema_editor):
    Case = apps.get_model("tipline", "Case")
    CaseEvent = apps.get_model("tipline", "CaseEvent")
    for case in Case.objects.exclude(priority_reason="").only("id", "priority_reason"):
        plain = case.priority_reason[:200]
        Case.objects.filter(id=case.id).update(priority_reason=_plain(plain))
    events = CaseEvent.objects.exclude(staff_reason="").only("id", "kind", "data", "staff_reason")
    for event in events:
        data = dict(event.data or {})
        if event.kind == "priority_changed" and "priority_reason" in data.get("changes", {}):
            data["changes"]["priority_reason"] = ["", event.staff_reason]
        else:
            data["reason"] = event.staff_reason
        CaseEvent.objects.filter(id=event.id).update(data=data, staff_reason="")


class Migration(migrations.Migration):
    dependencies = [("tipline", "0005_outbound_notices")]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="staff_reason",
            field=tipline.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="case",
            name="priority_reason",
            field=tipline.fields.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_reasons, decrypt_reasons),
    ]
