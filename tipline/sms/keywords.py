"""Carrier keywords and the fixed texts we answer with.

Keywords are matched the way carriers match them: the whole message is one word, in any
case, spaces around it ignored. Every automatic text stays within two GSM-7 segments
(`gsm7.segment_count`), Spanish included, so a reply never costs more than it must and never
turns into UCS-2 (Spanish is written with GSM-7 letters only).
"""

from enum import Enum

from .gsm7 import is_gsm7, segment_count

OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
MAX_REPLY_SEGMENTS = 2


class Keyword(Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


def keyword_of(body: str) -> Keyword | None:
    word = body.strip().upper()
    if word in OPT_OUT_WORDS:
        return Keyword.OPT_OUT
    if word in OPT_IN_WORDS:
        return Keyword.OPT_IN
    if word in HELP_WORDS:
        return Keyword.HELP
    return None


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


def text_new_case(*, school_name: str, reference: str, spanish: bool) -> str:
    template = (
        "{name}: we got your tip, case " + reference + ". A counselor will reply here, "
        "usually within a school day. Emergency: call 911. Crisis: call or text 988. "
        "Text STOP to opt out."
    )
    if spanish:
        template = (
            "{name}: got your tip, case " + reference + ". A counselor will reply here. "
            "Emergency: 911. Crisis: 988. STOP to opt out.\n"
            "Recibimos tu aviso, caso " + reference + ". Te respondera un consejero aqui. "
            "Emergencia: 911. Crisis: 988."
        )
    return _fit(template, name=_gsm7_name(school_name))


def text_help(*, school_name: str, spanish: bool) -> str:
    template = (
        "{name} anonymous tip line. Text what is happening and a counselor will reply. "
        "Emergency: call 911. Crisis: call or text 988. Text STOP to opt out."
    )
    if spanish:
        template = (
            "{name} tip line: text what is happening. Emergency: 911. Crisis: 988. "
            "STOP to opt out.\nEnvia tu aviso por texto. Emergencia: 911. Crisis: 988."
        )
    return _fit(template, name=_gsm7_name(school_name))


def text_opted_out(*, school_name: str) -> str:
    return _fit(
        "{name} tip line: you will get no more texts. Text START to resume. Emergency: call 911.",
        name=_gsm7_name(school_name),
    )


def text_opted_in(*, school_name: str) -> str:
    return _fit(
        "{name} tip line: texts are back on. Text HELP for help, STOP to opt out.",
        name=_gsm7_name(school_name),
    )


def text_school_menu(*, district_name: str, school_names: list[str]) -> str:
    """The numbered menu a district-wide number sends; lines are dropped if they overflow."""
    lines = [f"{_gsm7_name(district_name)} tip line. Which school? Reply with its number:"]
    for position, name in enumerate(school_names, start=1):
        candidate = "\n".join([*lines, f"{position} {_gsm7_name(name)}"])
        if segment_count(candidate) > MAX_REPLY_SEGMENTS:
            break
        lines.append(f"{position} {_gsm7_name(name)}")
    return "\n".join(lines)


def text_school_chosen(*, school_name: str) -> str:
    return _fit("Thanks. Your texts now go to {name}.", name=_gsm7_name(school_name))
