"""The tipster's number appears nowhere in plain text: not in any table, not in any log line.
Staff see "SMS tipster" and an alias; Twilio's From* location fields are never stored."""

import logging

import pytest
from django.db import connection

from tipline.models import Reporter
from tipline.services.tips import message_to_reporter

from .sms_support import DISTRICT_NUMBER, TIPSTER, post_signed, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]
NUMBER_FORMS = (TIPSTER, TIPSTER[1:], TIPSTER[2:], "555-0100", "(555) 555-0100")
SECRET_BODY = "the-secret-body-text-7731"
LOCATION_VALUES = ("SPRINGFIELDTOWN", "80999")


def _converse(client, personas, django_capture_on_commit_callbacks):
    text(client, f"first {SECRET_BODY}")
    text(client, f"second {SECRET_BODY}")
    text(client, "HELP")
    text(client, f"district {SECRET_BODY}", to=DISTRICT_NUMBER)
    text(client, "1", to=DISTRICT_NUMBER)
    reporter = Reporter.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        message = message_to_reporter(
            case=reporter.tips.first().case,
            reporter=reporter,
            body="reply",
            author=personas.counselor_a,
        )
    message.refresh_from_db()
    post_signed(
        client,
        {"MessageSid": message.provider_sid, "MessageStatus": "delivered", "From": TIPSTER},
        path=f"/sms/twilio/status/{message.id}/",
    )
    text(client, "STOP")
    text(client, "START")


def _all_stored_values():
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    if value is not None:
                        yield table, str(value)


def test_it_stores_the_number_nowhere_in_plain_text(
    client, personas, django_capture_on_commit_callbacks
):
    _converse(client, personas, django_capture_on_commit_callbacks)
    values = list(_all_stored_values())
    assert len(values) > 100  # the scan really read the tables
    for table, value in values:
        for form in (*NUMBER_FORMS, *LOCATION_VALUES, SECRET_BODY):
            assert form not in value, f"{form!r} stored in plain text in {table}"
    # ...while the encrypted copy still reads back for replies.
    assert Reporter.objects.get().phone_number_encrypted == TIPSTER


def test_it_logs_neither_the_number_nor_the_text(
    client, personas, caplog, capsys, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    _converse(client, personas, django_capture_on_commit_callbacks)
    captured = capsys.readouterr()
    lines = [record.getMessage() for record in caplog.records]
    lines += [str(vars(record)) for record in caplog.records]
    lines += [captured.out, captured.err]
    assert any("sms inbound" in line for line in lines)
    for line in lines:
        for form in (*NUMBER_FORMS, SECRET_BODY, *LOCATION_VALUES):
            assert form not in line


def test_it_shows_staff_an_alias_not_the_number(client):
    text(client, "a tip")
    reporter = Reporter.objects.get()
    assert str(reporter) == reporter.alias and reporter.alias.startswith("SMS-")
    text(client, "another tip", sender="+15555550101")
    aliases = set(Reporter.objects.values_list("alias", flat=True))
    assert len(aliases) == 2
    assert Reporter.objects.get(id=reporter.id).alias == reporter.alias  # stable
