"""Each staff member's language: pages, emails and SMS notices in the language they chose.

`User.language` holds the choice (blank: none made). On a page, a signed-in person's choice
wins over the switcher's cookie and the browser's Accept-Language (StaffLanguageMiddleware);
without one, Django's LocaleMiddleware decides as for anyone. What is sent to a person (a
notice, a digest, a security email) is written in the RECIPIENT's language, whoever caused it:
wrap the rendering in `in_language_of(recipient)`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.conf import settings
from django.utils import translation

SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


def language_or_default(code: str | None) -> str:
    """`code` when the site speaks it, else the site's default language."""
    return code if code in SUPPORTED else settings.LANGUAGE_CODE


def language_of(user) -> str:
    """The language to write to `user` in: their choice, else the site's default."""
    return language_or_default(getattr(user, "language", "") or "")


def in_language_of(user) -> AbstractContextManager:
    """`with in_language_of(user):` renders gettext, templates and dates in their language."""
    return translation.override(language_of(user))


def preferred_language(user) -> str | None:
    """The language a signed-in person chose for pages, or None (the browser decides)."""
    if user is None or not user.is_authenticated:
        return None
    chosen = getattr(user, "language", "") or ""
    return chosen if chosen in SUPPORTED else None


def language_infos() -> list[dict]:
    """Django's description of each language of the site (code, name, name_local, bidi)."""
    return [translation.get_language_info(code) for code, _name in settings.LANGUAGES]
