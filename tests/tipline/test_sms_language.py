"""The tipster's language, read from the words of their text; never guessed."""

import pytest

from tipline.language import language_of
from tipline.models import Reporter, Tip

from .sms_support import numbers, replies, sms_fresh_state, text  # noqa: F401


@pytest.mark.parametrize(
    ("words", "language"),
    [
        ("someone has a knife in their locker", "en"),
        ("I want to kill myself tonight", "en"),
        ("José has a gun in his bag", "en"),
        ("there was a fight", "en"),
        ("pistola en su mochila", "es"),
        ("mi hermano tiene una pistola en su mochila", "es"),
        ("Estan vendiendo drogas en el baño", "es"),
        ("¿dónde?", "es"),
    ],
)
def test_it_tells_english_from_spanish(words, language):
    assert language_of(words) == language


@pytest.mark.parametrize(
    "words", ["", "gun", "hola", "ok", "Lincoln", "knife in locker", "12345", "the pistola en"]
)
def test_it_cannot_tell_short_or_mixed_texts(words):
    assert language_of(words) is None


@pytest.mark.django_db
@pytest.mark.usefixtures("numbers")
class TestInbound:
    def test_it_labels_an_english_text_english_at_a_spanish_speaking_school(self, client, personas):
        personas.school_a.replies_in_spanish = True
        personas.school_a.save()
        [reply] = replies(text(client, "someone has a knife in their locker"))
        assert Tip.objects.get().language == "en"
        assert "we got your tip" in reply and "Recibimos" not in reply

    def test_it_labels_and_answers_a_spanish_text_in_spanish(self, client):
        [reply] = replies(text(client, "pistola en su mochila"))
        assert Tip.objects.get().language == "es"
        assert Reporter.objects.get().language == "es"
        assert "recibimos tu aviso" in reply and "Emergency" not in reply

    @pytest.mark.parametrize(("spanish_school", "language"), [(False, "en"), (True, "es")])
    def test_it_falls_back_to_the_school_default_when_it_cannot_tell(
        self, client, personas, spanish_school, language
    ):
        personas.school_a.replies_in_spanish = spanish_school
        personas.school_a.save()
        [reply] = replies(text(client, "gun"))
        assert Tip.objects.get().language == language
        assert ("Recibimos" in reply) is spanish_school and "got your tip" in reply

    def test_it_keeps_the_thread_language_when_a_later_text_cannot_tell(self, client):
        text(client, "pistola en su mochila")
        text(client, "ok")
        assert Reporter.objects.get().language == "es"
