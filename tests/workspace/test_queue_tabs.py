"""The queue's tabs drawn in Python (workspace.templatetags.workspace.queue_tabs) are the
markup the template loop drew, in both languages, for every chosen queue, in and out of band."""

import pytest
from django.template import Context, Template
from django.utils import translation

from workspace.templatetags.workspace import queue_tabs
from workspace.views.queues import QUEUE_LABELS

# The template the tag replaced (workspace/_queue_tabs.html), kept here as the reference.
TEMPLATE = (
    '{% load i18n %}<ul id="queue-tabs" class="nav nav-pills queue-tabs"{% if tabs_out_of_band %}'
    ' hx-swap-oob="true"{% endif %}>\n    {% for item in queues %}\n    <li class="nav-item">\n'
    '      <a class="nav-link{% if item.name == queue %} active{% endif %}"'
    ' href="?queue={{ item.name }}"{% if item.name == queue %} aria-current="page"{% endif %}>'
    '{{ item.label }} <span class="badge {% if item.name == queue %}text-bg-light{% else %}'
    'text-bg-secondary{% endif %}" data-queue-count="{{ item.name }}">{{ item.count }}</span>'
    "</a>\n    </li>\n    {% endfor %}\n</ul>\n"
)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("out_of_band", [False, True])
def test_the_tabs_are_the_templates_markup(language, out_of_band):
    counts = [0, 1, 1600, 12345, 7]
    with translation.override(language):
        queues = [
            {"name": name, "label": label, "count": count}
            for (name, label), count in zip(QUEUE_LABELS.items(), counts, strict=True)
        ]
        for chosen in [*QUEUE_LABELS, "none of them"]:
            expected = Template(TEMPLATE).render(
                Context({"queues": queues, "queue": chosen, "tabs_out_of_band": out_of_band})
            )
            assert queue_tabs(queues, chosen, out_of_band=out_of_band) == expected, chosen


def test_a_label_is_escaped():
    queues = [{"name": "all", "label": "<b>All & open</b>", "count": 3}]
    with translation.override("fr"):  # a language of its own: nothing kept from other tests
        drawn = queue_tabs(queues, "all")
    assert "&lt;b&gt;All &amp; open&lt;/b&gt;" in drawn and "<b>" not in drawn
