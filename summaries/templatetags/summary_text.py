"""`summary_text`: a summary table's English words (summaries/labels.py) in the reader's
language; anything else (school names, figures) unchanged."""

from django import template
from django.utils.translation import gettext, pgettext

from summaries.labels import CONTEXT

register = template.Library()


@register.filter
def summary_text(value):
    if isinstance(value, str) and value:
        translated = pgettext(CONTEXT, value)
        return translated if translated != value else gettext(value)
    return value
