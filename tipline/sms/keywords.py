"""Carrier keywords and the fixed texts we answer with, in English and Spanish.

Keywords are matched the way carriers match them: the whole message is one word, in any
case, spaces (and here accents and a trailing full stop or exclamation mark) ignored.
English: every keyword Twilio handles by default on long codes (opt-out STOP, STOPALL,
UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT; opt-in START, YES, UNSTOP; help HELP, INFO).
Spanish: Twilio handles none by default (its Advanced Opt-Out can add them), so we honour
them ourselves: the thread is opted out here and no reply is sent to it. A keyword Twilio
itself classified (its OptOutType parameter, sent when Advanced Opt-Out is on) counts
whatever the word.

Replies go in the keyword's language; INFO, which both languages use, in the thread's.
Every automatic text stays within two GSM-7 segments (`gsm7.segment_count`), Spanish
included: written without á, í, ó, ú (not GSM-7), so a reply never turns into UCS-2.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum

from .gsm7 import is_gsm7, segment_count

MAX_REPLY_SEGMENTS = 2
ENGLISH, SPANISH, BILINGUAL = "en", "es", "en+es"


class Keyword(Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


# (keyword, language): its words. A word in both languages' lists (INFO) has no language.
WORDS: dict[tuple[Keyword, str], frozenset[str]] = {
    (Keyword.OPT_OUT, ENGLISH): frozenset(
        {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
    ),
    (Keyword.OPT_IN, ENGLISH): frozenset({"START", "YES", "UNSTOP"}),
    (Keyword.HELP, ENGLISH): frozenset({"HELP", "INFO"}),
    (Keyword.OPT_OUT, SPANISH): frozenset({"PARAR", "DETENER", "CANCELAR", "BAJA", "ALTO", "FIN"}),
    (Keyword.OPT_IN, SPANISH): frozenset({"COMENZAR", "INICIAR", "REANUDAR", "ALTA", "SI"}),
    (Keyword.HELP, SPANISH): frozenset({"AYUDA", "INFO", "INFORMACION"}),
}
# "Yes" / "sí" answer a counselor's question far more often than they opt in: they are
# keywords only while the thread is opted out.
CONVERSATIONAL = frozenset({"YES", "SI"})
TWILIO_OPT_OUT_TYPES = {"STOP": Keyword.OPT_OUT, "START": Keyword.OPT_IN, "HELP": Keyword.HELP}
_TRIM = " \t\r\n.!¡?¿"


@dataclass(frozen=True)
class KeywordMatch:
    keyword: Keyword
    word: str  # as matched: upper case, no accents ("SI" for "Sí")
    language: str | None  # "en", "es", or None for a word of both languages (INFO)

    @property
    def conversational(self) -> bool:
        return self.word in CONVERSATIONAL


def keyword_word(body: str) -> str:
    """The message as one keyword candidate: upper case, accents and end marks removed."""
    decomposed = unicodedata.normalize("NFD", body.strip(_TRIM))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).upper()


def keyword_of(body: str, *, opt_out_type: str = "") -> KeywordMatch | None:
    """The keyword a whole message is, or None. `opt_out_type`: Twilio's OptOutType."""
    word = keyword_word(body)
    found = [(keyword, language) for (keyword, language), words in WORDS.items() if word in words]
    twilio = TWILIO_OPT_OUT_TYPES.get(opt_out_type.strip().upper())
    if twilio is not None:
        languages = {language for keyword, language in found if keyword is twilio}
        language = languages.pop() if len(languages) == 1 else None
        return KeywordMatch(twilio, word, language)
    if not found:
        return None
    languages = {language for _keyword, language in found}
    return KeywordMatch(found[0][0], word, languages.pop() if len(languages) == 1 else None)


def _fit(template: str, *, name: str) -> str:
    """Fill `{name}` in, shortening the name until the text fits the segment budget."""
    while True:
        text = template.format(name=name)
        if (is_gsm7(text) and segment_count(text) <= MAX_REPLY_SEGMENTS) or not name:
            return text
        name = name[:-1].rstrip()


def _gsm7_name(name: str) -> str:
    # A school name with a non-GSM-7 letter (á, í...) would turn the reply into UCS-2.
    return "".join(char if is_gsm7(char) else "?" for char in name)


def _language(language: str) -> str:
    return language if language in (ENGLISH, SPANISH, BILINGUAL) else ENGLISH


NEW_CASE = {
    ENGLISH: "{name}: we got your tip, case {reference}. A counselor will reply here, usually "
    "within a school day. Emergency: call 911. Crisis: call or text 988. Text STOP to opt out.",
    SPANISH: "{name}: recibimos tu aviso, caso {reference}. Un consejero te respondera aqui, "
    "normalmente en un dia escolar. Emergencia: llama al 911. Crisis: llama o escribe al 988. "
    "Envia PARAR para no recibir mas textos.",
    BILINGUAL: "{name}: got your tip, case {reference}. A counselor will reply here. "
    "Emergency: 911. Crisis: 988. STOP to opt out.\n"
    "Recibimos tu aviso, caso {reference}. Te respondera un consejero aqui. "
    "Emergencia: 911. Crisis: 988.",
}
# The reference answer to a text read as imminent harm: staff are being paged now, so the
# student is not told "usually within a school day".
NEW_CASE_LIFE_SAFETY = {
    ENGLISH: "{name}: we got your tip, case {reference}. Staff are being alerted now. If "
    "someone is in danger, call 911. Crisis: call or text 988. Text STOP to opt out.",
    SPANISH: "{name}: recibimos tu aviso, caso {reference}. Estamos avisando al personal ahora. "
    "Si alguien esta en peligro, llama al 911. Crisis: llama o escribe al 988. Envia PARAR "
    "para no recibir mas textos.",
    BILINGUAL: "{name}: got your tip, case {reference}. Staff are being alerted now. "
    "Danger: 911. Crisis: 988. STOP to opt out.\n"
    "Recibimos tu aviso, caso {reference}. Avisamos al personal ahora. "
    "Peligro: 911. Crisis: 988.",
}
HELP = {
    ENGLISH: "{name} anonymous tip line. Text what is happening and a counselor will reply. "
    "Emergency: call 911. Crisis: call or text 988. Text STOP to opt out.",
    SPANISH: "Linea anonima de avisos de {name}. Escribe lo que pasa y un consejero te "
    "respondera. Emergencia: llama al 911. Crisis: llama o escribe al 988. Envia PARAR para "
    "no recibir mas textos.",
    BILINGUAL: "{name} tip line: text what is happening. Emergency: 911. Crisis: 988. "
    "STOP to opt out.\nEnvia tu aviso por texto. Emergencia: 911. Crisis: 988. PARAR: no "
    "recibir mas.",
}
OPTED_OUT = {
    ENGLISH: "{name} tip line: you will get no more texts. Text START to resume. "
    "Emergency: call 911.",
    SPANISH: "Avisos de {name}: no recibiras mas textos. Envia COMENZAR para volver a "
    "recibirlos. Emergencia: llama al 911.",
}
OPTED_IN = {
    ENGLISH: "{name} tip line: texts are back on. Text HELP for help, STOP to opt out.",
    SPANISH: "Avisos de {name}: vuelves a recibir textos. Envia AYUDA para ayuda, PARAR para "
    "no recibir mas.",
}
SCHOOL_CHOSEN = {
    ENGLISH: "Thanks. Your texts now go to {name}.",
    SPANISH: "Gracias. Tus textos ahora van a {name}.",
}
MENU = {
    ENGLISH: "{name} tip line. Which school? Reply with its number or name:",
    SPANISH: "Avisos de {name}. ¿Qué escuela? Responde con su numero o su nombre:",
}
MENU_UNCLEAR = {
    ENGLISH: "We could not tell which school. Reply with one number, like 1, or the school's "
    "full name:",
    SPANISH: "No sabemos que escuela es. Responde con un solo numero, como 1, o el nombre "
    "completo de la escuela:",
}


def _one_language(language: str) -> str:
    """Texts with no bilingual version go in Spanish only when the thread is Spanish."""
    return SPANISH if language == SPANISH else ENGLISH


def text_new_case(
    *, school_name: str, reference: str, language: str, life_safety: bool = False
) -> str:
    templates = NEW_CASE_LIFE_SAFETY if life_safety else NEW_CASE
    template = templates[_language(language)].replace("{reference}", reference)
    return _fit(template, name=_gsm7_name(school_name))


def text_help(*, school_name: str, language: str) -> str:
    return _fit(HELP[_language(language)], name=_gsm7_name(school_name))


def text_opted_out(*, school_name: str, language: str = ENGLISH) -> str:
    return _fit(OPTED_OUT[_one_language(language)], name=_gsm7_name(school_name))


def text_opted_in(*, school_name: str, language: str = ENGLISH) -> str:
    return _fit(OPTED_IN[_one_language(language)], name=_gsm7_name(school_name))


def text_school_menu(
    *, district_name: str, school_names: list[str], language: str = ENGLISH, unclear=False
) -> str:
    """The numbered menu a district-wide number sends; lines are dropped if they overflow.
    `unclear`: the last text did not say which school, so say how to answer."""
    heading = (MENU_UNCLEAR if unclear else MENU)[_one_language(language)]
    lines = [heading.format(name=_gsm7_name(district_name))]
    for position, name in enumerate(school_names, start=1):
        candidate = "\n".join([*lines, f"{position} {_gsm7_name(name)}"])
        if segment_count(candidate) > MAX_REPLY_SEGMENTS:
            break
        lines.append(f"{position} {_gsm7_name(name)}")
    return "\n".join(lines)


def text_school_chosen(*, school_name: str, language: str = ENGLISH) -> str:
    return _fit(SCHOOL_CHOSEN[_one_language(language)], name=_gsm7_name(school_name))
