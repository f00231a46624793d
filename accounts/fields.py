"""Model fields whose contents are encrypted at rest."""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token and read back as plain text.

    The database never sees the plain text, so these fields cannot be filtered or searched
    in SQL; search decrypts within the user's scope instead. The empty string stays empty.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt_text(value)
