"""English or Spanish, from the words of a text: a small, honest detector (stdlib only).

It counts two kinds of evidence, each at most once per word:

- function words that belong to one language only (English "the", "has", "their"; Spanish
  "en", "su", "una", "tiene"). Words both languages use ("a", "no", "me", "he", "son", "van",
  "ya") count for neither;
- Spanish letters: a word with ñ, an accented vowel or ü, and the marks ¿ and ¡.

It names a language only with at least MIN_EVIDENCE points for it and at least twice those
of the other. Anything shorter or more mixed is "cannot tell" (None): the caller falls back
to the school's default language and never guesses. Accents are optional in texting, so
words are compared without them ("esta" and "está" both count for Spanish).
"""

from __future__ import annotations

import re
import unicodedata

MIN_EVIDENCE = 2
SPANISH_LETTERS = frozenset("ñáéíóúü")
SPANISH_MARKS = frozenset("¿¡")


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


ENGLISH_WORDS = _words(
    """
    the and is are was were be been being has have had do does did will would could should
    can't cant won't wont don't dont didn't isn't wasn't it's its this that these those there
    their they them he's she's his her him she we our you your yours i i'm im my mine of in on
    at to from with without about into over after before because if or but so than then when
    where who what why how which someone somebody anyone anybody everyone something anything
    nothing people kid kids student students school class teacher today tonight tomorrow
    yesterday going gonna wants want said says told tell going bring brought
    """
)
SPANISH_WORDS = _words(
    """
    el la los las un una unos unas y o pero porque que qué como cómo cuando cuándo donde dónde
    quien quién quienes por para con sin sobre entre hasta desde del al en es está esta
    estan están estoy estamos ser fue era hay tiene tienen tengo tenemos va voy vamos
    quiere quieren quiero dijo mi mis tu tus su sus nuestro nuestra yo él ella ellos
    ellas nosotros usted ustedes lo le les se nos muy más mas también tambien aquí aqui
    alguien nadie nada algo todos todo hoy mañana manana ayer noche escuela colegio clase
    maestro maestra estudiante estudiantes compañero compañera amigo amiga hermano hermana
    """
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _plain(word: str) -> str:
    """The word without accents (ñ kept): "está" -> "esta", "año" stays "año"."""
    decomposed = unicodedata.normalize("NFD", word)
    kept = []
    for index, char in enumerate(decomposed):
        if unicodedata.combining(char) and not (
            char == "\u0303" and index and decomposed[index - 1] in "nN"
        ):
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


_SPANISH_PLAIN = frozenset(_plain(word) for word in SPANISH_WORDS)
_ENGLISH_PLAIN = frozenset(ENGLISH_WORDS) - _SPANISH_PLAIN


def language_evidence(text: str) -> tuple[int, int]:
    """(English points, Spanish points) of a text."""
    english = spanish = 0
    lowered = text.lower()
    for word in _WORD.findall(lowered.replace("’", "'")):
        plain = _plain(word)
        if any(char in SPANISH_LETTERS for char in word) or plain in _SPANISH_PLAIN:
            spanish += 1
        elif plain in _ENGLISH_PLAIN:
            english += 1
    spanish += sum(1 for char in lowered if char in SPANISH_MARKS)
    return english, spanish


def language_of(text: str) -> str | None:
    """ "en" or "es" when the words say so clearly, else None (cannot tell)."""
    english, spanish = language_evidence(text)
    if english >= MIN_EVIDENCE and english >= 2 * spanish:
        return "en"
    if spanish >= MIN_EVIDENCE and spanish >= 2 * english:
        return "es"
    return None


def language_or_default(text: str, *, default: str) -> str:
    """The text's language, or `default` (the school's) when it cannot tell."""
    return language_of(text) or default
