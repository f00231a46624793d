"""Staff notices by SMS and email: every attempt is a Notice row, claimed before it is sent.

Privacy: a notice says that something needs attention at a school and carries a link that
needs login; never tip content, category or the tipster's words.

Rows are written two ways:
- queued: the counselors' emails about a new case or a tipster's reply
  (`case_news_notices_write`) are PENDING rows written in the transaction that stores the tip
  or the reply; `notices_send_later` queues `cases.notices_send` after commit, and the outbox
  sweep (cases/services/outbox.py) queues again whatever the broker lost.
- claimed: the call-down, escalations and the digest insert their rows already SENDING under
  a fresh claim token (`notices_claim`) and send them at once; only rows carrying this run's
  token are sent by it, so a second run (a duplicate task, a sweep racing a countdown)
  inserts nothing and sends nothing.

Each row holds its own subject and text, so any row can be (re)sent by `notices_send`.
They are written in the RECIPIENT's language (accounts.language: their preference, else the
site's default), whoever or whatever caused the notice: a Spanish tip, or a counselor working
in Spanish, never makes an English speaker's notice Spanish. A text is given as a function
rendered once per language among the recipients (`notices_claim`, `case_news_notices_write`).

Exactly once: a row is sent only by whoever moved it to SENDING, by a conditional update or
by the insert itself. A SENDING row whose lease (`claimed_until`) ran out belonged to a worker
that died before the provider answered: `notices_reclaim_stale` takes it over. Leases count
from the real clock (`lease_until`), and a run renews its lease just before the hand-off
(`notice_send`), so a run that was merely slow (a long sweep) finds the row taken over and
sends nothing. What no lease can close is a worker killed between the provider's answer and
recording it: the row is sent again, at least once rather than never; an email keeps its
Message-ID (`notice_message_id`) so mail systems show the copy once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.language import language_of, language_or_default
from accounts.models import Membership, Role
from accounts.public_address import public_url
from cases.models import Case, Notice, Priority

from .. import sla_arithmetic as sla
from ..queueing import queue_after_commit
from ..sms_transport import SendFailure, SmsBackend, sms_backend

logger = logging.getLogger(__name__)

SEND_TASK = "cases.notices_send"
NEWS_SUBJECTS = {
    Notice.Reason.NEW_TIP: _("New tip for %(school)s"),
    Notice.Reason.REPLY: _("A tipster answered on a case at %(school)s"),
    Notice.Reason.PARTNER_NOTE: _("A partner added a note on a case at %(school)s"),
}
NEWS_TEXT = _(
    "There is something new on a case at %(school)s.\n\n"
    "Sign in to read it: %(link)s\n\n"
    "For the tipster's privacy this email holds no details of the tip."
)


@dataclass(frozen=True)
class NoticeText:
    subject: str
    text: str  # the SMS text and the email body: no tip content, ever


@dataclass(frozen=True)
class Target:
    recipient_id: int
    via: str
    address: str
    language: str = field(default=settings.LANGUAGE_CODE)


# A notice's words: fixed, or rendered in each recipient's language (a function called with
# that language active).
TextSource = NoticeText | Callable[[], NoticeText]


class TextsByLanguage:
    """Render a TextSource once per language asked for, with that language active."""

    def __init__(self, source: TextSource):
        self.source = source
        self.rendered: dict[str, NoticeText] = {}

    def __call__(self, language: str) -> NoticeText:
        if isinstance(self.source, NoticeText):
            return self.source
        if language not in self.rendered:
            with translation.override(language):
                self.rendered[language] = self.source()
        return self.rendered[language]


class SendOutcome(Enum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"  # a queued notice hit a transient error: PENDING again, due later
    TAKEN_OVER = "taken over"  # the lease ran out and another run took the row: not sent here


def staff_link(path: str) -> str:
    return public_url(path)


def case_url(case_id: int) -> str:
    try:
        return staff_link(reverse("tipline:case_detail", args=[case_id]))
    except NoReverseMatch:
        return staff_link(f"/staff/cases/{case_id}/")


def case_list_url() -> str:
    try:
        return staff_link(reverse("tipline:case_list"))
    except NoReverseMatch:
        return staff_link("/staff/cases/")


def alert_feed_url() -> str:
    try:
        return staff_link(reverse("alerts:feed"))
    except NoReverseMatch:
        return staff_link("/alerts/")


def claim_lease() -> timedelta:
    """How long a SENDING row stays its worker's: longer than the task time limit."""
    return timedelta(seconds=settings.NOTICE_CLAIM_LEASE_SECONDS)


def lease_until(now: datetime) -> datetime:
    """The end of a lease taken now. `now` is the caller's logical time (a sweep passes the
    moment it started to every case it walks); a lease counts from the real clock when that is
    later, or a long sweep would hand out leases that have already run out."""
    return max(now, timezone.now()) + claim_lease()


def overdue_after() -> timedelta:
    """How long a queued row may wait for its task before the sweep queues it again."""
    return timedelta(seconds=settings.OUTBOX_OVERDUE_SECONDS)


def retry_delay(attempts: int) -> timedelta:
    """The wait before a row's next hand-over: doubling with each one, at most 32 times."""
    return overdue_after() * 2 ** min(max(attempts - 1, 0), 5)


def targets_for(users: Iterable) -> list[Target]:
    """SMS to the user's mobile number (when set) and email, for each active user, each in
    the user's own language."""
    targets = []
    for user in users:
        if not user.is_active:
            continue
        language = language_of(user)
        if user.phone_number:
            targets.append(Target(user.id, Notice.Via.SMS, user.phone_number, language))
        if user.email:
            targets.append(Target(user.id, Notice.Via.EMAIL, user.email, language))
    return targets


# --- Queued notices: counselors hear about a new case or a tipster's reply -----------------


def new_case_notice_is_immediate(*, case: Case, now: datetime | None = None) -> bool:
    """Whether a new-case notice may go out now: life-safety always; others only in the
    school's hours (they wait for the morning digest otherwise)."""
    now = now or timezone.now()
    if case.priority == Priority.LIFE_SAFETY:
        return True
    return sla.is_school_hours(now, sla.SchoolHours.of(case.school))


def case_news_notices_write(
    *, case: Case, reason: str, ref: int = 0, now: datetime | None = None
) -> list[int]:
    """One email row per active counselor of the case's school; returns the ids to send.

    Call it in the transaction that stores the tip or reply. A routine new case outside the
    school's hours is written HELD (the morning digest tells them) and returns no ids. One
    SELECT and one INSERT, whatever the number of counselors.
    """
    now = now or timezone.now()
    held = (
        reason == Notice.Reason.NEW_TIP
        and settings.TIPLINE_HOLD_ROUTINE_NOTICES_AFTER_HOURS
        and not new_case_notice_is_immediate(case=case, now=now)
    )
    counselors = Membership.objects.filter(
        school_id=case.school_id, role=Role.COUNSELOR, user__is_active=True
    ).values_list("user_id", "user__language")
    school = case.school.name
    link = case_url(case.id)
    texts = TextsByLanguage(
        lambda: NoticeText(
            subject=NEWS_SUBJECTS[reason] % {"school": school},
            text=NEWS_TEXT % {"school": school, "link": link},
        )
    )
    rows = Notice.objects.bulk_create(
        [
            Notice(
                reason=reason,
                school_id=case.school_id,
                case_id=case.id,
                ref=ref,
                subject=texts(language_or_default(language)).subject,
                text=texts(language_or_default(language)).text,
                via=Notice.Via.EMAIL,
                recipient_id=user_id,
                status=Notice.Status.HELD if held else Notice.Status.PENDING,
                # Handed to the broker after commit: the sweep leaves it alone until then.
                attempts=0 if held else 1,
                claimed_until=None if held else now + overdue_after(),
                created_at=now,
            )
            for user_id, language in counselors
        ]
    )
    return [] if held else [row.id for row in rows]


def notices_send_later(*, notice_ids: list[int], case_id: int | None = None) -> None:
    """Queue `cases.notices_send` once the transaction commits (the rows are the guarantee
    if the broker is down: the outbox sweep finds them)."""
    if notice_ids:
        queue_after_commit(SEND_TASK, notice_ids, what="the counselor notices", case_id=case_id)


def notices_send(*, notice_ids: list[int], now: datetime | None = None) -> int:
    """Send the queued notices among `notice_ids` that nobody else has claimed; returns how
    many went out. Safe to run any number of times and concurrently: each row is claimed
    PENDING -> SENDING by a conditional update before it is sent."""
    now = now or timezone.now()
    sent = 0
    for notice_id in notice_ids:
        token = uuid.uuid4().hex
        claimed = Notice.objects.filter(id=notice_id, status=Notice.Status.PENDING).update(
            status=Notice.Status.SENDING, claim_token=token, claimed_until=lease_until(now)
        )
        if not claimed:
            continue
        notice = Notice.objects.select_related("recipient").get(id=notice_id)
        sent += notice_send(notice=notice, retry_transient=True) is SendOutcome.SENT
    return sent


# --- Claimed notices: call-down, escalations, digests -------------------------------------


def notices_claim(
    *,
    reason: str,
    school_id: int,
    text: TextSource,
    targets: list[Target],
    case_id: int | None = None,
    ref: int = 0,
    digest_date: date | None = None,
    now: datetime | None = None,
) -> list[Notice]:
    """Insert SENDING rows for targets not already notified; return the rows this run owns.
    `text`: one NoticeText for all, or a function rendered in each target's language."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    texts = TextsByLanguage(text)
    Notice.objects.bulk_create(
        [
            Notice(
                reason=reason,
                school_id=school_id,
                case_id=case_id,
                ref=ref,
                via=target.via,
                recipient_id=target.recipient_id,
                digest_date=digest_date,
                subject=texts(target.language).subject[:200],
                text=texts(target.language).text,
                status=Notice.Status.SENDING,
                claim_token=token,
                claimed_until=lease_until(now),
                attempts=1,
                created_at=now,
            )
            for target in targets
        ],
        ignore_conflicts=True,
    )
    return list(
        Notice.objects.filter(claim_token=token, status=Notice.Status.SENDING).select_related(
            "recipient"
        )
    )


def notices_reclaim_stale(*, queryset, now: datetime | None = None) -> list[Notice]:
    """Take over SENDING rows whose lease ran out (their worker died before sending)."""
    now = now or timezone.now()
    mine = []
    stale = queryset.filter(status=Notice.Status.SENDING, claimed_until__lt=now)
    for row in stale:
        token = uuid.uuid4().hex
        taken = Notice.objects.filter(
            id=row.id, status=Notice.Status.SENDING, claim_token=row.claim_token
        ).update(claim_token=token, claimed_until=lease_until(now), attempts=F("attempts") + 1)
        if taken:
            mine.append(Notice.objects.select_related("recipient").get(id=row.id))
    return mine


def _lease_renewed(notice: Notice) -> bool:
    """Renew this run's lease on the row just before the hand-off, if it is still this run's.
    A row is handed to the provider only by a run holding a lease that has just been renewed,
    so a run whose lease ran out and was taken over never sends it a second time."""
    return bool(
        Notice.objects.filter(
            id=notice.id, claim_token=notice.claim_token, status=Notice.Status.SENDING
        ).update(claimed_until=timezone.now() + claim_lease())
    )


def notice_message_id(notice: Notice) -> str:
    """One Message-ID per notice row, the same on every attempt: if a worker dies between the
    SMTP hand-off and recording it, the copy sent again is the same message to mail systems,
    which show it once."""
    host = urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"
    return f"<notice-{notice.id}@{host}>"


def notice_send(
    *,
    notice: Notice,
    backend: SmsBackend | None = None,
    retry_transient: bool = False,
) -> SendOutcome:
    """Send one row this run claimed and record the result on it.

    A refusal (no mobile number, opted out) fails the row. Other errors (SMTP, network) fail
    it too, except with `retry_transient`, where the row goes back to PENDING, due again
    after a growing delay, until OUTBOX_MAX_ATTEMPTS attempts have failed.
    """
    if not _lease_renewed(notice):
        # This run's lease ran out before it got here (a long sweep, a stalled worker) and
        # another run took the row over: that run sends it, this one must not.
        logger.info("staff notice taken over", extra={"notice_id": notice.id})
        return SendOutcome.TAKEN_OVER
    recipient = notice.recipient
    provider_id = ""
    error = ""
    transient = False
    try:
        if notice.via == Notice.Via.SMS:
            if not recipient.phone_number:
                raise SendFailure(
                    reason="No mobile number", code=None, transient=False, opted_out=False
                )
            sent = (backend or sms_backend()).send(
                to=recipient.phone_number,
                body=notice.text,
                status_callback="",
                from_number=settings.TWILIO_FROM_NUMBER,
            )
            provider_id = sent.sid
        else:
            EmailMessage(
                subject=notice.subject,
                body=notice.text,
                to=[recipient.email],
                headers={"Message-ID": notice_message_id(notice)},
            ).send()
    except SendFailure as failure:
        error, transient = failure.reason, failure.transient
    except Exception as failure:  # SMTP and network errors: recorded, never raised
        error, transient = type(failure).__name__, True
        logger.warning(
            "staff notice failed",
            extra={"notice_id": notice.id, "via": notice.via, "error": error},
        )
    now = timezone.now()
    mine = Notice.objects.filter(
        id=notice.id, claim_token=notice.claim_token, status=Notice.Status.SENDING
    )
    if not error:
        outcome, changes = SendOutcome.SENT, {"status": Notice.Status.SENT, "sent_at": now}
    elif retry_transient and transient and notice.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        due = now + retry_delay(notice.attempts)
        changes = {"status": Notice.Status.PENDING, "claimed_until": due}
        outcome = SendOutcome.RETRY
    else:
        outcome, changes = SendOutcome.FAILED, {"status": Notice.Status.FAILED}
    mine.update(**changes, provider_id=provider_id[:64], error=error[:200])
    notice.status, notice.error = changes["status"], error[:200]
    return outcome


# --- Social-post alerts: paged with a link, never the post ---------------------------------

ALERT_SUBJECT = _("Critical alert for %(school)s")
ALERT_TEXT = _("A critical social-post alert needs review at %(school)s: %(link)s")
HIGH_ALERT_SUBJECT = _("High alert for %(school)s")
HIGH_ALERT_TEXT = _("A high social-post alert needs review at %(school)s: %(link)s")


@dataclass(frozen=True)
class AlertPage:
    """Who to page about one alert (`ref`), at which school, with which link.

    critical: SMS and email to each of `users` (the on-call list), at any hour. high: email
    to each of `users` (the counselors), written HELD when `held` (outside school hours:
    the morning digest counts it instead)."""

    school_id: int
    school_name: str
    alert_id: int
    link: str
    users: tuple = ()
    critical: bool = True
    held: bool = False

    def rows(self, now: datetime) -> list[Notice]:
        subject, text = (
            (ALERT_SUBJECT, ALERT_TEXT) if self.critical else (HIGH_ALERT_SUBJECT, HIGH_ALERT_TEXT)
        )
        targets = targets_for(self.users)
        if not self.critical:
            targets = [target for target in targets if target.via == Notice.Via.EMAIL]
        texts = TextsByLanguage(
            lambda: NoticeText(
                subject=subject % {"school": self.school_name},
                text=text % {"school": self.school_name, "link": self.link},
            )
        )
        return [
            Notice(
                reason=Notice.Reason.ALERT,
                school_id=self.school_id,
                ref=self.alert_id,
                subject=texts(target.language).subject,
                text=texts(target.language).text,
                via=target.via,
                recipient_id=target.recipient_id,
                status=Notice.Status.HELD if self.held else Notice.Status.PENDING,
                attempts=0 if self.held else 1,
                claimed_until=None if self.held else now + overdue_after(),
                created_at=now,
            )
            for target in targets
        ]


def alert_notices_write(*, pages: Iterable[AlertPage], now: datetime | None = None) -> list[int]:
    """The rows of every page of `pages` (AlertPage.rows), in one INSERT; returns the ids to
    send after commit (held rows are not among them). A second writer inserts nothing."""
    now = now or timezone.now()
    pages = list(pages)
    Notice.objects.bulk_create(
        [row for page in pages for row in page.rows(now)], ignore_conflicts=True
    )
    # ignore_conflicts leaves the ids unset: the rows this writer inserted carry its `now`.
    return list(
        Notice.objects.filter(
            reason=Notice.Reason.ALERT,
            ref__in=[p.alert_id for p in pages],
            created_at=now,
            status=Notice.Status.PENDING,
        ).values_list("id", flat=True)
    )


def held_alerts_count(*, school_id: int, since: datetime, until: datetime) -> int:
    """How many alerts of the school were held for the morning digest between the two
    moments (each counts once, however many counselors it was held for)."""
    return (
        Notice.objects.filter(
            reason=Notice.Reason.ALERT,
            status=Notice.Status.HELD,
            school_id=school_id,
            created_at__gte=since,
            created_at__lt=until,
        )
        .values("ref")
        .distinct()
        .count()
    )
