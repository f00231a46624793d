"""Re-encrypt every encrypted field and attachment file under the newest key.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy,
run this command, then remove the old keys. Rows are read and written as raw tokens (never
decrypted into memory as text), one batch per transaction; running it twice is harmless.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts import crypto
from accounts.fields import EncryptedTextField
from tipline.attachments import attachment_reencrypt
from tipline.models import Attachment

BATCH = 500


def encrypted_columns():
    """(model, column) for every EncryptedTextField of every installed model."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field.column


def _rotate_column(model, column: str) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    quoted_column = connection.ops.quote_name(column)
    pk = connection.ops.quote_name(model._meta.pk.column)
    done, last_id = 0, None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            where = f"{quoted_column} <> ''"
            params = []
            if last_id is not None:
                where += f" AND {pk} > %s"
                params.append(last_id)
            cursor.execute(
                f"SELECT {pk}, {quoted_column} FROM {table} WHERE {where} "  # noqa: S608
                f"ORDER BY {pk} LIMIT {BATCH}",
                params,
            )
            rows = cursor.fetchall()
            for row_id, token in rows:
                rotated = crypto.rotate_token(token.encode("ascii")).decode("ascii")
                cursor.execute(
                    f"UPDATE {table} SET {quoted_column} = %s WHERE {pk} = %s",  # noqa: S608
                    [rotated, row_id],
                )
            done += len(rows)
        if len(rows) < BATCH:
            return done
        last_id = rows[-1][0]


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields and attachment files under the newest key."

    def handle(self, *args, **options):
        for model, column in encrypted_columns():
            count = _rotate_column(model, column)
            self.stdout.write(f"{model._meta.label}.{column}: {count} values re-encrypted")
        files = missing = 0
        for attachment in Attachment.objects.only("id", "storage_name").iterator():
            if attachment_reencrypt(attachment):
                files += 1
            else:
                missing += 1
        self.stdout.write(f"attachments: {files} files re-encrypted, {missing} missing")
