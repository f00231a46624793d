"""Receipt codes: 80 random bits, unambiguous, shown once, only a keyed digest stored."""

import re

import pytest
from django.apps import apps
from django.db import connection

from accounts.privacy import keyed_digest
from tipline.models import Reporter
from tipline.services import web

from .web_helpers import receipt_code_from, submit_tip

pytestmark = pytest.mark.django_db
CODE_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def test_it_makes_codes_of_80_bits_in_groups_of_four():
    codes = {web.receipt_code_new() for _ in range(500)}
    assert len(codes) == 500
    assert all(CODE_PATTERN.match(code) for code in codes)
    assert len(web.RECEIPT_ALPHABET) ** web.RECEIPT_LENGTH >= 2**80


@pytest.mark.parametrize(
    "typed",
    ["k7qf-2m9x-pa4t-8wnz", "K7QF 2M9X PA4T 8WNZ", " k7qf2m9xpa4t8wnz ", "K7QF–2M9X–PA4T–8WNZ"],
)
def test_it_normalises_case_spaces_and_dashes(typed):
    assert web.receipt_code_normalise(typed) == "K7QF-2M9X-PA4T-8WNZ"


def test_it_reads_o_as_zero_and_i_or_l_as_one():
    assert web.receipt_code_normalise("O0IL-AAAA-BBBB-CCCC") == "0011-AAAA-BBBB-CCCC"


@pytest.mark.parametrize(
    "typed", ["", "K7QF-2M9X-PA4T", "K7QF-2M9X-PA4T-8WNZ-AAAA", "UUUU-2M9X-PA4T-8WNZ"]
)
def test_it_rejects_what_cannot_be_a_code(typed):
    assert web.receipt_code_normalise(typed) is None


def test_it_stores_only_the_keyed_digest_never_the_code(client, personas):
    code = receipt_code_from(submit_tip(client))
    reporter = Reporter.objects.get()
    assert reporter.receipt_code_digest == keyed_digest(code, purpose="receipt")
    assert reporter.receipt_code_digest != code
    compact = code.replace("-", "")
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                assert code not in text and compact not in text, model._meta.label


def test_it_finds_the_reporter_by_digest_from_sloppy_input(client, personas):
    code = receipt_code_from(submit_tip(client))
    sloppy = code.lower().replace("-", " ").replace("0", "o")
    assert web.reporter_for_receipt_code(sloppy) == Reporter.objects.get()
    assert web.reporter_for_receipt_code(web.receipt_code_new()) is None


def test_it_shows_the_code_once_with_print_and_saved_confirmation(client, personas):
    response = submit_tip(client)
    html = response.content.decode()
    code = receipt_code_from(response)
    assert html.count(code) == 1
    assert "I have saved my code" in html and "data-print" in html
    assert 'name="saved"' in html and "required" in html
    assert "no-store" in response["Cache-Control"]
    saved = client.post("/receipt/saved/", {"saved": "yes"})
    assert code not in saved.content.decode()
    assert "/followup/" in saved.content.decode()
