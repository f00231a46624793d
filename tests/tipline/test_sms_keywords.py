"""Carrier keywords (every one Twilio handles by default), and the GSM-7 budget of every
automatic reply. Spanish keywords: test_sms_keywords_es.py."""

import pytest

from tipline.models import Case, CaseEvent, Message, Reporter
from tipline.services.cases import ReplyRefusedError, message_to_reporter
from tipline.sms import backends, keywords
from tipline.sms.gsm7 import segment_count

from .sms_support import (  # noqa: F401
    inbound_params,
    numbers,
    post_signed,
    replies,
    sms_fresh_state,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]

# Twilio's defaults for long codes: opt-out, opt-in and help keywords.
OPT_OUT = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]
OPT_IN = ["START", "YES", "UNSTOP"]
HELP = ["HELP", "INFO"]


def _reporter() -> Reporter:
    return Reporter.objects.get()


@pytest.mark.parametrize("word", [*OPT_OUT, "stop", "  Quit ", "optout"])
def test_it_opts_the_thread_out(client, word):
    [reply] = replies(text(client, word))
    assert _reporter().opted_out_at is not None
    assert "START" in reply and segment_count(reply) <= 2


@pytest.mark.parametrize("word", ["START", "unstop", "Yes"])
def test_it_opts_the_thread_back_in(client, word):
    text(client, "STOP")
    [reply] = replies(text(client, word))
    assert _reporter().opted_out_at is None
    assert "back on" in reply


@pytest.mark.parametrize("word", ["HELP", "info", "Help"])
def test_it_answers_help_with_911_and_988(client, word):
    [reply] = replies(text(client, word))
    assert "911" in reply and "988" in reply and "STOP" in reply
    assert Case.objects.count() == 0


def test_it_ignores_a_replayed_keyword_the_cache_forgot(client):
    """No message row holds a keyword's MessageSid: the thread keeps its last one."""
    from django.core.cache import cache

    text(client, "a tip")
    stop = inbound_params("STOP")
    assert replies(post_signed(client, stop)) != []
    cache.clear()
    assert replies(post_signed(client, stop)) == []
    assert Case.objects.get().events.filter(kind=CaseEvent.Kind.SMS_KEYWORD).count() == 1
    assert replies(text(client, "STOP")) != []  # a new STOP is answered again


def test_it_reads_a_sentence_with_a_keyword_as_a_tip(client):
    text(client, "please stop the fights at the bus stop")
    assert _reporter().opted_out_at is None and Case.objects.count() == 1


def test_it_reads_yes_as_an_answer_unless_opted_out(client):
    text(client, "there was a fight")
    [reply] = replies(text(client, "yes")) or [None]
    assert reply is None
    assert Message.objects.get().body == "yes" and _reporter().opted_out_at is None


@pytest.mark.parametrize("word", [*OPT_OUT, *OPT_IN, *HELP])
def test_it_records_a_keyword_as_a_case_event_never_a_tipster_message(client, word):
    text(client, "a tip")
    if word == "YES":
        text(client, "STOP")  # YES is a keyword only while opted out
    text(client, word)
    assert not Message.objects.exists()
    event = Case.objects.get().events.filter(kind=CaseEvent.Kind.SMS_KEYWORD).last()
    assert event.data["word"] == word and event.data["alias"] == _reporter().alias


def test_it_sends_nothing_to_an_opted_out_thread_but_keeps_their_tips(
    client, personas, django_capture_on_commit_callbacks
):
    text(client, "a tip")
    text(client, "STOP")
    response = text(client, "one more thing")
    assert replies(response) == []
    case = Case.objects.get()
    assert case.messages.get().body == "one more thing"  # STOP itself is an event
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReplyRefusedError):
        message_to_reporter(
            case=case, reporter=_reporter(), body="Are you safe?", author=personas.counselor_a
        )
    assert backends.outbox == [] and case.messages.count() == 1


def test_it_gives_a_new_case_no_auto_reply_while_opted_out(client):
    text(client, "STOP")
    assert replies(text(client, "an anonymous tip")) == []
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("text_", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("ó" * 70, 1),
        ("ó" * 71, 2),
        ("🙂" * 35, 1),
    ],
)
def test_it_counts_gsm7_and_ucs2_segments(text_, segments):
    assert segment_count(text_) == segments


def test_it_keeps_every_automatic_text_within_two_gsm7_segments():
    long_name = "The Extraordinarily Long Named Academy of Sciences and Arts " * 3
    texts = [
        *(
            keywords.text_new_case(school_name=long_name, reference="ABC234", language=language)
            for language in ("en+es", "en", "es")
        ),
        *(keywords.text_help(school_name=long_name, language=lang) for lang in ("en+es", "es")),
        keywords.text_opted_out(school_name=long_name, language="es"),
        keywords.text_opted_in(school_name=long_name, language="es"),
        keywords.text_school_chosen(school_name=long_name, language="es"),
        keywords.text_school_menu(
            district_name="D", school_names=[long_name] * 12, language="es", unclear=True
        ),
        keywords.text_opted_out(school_name=long_name),
        keywords.text_opted_in(school_name="Escuela Básica"),
        keywords.text_school_menu(district_name="D", school_names=[long_name] * 12),
    ]
    for reply in texts:
        assert segment_count(reply) <= 2, reply
        assert keywords.is_gsm7(reply), reply
    assert "ABC234" in texts[0] and "911" in texts[1]
