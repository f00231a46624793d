"""What the caller hears, in English and Spanish. Every sentence is a gettext string, spoken
under `translation.override` of the caller's language, with that language's voice."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

ENGLISH, SPANISH = "en", "es"
# Twilio's text-to-speech: an Amazon Polly voice per language, and its locale.
VOICES = {ENGLISH: ("Polly.Joanna", "en-US"), SPANISH: ("Polly.Mia", "es-MX")}


def language_of_digit(digits: str) -> str:
    return SPANISH if digits.strip() == "2" else ENGLISH


def spaced_digits(code: str) -> str:
    """A receipt code to be read digit by digit: "1234-5678" is "1 2 3 4, 5 6 7 8"."""
    return ", ".join(" ".join(group) for group in code.split("-"))


def say(language: str, key: str, **params) -> str:
    """One sentence of the call in `language`."""
    with translation.override(language):
        return PHRASES[key]() % params if params else PHRASES[key]()


PHRASES = {
    "danger": lambda: _("If someone is in danger right now, hang up and call 911."),
    "for_spanish": lambda: _("For Spanish, press 2."),
    "for_english": lambda: _("For English, stay on the line."),
    "unknown_number": lambda: _(
        "This number does not take tips. If someone is in danger, hang up and call 911."
    ),
    "which_school": lambda: _("This is the %(district)s tip line. Which school is this about?"),
    "school_option": lambda: _("For %(school)s, press %(digit)s."),
    "not_understood": lambda: _("Sorry, that is not one of the choices."),
    "goodbye_try_again": lambda: _("Please call again, or send your tip on the website. Goodbye."),
    "welcome": lambda: _("You have reached the anonymous tip line of %(school)s."),
    "press_1": lambda: _("To be connected to the on-call staff now, press 1."),
    "press_3": lambda: _(
        "If you already left a message and have a receipt code, press 3 to hear whether "
        "staff replied."
    ),
    "stay_to_record": lambda: _("Or stay on the line to leave a message."),
    "connecting": lambda: _(
        "Connecting you now. Your number is not shown to the person you reach."
    ),
    "connecting_after_hours": lambda: _(
        "The school is closed now. Connecting you to a crisis line that answers at any hour."
    ),
    "nobody_available": lambda: _("Nobody could take your call right now."),
    "record": lambda: _(
        "Leave your message after the tone: what happened, who, where and when. You have up "
        "to three minutes. Press the pound key when you are done. You do not have to give "
        "your name."
    ),
    "no_message": lambda: _("We did not hear a message. Please call again. Goodbye."),
    "received": lambda: _("Thank you. Your message was received."),
    "code_is": lambda: _("Your receipt code is: %(digits)s."),
    "code_again": lambda: _("Again, your receipt code is: %(digits)s."),
    "code_how": lambda: _(
        "Write it down. To hear whether staff replied, call this number again and press 3, "
        "or enter the code at %(site)s slash followup."
    ),
    "already_received": lambda: _(
        "Your message was already received. If someone is in danger, call 911. Goodbye."
    ),
    "enter_code": lambda: _(
        "Enter the sixteen digits of your receipt code, then press the pound key."
    ),
    "code_unknown": lambda: _("That receipt code was not found."),
    "status": lambda: _("Your tip's status: %(status)s."),
    "no_reply": lambda: _("Staff have not replied yet. Please check again later."),
    "replies_follow": lambda: _("Here is what staff replied."),
    "reply": lambda: _("Reply from staff: %(text)s"),
    "goodbye": lambda: _("Thank you for calling. Goodbye."),
}
