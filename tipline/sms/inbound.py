"""The inbound webhook's service: one Twilio message in, the TwiML reply texts out.

Contract of `sms_inbound_receive`: no network call (media are fetched by a task queued after
commit); idempotent on MessageSid (a replay stores nothing and gets no reply); never drops a
tip (opted-out and flooding senders are still stored, and so is everything while the cache,
Redis, is down: the database's unique MessageSid columns are the replay guard that counts);
keeps no From* location field and never logs From or Body. The sender is known only by
`keyed_digest(number, purpose="phone")`, the thread key, plus the number encrypted for replies.

Carrier keywords (STOP, PARAR, HELP, AYUDA...) change the thread's opt-out state and are
recorded as case events, never as tipster messages; the thread keeps its last keyword's
MessageSid, so a replayed keyword is recognised without the cache too. The tipster's
language is read from the words of each text (tipline.language): a clear one labels the tip
and becomes the thread's; when it cannot tell, the tip gets the school's default language
and replies go in the thread's language, else the school's default (bilingual where the
school replies in Spanish).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import District, PhoneNumber, School
from accounts.privacy import keyed_digest
from cases.models import Case, CaseEvent, Category, Channel
from cases.queueing import queue_after_commit
from cases.services.cases import REFERENCE_ALPHABET
from cases.services.events import case_event_record, case_surviving
from tipline.models import Message, Reporter, SmsPendingText, Tip
from tipline.services.tips import message_from_reporter, tip_create

from .. import throttle
from ..language import language_of
from . import keywords
from .keywords import BILINGUAL, ENGLISH, SPANISH, Keyword, KeywordMatch
from .menu import menu_answer

logger = logging.getLogger(__name__)

MAX_MEDIA = 10  # Twilio's own limit per MMS
SEEN_SID_SECONDS = 7 * 24 * 3600
PHOTO_ONLY_BODY = "(picture message without text)"


@dataclass
class InboundResult:
    """What to answer (one TwiML <Message> per text) and, for logs, what happened."""

    outcome: str
    replies: list[str] = field(default_factory=list)


def reporter_alias(phone_digest: str) -> str:
    """A short stable name for staff ("SMS-K7QMA"), derived from the thread key only."""
    value = int(phone_digest[:16], 16)
    letters = []
    for _ in range(5):
        value, index = divmod(value, len(REFERENCE_ALPHABET))
        letters.append(REFERENCE_ALPHABET[index])
    return "SMS-" + "".join(letters)


def reporter_for_phone(*, number: str) -> Reporter:
    """The SMS thread of `number`, created on first contact."""
    digest = keyed_digest(number, purpose="phone")
    reporter, _ = Reporter.objects.get_or_create(
        phone_digest=digest,
        defaults={
            "channel": Channel.SMS,
            "phone_number_encrypted": number,
            "alias": reporter_alias(digest),
        },
    )
    return reporter


def _sid_key(sid: str) -> str:
    return f"sms:sid:{sid}"


def _sid_stored(sid: str) -> bool:
    return (
        Tip.objects.filter(provider_sid=sid).exists()
        or Message.objects.filter(provider_sid=sid).exists()
        or SmsPendingText.objects.filter(provider_sid=sid).exists()
    )


def _flooding(reporter: Reporter) -> bool:
    """Counts this thread's texts per clock minute; True past SMS_THREAD_RATE_PER_MINUTE.

    Counted in the shared cache, or in this process while the cache is down."""
    count = throttle.window_count(f"sms:rate:{reporter.phone_digest[:32]}", 60)
    return count > settings.SMS_THREAD_RATE_PER_MINUTE


def _sid_claim(sid: str) -> bool:
    """Claim `sid` in the cache against a concurrent delivery of the same message; False if
    another request holds it. While the cache is down there is no claim to take: the request
    goes on, and the unique MessageSid columns refuse a second copy."""
    try:
        return cache.add(_sid_key(sid), 1, timeout=SEEN_SID_SECONDS)
    except Exception:
        logger.warning(
            "sms replay cache unavailable: the database guards replays",
            extra={"event": "sid_cache_unavailable"},
        )
        return True


def _sid_release(sid: str) -> None:
    with contextlib.suppress(Exception):  # the cache may be the thing that is down
        cache.delete(_sid_key(sid))


def _media_urls(params: Mapping[str, str]) -> list[str]:
    try:
        count = min(int(params.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    return [params[f"MediaUrl{i}"] for i in range(count) if params.get(f"MediaUrl{i}")]


def thread_case(*, reporter: Reporter, school: School) -> Case | None:
    """The latest case this thread opened at `school` (after merges, the survivor)."""
    last = (
        Case.objects.filter(school=school, tips__reporter=reporter)
        .order_by("-created_at", "-id")
        .first()
    )
    return case_surviving(last) if last else None


def district_schools(district: District) -> list[School]:
    return list(district.schools.filter(is_active=True).order_by("name", "id"))


def sms_inbound_receive(*, params: Mapping[str, str]) -> InboundResult:
    """Handle one inbound Twilio message (form parameters of the webhook)."""
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    sender = (params.get("From") or "").strip()
    to = (params.get("To") or "").strip()
    if not (sid and sender and to):
        return InboundResult("malformed")
    # The cache claim stops two concurrent deliveries of one message; the database check
    # catches replays after the cache forgot. A failure releases the claim so Twilio's retry
    # is processed, not swallowed.
    if not _sid_claim(sid) or _sid_stored(sid):
        return InboundResult("replay")
    try:
        return _receive(sid=sid, sender=sender, to=to, params=params)
    except IntegrityError:
        # The same MessageSid committed by a concurrent request: a replay.
        return InboundResult("replay")
    except Exception:
        _sid_release(sid)
        raise


def school_default_language(school: School | None) -> str:
    """What a text too short to tell is labelled: Spanish where the school's automatic
    replies include Spanish, else English."""
    return SPANISH if school is not None and school.replies_in_spanish else ENGLISH


def reply_language(*, detected: str | None, reporter: Reporter, school: School | None) -> str:
    """The language of an automatic reply: the text's, else the thread's (a Spanish thread
    stays Spanish), else the school's default: both languages where it replies in Spanish."""
    if detected:
        return detected
    if reporter.language == SPANISH:
        return SPANISH
    return BILINGUAL if school is not None and school.replies_in_spanish else ENGLISH


def _receive(*, sid: str, sender: str, to: str, params: Mapping[str, str]) -> InboundResult:
    phone = PhoneNumber.objects.select_related("school", "district").filter(number=to).first()
    if phone is None or (phone.school_id and not phone.school.is_active):
        return InboundResult("unknown_number")
    now = timezone.now()
    reporter = reporter_for_phone(number=sender)
    body = (params.get("Body") or "").strip()
    media_urls = _media_urls(params)
    flood = _flooding(reporter)
    school = phone.school
    if school is None and reporter.selected_school_id:
        chosen = reporter.selected_school
        if chosen.district_id == phone.district_id and chosen.is_active:
            school = chosen

    match = None
    if not media_urls:
        match = keywords.keyword_of(body, opt_out_type=params.get("OptOutType") or "")
    if match is not None and match.conversational and reporter.opted_out_at is None:
        match = None  # "yes" answering a counselor's question is a message, not a keyword
    if match is not None:
        return _keyword(
            match=match,
            reporter=reporter,
            school=school,
            phone=phone,
            sid=sid,
            flood=flood,
            now=now,
        )
    detected = language_of(body)
    if detected and detected != reporter.language:
        Reporter.objects.filter(id=reporter.id).update(language=detected)
    if school is None:
        return _district_menu(
            reporter=reporter,
            phone=phone,
            sid=sid,
            body=body,
            media_urls=media_urls,
            flood=flood,
            detected=detected,
        )
    reporter.language = detected or reporter.language
    return _deliver(
        reporter=reporter, school=school, sid=sid, body=body, media_urls=media_urls, flood=flood
    )


@transaction.atomic
def _deliver(
    *,
    reporter: Reporter,
    school: School,
    sid: str,
    body: str,
    media_urls: list[str],
    flood: bool,
) -> InboundResult:
    """Join the thread's open case, or open a new one (linked to a closed predecessor)."""
    text = body or PHOTO_ONLY_BODY
    case = thread_case(reporter=reporter, school=school)
    if case is not None and case.is_open:
        message = message_from_reporter(
            case=case,
            reporter=reporter,
            body=text,
            channel=Channel.SMS,
            provider_sid=sid,
            flagged=flood,
        )
        if flood:
            Case.objects.filter(id=message.case_id).update(needs_review=True)
        _queue_media(media_urls, message_id=message.id)
        return InboundResult("flooded" if flood else "joined")

    detected = language_of(body)
    tip = tip_create(
        school=school,
        channel=Channel.SMS,
        category=Category.OTHER,
        body=text,
        reporter=reporter,
        language=detected or school_default_language(school),
        provider_sid=sid,
        needs_review=flood,
    )
    Reporter.objects.filter(id=reporter.id).update(last_contact_at=timezone.now())
    if case is not None:
        tip.case.related_cases.add(case)
        case_event_record(case=tip.case, kind=CaseEvent.Kind.LINKED, related_case_id=case.id)
        case_event_record(case=case, kind=CaseEvent.Kind.LINKED, related_case_id=tip.case_id)
    _queue_media(media_urls, tip_id=tip.id)
    # A flood is stored and marked, without an answer each time; but a tip about danger (its
    # text read as imminent harm: the case is life safety) still gets its reference.
    if reporter.opted_out_at or (flood and not tip.case.is_life_safety):
        return InboundResult("new_case")
    reply = keywords.text_new_case(
        school_name=school.name,
        reference=tip.case.reference,
        language=reply_language(detected=detected, reporter=reporter, school=school),
        life_safety=tip.case.is_life_safety,
    )
    return InboundResult("new_case", [reply])


def _queue_media(media_urls: list[str], *, tip_id: int | None = None, message_id=None) -> None:
    if not media_urls:
        return
    queue_after_commit(
        "tipline.sms_media_fetch",
        what="an MMS media fetch",
        tip_id=tip_id,
        message_id=message_id,
        media_urls=media_urls,
    )


@transaction.atomic
def _keyword(*, match: KeywordMatch, reporter, school, phone, sid, flood, now) -> InboundResult:
    """Opt-out words opt the thread out, opt-in words (and YES/SI while opted out) back in,
    help words get the help text; answered once, in the keyword's language.

    The thread's latest case at the school (open or closed) records it as an event, so
    staff see why texts stopped; nothing is stored as a message. The thread claims the
    MessageSid first (a conditional update, so of two concurrent copies one waits and finds
    it taken): a replay records and answers nothing, with or without the cache.
    """
    claimed = (
        Reporter.objects.filter(id=reporter.id)
        .exclude(last_keyword_sid=sid)
        .update(last_keyword_sid=sid)
    )
    if not claimed:
        return InboundResult("replay")
    case = thread_case(reporter=reporter, school=school) if school else None
    name = school.name if school else phone.district.name
    language = match.language or reply_language(detected=None, reporter=reporter, school=school)
    if match.keyword is Keyword.OPT_OUT:
        Reporter.objects.filter(id=reporter.id, opted_out_at__isnull=True).update(opted_out_at=now)
        reply = keywords.text_opted_out(school_name=name, language=language)
    elif match.keyword is Keyword.OPT_IN:
        Reporter.objects.filter(id=reporter.id).update(opted_out_at=None)
        reply = keywords.text_opted_in(school_name=name, language=language)
    else:
        reply = keywords.text_help(school_name=name, language=language)
    if case is not None:
        case_event_record(
            case=case,
            kind=CaseEvent.Kind.SMS_KEYWORD,
            keyword=match.keyword.value,
            word=match.word,
            language=match.language,
            alias=reporter.alias,
        )
    # Carriers expect every keyword answered, once; a flood of keywords gets no storm.
    return InboundResult(f"keyword_{match.keyword.value}", [] if flood else [reply])


@transaction.atomic
def _district_menu(
    *, reporter, phone, sid, body, media_urls, flood, detected: str | None
) -> InboundResult:
    """A district-wide number: keep texts until the tipster names a school (its number in
    the menu, or its name); say how to answer when a text does not tell."""
    schools = district_schools(phone.district)
    school = menu_answer(body, schools) if not media_urls else None
    if school is not None:
        Reporter.objects.filter(id=reporter.id).update(selected_school=school)
        reporter.selected_school = school
        return _pending_deliver(reporter=reporter, school=school, flood=flood)
    asked_before = SmsPendingText.objects.filter(reporter=reporter).exists()
    SmsPendingText.objects.create(
        reporter=reporter, body=body, provider_sid=sid, media_urls=media_urls
    )
    if reporter.opted_out_at or flood:
        return InboundResult("awaiting_school")
    menu = keywords.text_school_menu(
        district_name=phone.district.name,
        school_names=[school.name for school in schools],
        language=detected or reporter.language,
        unclear=asked_before,
    )
    return InboundResult("awaiting_school", [menu])


def _pending_deliver(*, reporter: Reporter, school: School, flood: bool) -> InboundResult:
    """Move the texts kept before the menu answer into the chosen school's thread."""
    replies: list[str] = []
    for pending in SmsPendingText.objects.filter(reporter=reporter).select_for_update():
        provider_sid, pending_body, pending_media = (
            pending.provider_sid,
            pending.body,
            pending.media_urls,
        )
        pending.delete()
        result = _deliver(
            reporter=reporter,
            school=school,
            sid=provider_sid,
            body=pending_body,
            media_urls=pending_media,
            flood=flood,
        )
        replies.extend(result.replies)
    if not replies and not (reporter.opted_out_at or flood):
        replies.append(
            keywords.text_school_chosen(school_name=school.name, language=reporter.language)
        )
    return InboundResult("school_chosen", replies)
