"""The call, step by step, as TwiML. Each step is one signed webhook under /voice/twilio/;
what the call has chosen so far (language, school, urgency, tries) travels in the query
string of the next step's URL, which Twilio signs with the rest.

  inbound   "in danger now? hang up and call 911" first, in English then Spanish;
            press 2 for Spanish (a Gather), silence is English
  language  a school's number: the menu; a district number: which school, by keypad
  school    the district caller's choice of school
  menu      1: connect to the on-call staff now; 3: hear replies with a receipt code;
            silence or anything else: leave a message
  dialed    after each <Dial>: answered, the call ends; not, the next on-call number
            (one <Dial> at a time, so they ring in order, never at once), and after the
            last, the caller leaves a message (marked as someone in danger now)
  record    <Record> up to 3 minutes, with a recording-status callback
  recorded  the tip is stored and the receipt code read digit by digit, twice
  code      a receipt code keyed in: the status and the staff's replies, read aloud

Staff reached by <Dial> see the tip line's own number (callerId), never the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import PhoneNumber, School

from .. import twilio_client
from . import calls
from .texts import ENGLISH, SPANISH, VOICES, language_of_digit, say, spaced_digits

GATHER_SECONDS = 6
DIAL_SECONDS = 20
CODE_SECONDS = 15
MAX_TRIES = 3


def _url(name: str, **state) -> str:
    """A step's path with the call's state; relative, so Twilio (and voice_simulate) call
    it on the address they called this one at."""
    query = {key: value for key, value in state.items() if value not in (None, "", 0, False)}
    path = reverse(f"voice:{name}")
    return path + ("?" + urlencode(query) if query else "")


class Call:
    """One TwiML answer being written in one language."""

    def __init__(self, language: str = ENGLISH):
        self.language = language if language in VOICES else ENGLISH
        self.response = twilio_client.VoiceResponse()

    def say(self, key: str, *, into=None, language: str | None = None, **params) -> None:
        language = language or self.language
        voice, locale = VOICES[language]
        target = into if into is not None else self.response
        target.say(say(language, key, **params), voice=voice, language=locale)

    def __str__(self) -> str:
        return str(self.response)


def _state(params: Mapping[str, str]) -> dict:
    return {
        "lang": SPANISH if params.get("lang") == SPANISH else ENGLISH,
        "school": params.get("school", ""),
        "urgent": params.get("urgent") == "1",
    }


def _tries(params: Mapping[str, str]) -> int:
    try:
        return max(0, int(params.get("tries") or 0))
    except ValueError:
        return 0


def unknown_number() -> str:
    call = Call()
    call.say("unknown_number")
    call.say("unknown_number", language=SPANISH)
    call.response.hangup()
    return str(call)


def inbound(phone: PhoneNumber) -> str:
    """Danger first, in both languages; then the language choice."""
    call = Call()
    gather = call.response.gather(
        num_digits=1, action=_url("language"), method="POST", timeout=GATHER_SECONDS
    )
    call.say("danger", into=gather)
    call.say("danger", into=gather, language=SPANISH)
    call.say("for_spanish", into=gather, language=SPANISH)
    call.say("for_english", into=gather)
    call.response.redirect(_url("language"), method="POST")
    return str(call)


def language(phone: PhoneNumber, *, digits: str) -> str:
    lang = language_of_digit(digits)
    if phone.school_id:
        return menu(phone.school, lang=lang)
    return school_menu(phone, lang=lang)


def school_menu(phone: PhoneNumber, *, lang: str, tries: int = 0) -> str:
    """A district number: "for Lincoln High, press 1..." (several digits past nine schools)."""
    call = Call(lang)
    schools = calls.district_schools(phone)
    if tries:
        call.say("not_understood")
    if tries >= MAX_TRIES or not schools:
        call.say("goodbye_try_again")
        call.response.hangup()
        return str(call)
    gather = call.response.gather(
        num_digits=len(str(len(schools))),
        action=_url("school", lang=lang, tries=tries + 1),
        method="POST",
        timeout=GATHER_SECONDS,
    )
    call.say("which_school", into=gather, district=phone.district.name)
    for position, school in enumerate(schools, start=1):
        call.say("school_option", into=gather, school=school.name, digit=str(position))
    call.response.redirect(_url("school", lang=lang, tries=tries + 1), method="POST")
    return str(call)


def school_chosen(phone: PhoneNumber, *, params: Mapping[str, str]) -> str:
    state = _state(params)
    schools = calls.district_schools(phone)
    digits = (params.get("Digits") or "").strip()
    if phone.school_id:
        return menu(phone.school, lang=state["lang"])
    if digits.isdigit() and 1 <= int(digits) <= len(schools):
        return menu(schools[int(digits) - 1], lang=state["lang"])
    return school_menu(phone, lang=state["lang"], tries=_tries(params))


def menu(school: School, *, lang: str) -> str:
    call = Call(lang)
    gather = call.response.gather(
        num_digits=1,
        action=_url("menu", lang=lang, school=school.id),
        method="POST",
        timeout=GATHER_SECONDS,
    )
    call.say("welcome", into=gather, school=school.name)
    call.say("press_1", into=gather)
    call.say("press_3", into=gather)
    call.say("stay_to_record", into=gather)
    call.response.redirect(_url("record", lang=lang, school=school.id), method="POST")
    return str(call)


def menu_chosen(phone: PhoneNumber, school: School, *, params: Mapping[str, str]) -> str:
    state = _state(params)
    digits = (params.get("Digits") or "").strip()
    if digits == "1":
        return dial(phone, school, lang=state["lang"], step=0)
    if digits == "3":
        return code_prompt(school, lang=state["lang"])
    return record(school, lang=state["lang"], urgent=False)


def dial(phone: PhoneNumber, school: School, *, lang: str, step: int, now=None) -> str:
    """Ring the `step`-th number of the school's connect list, or, past the last, ask for a
    message marked urgent."""
    call = Call(lang)
    numbers, after_hours = calls.connect_numbers(school=school, now=now)
    if step >= len(numbers):
        call.say("nobody_available")
        _record_into(call, school, urgent=True)
        return str(call)
    if step == 0:
        call.say("connecting_after_hours" if after_hours else "connecting")
    dial_verb = call.response.dial(
        caller_id=phone.number,
        action=_url("dialed", lang=lang, school=school.id, step=step + 1),
        method="POST",
        timeout=DIAL_SECONDS,
    )
    dial_verb.number(numbers[step])
    return str(call)


def dialed(phone: PhoneNumber, school: School, *, params: Mapping[str, str]) -> str:
    """After one <Dial>: a call that was answered ends there; else the next number."""
    state = _state(params)
    if params.get("DialCallStatus") == "completed":
        call = Call(state["lang"])
        call.say("goodbye")
        call.response.hangup()
        return str(call)
    try:
        step = max(0, int(params.get("step") or 0))
    except ValueError:
        step = 0
    return dial(phone, school, lang=state["lang"], step=step)


def _record_into(call: Call, school: School, *, urgent: bool) -> None:
    state = {"lang": call.language, "school": school.id, "urgent": "1" if urgent else ""}
    call.say("record")
    call.response.record(
        action=_url("recorded", **state),
        method="POST",
        max_length=calls.MAX_RECORDING_SECONDS,
        finish_on_key="#",
        play_beep=True,
        recording_status_callback=_url("recording-status", **state),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed absent",
    )
    # <Record> that heard nothing goes on to the next verb.
    call.say("no_message")
    call.response.hangup()


def record(school: School, *, lang: str, urgent: bool) -> str:
    call = Call(lang)
    _record_into(call, school, urgent=urgent)
    return str(call)


def _seconds(value: str | None) -> int | None:
    try:
        return max(0, int(value)) if value not in (None, "") else None
    except ValueError:
        return None


def recorded(school: School, *, params: Mapping[str, str]) -> str:
    """The message is in: store the tip (once per CallSid) and read the receipt code."""
    state = _state(params)
    receipt = calls.voice_message_receive(
        call_sid=params["CallSid"],
        school=school,
        language=state["lang"],
        urgent=state["urgent"],
        recording_sid=params.get("RecordingSid", ""),
        recording_url=params.get("RecordingUrl", ""),
        recording_seconds=_seconds(params.get("RecordingDuration")),
    )
    call = Call(state["lang"])
    if receipt.receipt_code is None:
        call.say("already_received")
        call.response.hangup()
        return str(call)
    digits = spaced_digits(receipt.receipt_code)
    site = urlsplit(settings.PUBLIC_BASE_URL).netloc
    call.say("received")
    call.say("code_is", digits=digits)
    call.response.pause(length=1)
    call.say("code_again", digits=digits)
    call.say("code_how", site=site)
    call.say("goodbye")
    call.response.hangup()
    return str(call)


def code_prompt(school: School, *, lang: str, tries: int = 0) -> str:
    call = Call(lang)
    if tries:
        call.say("code_unknown")
    if tries >= MAX_TRIES:
        call.say("goodbye_try_again")
        call.response.hangup()
        return str(call)
    gather = call.response.gather(
        num_digits=16,
        finish_on_key="#",
        action=_url("code", lang=lang, school=school.id, tries=tries + 1),
        method="POST",
        timeout=CODE_SECONDS,
    )
    call.say("enter_code", into=gather)
    call.response.redirect(_url("code", lang=lang, school=school.id, tries=tries + 1))
    return str(call)


def code_entered(school: School, *, params: Mapping[str, str]) -> str:
    state = _state(params)
    heard = calls.voice_followup(digits=(params.get("Digits") or "")[:32])
    if heard is None:
        return code_prompt(school, lang=state["lang"], tries=_tries(params))
    call = Call(state["lang"])
    call.say("status", status=_in_language(heard.status, state["lang"]))
    if heard.replies:
        call.say("replies_follow")
        for text in heard.replies:
            call.say("reply", text=text)
    else:
        call.say("no_reply")
    call.say("goodbye")
    call.response.hangup()
    return str(call)


def _in_language(lazy_text, language: str) -> str:
    with translation.override(language):
        return str(lazy_text)
