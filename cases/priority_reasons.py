"""Why a case has its priority, said in the reader's language.

`Case.priority_reason` is stored text: the rule's words, written by the code in English
("Category: Weapon", "Raised to urgent: 'phrase'"), or a counselor's own words. Earlier
rows could hold a category label in the language the TIPSTER used (a Spanish web tip stored
"Category: Arma"), which an English-speaking counselor then read. So the page never shows the
rule's stored words: it reads which rule they name (and the category code behind a label in
any of the site's languages) and says it again in the reader's language. A counselor's own
words are shown as written.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Category

CATEGORY_RULE = re.compile(r"^Category: (?P<label>.+)$", re.DOTALL)
RAISED = re.compile(r"^Raised to (?P<priority>life safety|urgent): '(?P<phrase>.*)'$", re.DOTALL)
MERGED = re.compile(r"^Merged with case (?P<reference>[A-Z0-9]+)$")
DANGER_NOW = "Tipster answered that someone is in danger right now"
DANGER_NOT_SURE = "Tipster was not sure about danger"

_labels: dict[str, str] | None = None


def _category_by_label() -> dict[str, str]:
    """Every category's label in every language of the site -> its code."""
    global _labels
    if _labels is None:
        labels = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                labels.update({str(category.label): category.value for category in Category})
        _labels = labels
    return _labels


def category_rule_reason(category: str) -> str:
    """The words stored for the category rule: always English, whoever wrote the tip."""
    with translation.override("en"):
        return f"Category: {Category(category).label}"


def priority_reason_display(stored: str) -> str:
    """`stored` (Case.priority_reason) in the active language; see the module."""
    if not stored:
        return ""
    if match := CATEGORY_RULE.match(stored):
        code = _category_by_label().get(match["label"].strip())
        if code is not None:
            return _("Category: %(category)s") % {"category": Category(code).label}
    elif match := RAISED.match(stored):
        if match["priority"] == "life safety":
            return _("Raised to life safety: '%(phrase)s'") % {"phrase": match["phrase"]}
        return _("Raised to urgent: '%(phrase)s'") % {"phrase": match["phrase"]}
    elif match := MERGED.match(stored):
        return _("Merged with case %(reference)s") % {"reference": match["reference"]}
    elif stored == DANGER_NOW:
        return _("Tipster answered that someone is in danger right now")
    elif stored == DANGER_NOT_SURE:
        return _("Tipster was not sure about danger")
    return stored


__all__ = ["category_rule_reason", "priority_reason_display"]
