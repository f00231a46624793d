"""{% per_language %} keeps markup drawn once per language: it must follow the reader's
language and never carry anything from the context it is drawn in."""

from django.template import Context, Template
from django.utils import translation

PAGE = Template(
    "{% load i18n workspace %}{% per_language %}"
    '<h1>{% translate "Cases" %}</h1><a href="{% url \'tipline:case_list\' %}">{{ secret }}</a>'
    "{% endper_language %}"
)


def test_it_draws_once_per_language_and_follows_the_reader():
    with translation.override("en"):
        english = PAGE.render(Context({"secret": "first reader's data"}))
    with translation.override("es"):
        spanish = PAGE.render(Context({}))
    with translation.override("en"):
        again = PAGE.render(Context({"secret": "second reader's data"}))
    assert english == again == '<h1>Cases</h1><a href="/staff/cases/"></a>'
    assert spanish == '<h1>Casos</h1><a href="/staff/cases/"></a>'


def test_the_queue_page_reads_in_each_language_in_turn(client_for, personas):
    client = client_for(personas.counselor_a)
    for language, words in (("en", "Keyboard shortcuts"), ("es", "Atajos de teclado")) * 2:
        personas.counselor_a.language = language
        personas.counselor_a.save(update_fields=["language"])
        assert words in client.get("/staff/cases/").content.decode(), language
