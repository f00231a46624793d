"""`summary_text`: a summary table's English words (summaries/labels.py) in the reader's
language; anything else (school names, figures) unchanged."""

from django import template

from summaries.labels import say

register = template.Library()


@register.filter
def summary_text(value):
    return say(value)
