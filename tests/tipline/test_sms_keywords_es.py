"""Spanish carrier keywords (PARAR, AYUDA...), answered in Spanish; INFO, which both
languages use, in the thread's language or the school's default; Twilio's OptOutType."""

import pytest

from tipline.models import Case, CaseEvent, Message, Reporter
from tipline.sms.gsm7 import is_gsm7, segment_count

from .sms_support import numbers, replies, sms_fresh_state, text  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]

OPT_OUT_ES = ["PARAR", "DETENER", "CANCELAR", "BAJA", "ALTO", "FIN"]
OPT_IN_ES = ["COMENZAR", "INICIAR", "REANUDAR", "ALTA", "SI", "Sí"]
HELP_ES = ["AYUDA", "INFORMACION", "Información"]


def _reporter() -> Reporter:
    return Reporter.objects.get()


def _fits(reply: str) -> bool:
    return is_gsm7(reply) and segment_count(reply) <= 2


@pytest.mark.parametrize("word", [*OPT_OUT_ES, "parar", " Cancelar. "])
def test_it_opts_out_in_spanish_and_says_so_in_spanish(client, word):
    [reply] = replies(text(client, word))
    assert _reporter().opted_out_at is not None
    assert "COMENZAR" in reply and "START" not in reply and _fits(reply)


@pytest.mark.parametrize("word", OPT_IN_ES)
def test_it_opts_back_in_in_spanish(client, word):
    text(client, "PARAR")
    [reply] = replies(text(client, word))
    assert _reporter().opted_out_at is None
    assert "AYUDA" in reply and _fits(reply)


@pytest.mark.parametrize("word", HELP_ES)
def test_it_answers_ayuda_in_spanish(client, word):
    [reply] = replies(text(client, word))
    assert "Emergencia" in reply and "911" in reply and "988" in reply and "PARAR" in reply
    assert "Emergency" not in reply and _fits(reply)
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("spanish_school", "english", "spanish"), [(False, True, False), (True, True, True)]
)
def test_it_answers_info_in_the_school_default(client, personas, spanish_school, english, spanish):
    personas.school_a.replies_in_spanish = spanish_school
    personas.school_a.save()
    [reply] = replies(text(client, "INFO"))
    assert ("Emergency" in reply) is english and ("Emergencia" in reply) is spanish


def test_it_answers_info_in_spanish_in_a_spanish_thread(client):
    text(client, "hay una pistola en su mochila")
    [reply] = replies(text(client, "info"))
    assert "Emergencia" in reply and "Emergency" not in reply


def test_it_answers_help_in_english_at_a_spanish_speaking_school(client, personas):
    personas.school_a.replies_in_spanish = True
    personas.school_a.save()
    [reply] = replies(text(client, "HELP"))
    assert "Emergency" in reply and "Emergencia" not in reply


def test_it_reads_si_as_an_answer_unless_opted_out(client):
    text(client, "hay una pelea en el patio")
    assert replies(text(client, "Sí")) == []
    assert Message.objects.get().body == "Sí" and _reporter().opted_out_at is None


def test_it_records_a_spanish_keyword_on_the_case(client):
    text(client, "hay una pelea en el patio")
    text(client, "parar")
    event = Case.objects.get().events.get(kind=CaseEvent.Kind.SMS_KEYWORD)
    assert event.data == {
        "keyword": "opt_out",
        "word": "PARAR",
        "language": "es",
        "alias": _reporter().alias,
    }
    assert not Message.objects.exists()


def test_it_follows_twilios_opt_out_type_for_keywords_configured_there(client):
    """Advanced Opt-Out can add keywords at Twilio (ARRET...): its OptOutType decides."""
    text(client, "ARRET", OptOutType="STOP")
    assert _reporter().opted_out_at is not None
    text(client, "REPRENDRE", OptOutType="START")
    assert _reporter().opted_out_at is None
    assert Case.objects.count() == 0
