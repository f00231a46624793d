"""Life-safety call-down and the morning digest.

A life-safety case that nobody has acknowledged notifies the school's on-call list
(accounts.OnCallContact, in position order), one contact per step, by SMS and email; each step
waits the district's `calldown_step_seconds` (default 5 minutes) before the next; after the
list, every district admin of the district at once. It stops as soon as someone acknowledges
(cases.services.workflow.case_acknowledge) or the case is no longer open.

Crash safety: the sequence's state is its Notice rows (reason CALLDOWN, `ref` the step).
`calldown_advance` is a pure function of (case, Notice rows, now): step k+1 becomes due `wait`
after step k's rows were claimed. A step is claimed by inserting its rows (unique per case,
step, channel, recipient) before anything is sent, so a duplicate run sends nothing; a row
whose worker died before sending is re-driven after its lease (cases.services.notices). The
next run is queued with a countdown, and `calldown_sweep` (beat) re-drives any sequence whose
countdown was lost.

Outside school hours only life-safety notices go out at once: routine and urgent new cases
opened then, and high social-post alerts raised then (held alert notice rows), are gathered
into each school's morning digest (`digest_send`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import (
    DistrictMembership,
    DistrictPolicy,
    Membership,
    OnCallContact,
    Role,
    School,
)
from accounts.policies import district_policy
from cases.models import OPEN_STATUSES, Case, Notice, Priority

from .. import sla_arithmetic as sla
from ..queueing import queue_after_commit
from .notices import (
    NoticeText,
    SendOutcome,
    TextSource,
    alert_feed_url,
    case_list_url,
    case_url,
    held_alerts_count,
    notice_send,
    notices_claim,
    notices_reclaim_stale,
    targets_for,
)

logger = logging.getLogger(__name__)

# Sequences older than this are not re-driven by the sweeper (the list is long exhausted).
SWEEP_HORIZON = timedelta(days=1)
# Each text is rendered in its recipient's language (cases.services.notices).
CALLDOWN_SUBJECT = _("LIFE SAFETY: a case at %(school)s needs someone now")
CALLDOWN_TEXT = _(
    "Tip line, life safety: a new case at %(school)s needs someone now. "
    "Sign in and acknowledge it: %(link)s"
)


def _digest_subject(*, count: int, alerts: int, school: str) -> str:
    if alerts:
        # Translators: the morning digest's subject when high alerts were raised overnight.
        return _(
            "Tip line: %(count)s new case(s) and %(alerts)s high alert(s) at %(school)s overnight"
        ) % {"count": count, "alerts": alerts, "school": school}
    return ngettext(
        "Tip line: %(count)s new case at %(school)s overnight",
        "Tip line: %(count)s new cases at %(school)s overnight",
        count,
    ) % {"count": count, "school": school}


def _digest_body(*, count: int, alerts: int, school: str, link: str, alerts_link: str) -> str:
    text = ngettext(
        "%(count)s new case arrived at %(school)s outside school hours. "
        "Sign in to see it: %(link)s",
        "%(count)s new cases arrived at %(school)s outside school hours. "
        "Sign in to see them: %(link)s",
        count,
    ) % {"count": count, "school": school, "link": link}
    text += "\n\n" + str(_("For the tipsters' privacy this email holds no details of the tips."))
    if alerts:
        text += "\n\n" + ngettext(
            "%(alerts)s high social-post alert was raised outside school hours. "
            "Sign in to review it: %(link)s",
            "%(alerts)s high social-post alerts were raised outside school hours. "
            "Sign in to review them: %(link)s",
            alerts,
        ) % {"alerts": alerts, "link": alerts_link}
    return text


@dataclass(frozen=True)
class CalldownStep:
    index: int
    users: list = field(default_factory=list)


def calldown_plan(case: Case) -> list[CalldownStep]:
    """The on-call contacts one by one, then the district admins together."""
    contacts = (
        OnCallContact.objects.filter(school_id=case.school_id, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("position")
    )
    steps = [CalldownStep(index, [contact.user]) for index, contact in enumerate(contacts)]
    admins = [
        membership.user
        for membership in DistrictMembership.objects.filter(
            district_id=case.school.district_id, role=Role.DISTRICT_ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("user__email")
    ]
    if admins:
        steps.append(CalldownStep(len(steps), admins))
    return steps


def calldown_is_active(case: Case) -> bool:
    return (
        case.priority == Priority.LIFE_SAFETY
        and case.status in OPEN_STATUSES
        and case.acknowledged_at is None
        and case.merged_into_id is None
        and case.purged_at is None
    )


def _send(rows: list[Notice], backend=None) -> None:
    """Each row records its own outcome (the case page lists them from there)."""
    for row in rows:
        notice_send(notice=row, backend=backend)


def calldown_text(case: Case) -> TextSource:
    """The call-down's words, rendered in each contact's own language."""
    school = case.school.name
    link = case_url(case.id)
    return lambda: NoticeText(
        subject=str(CALLDOWN_SUBJECT % {"school": school}),
        text=str(CALLDOWN_TEXT % {"school": school, "link": link}),
    )


def calldown_advance(*, case_id: int, now: datetime | None = None, backend=None) -> datetime | None:
    """Send whatever step of the case's call-down is due; return when to look again (None
    when the sequence is over: acknowledged, closed, or the list is exhausted)."""
    now = now or timezone.now()
    case = Case.objects.select_related("school__district").filter(id=case_id).first()
    if case is None or not calldown_is_active(case):
        return None
    notices = Notice.objects.filter(case=case, reason=Notice.Reason.CALLDOWN)
    _send(notices_reclaim_stale(queryset=notices, now=now), backend)

    wait = timedelta(seconds=district_policy(case.school.district_id).calldown_step_seconds)
    started = dict(notices.order_by().values_list("ref").annotate(started=Min("created_at")))
    plan = calldown_plan(case)
    if started:
        last = max(started)
        next_index, due = last + 1, started[last] + wait
    else:
        next_index, due = 0, now
    if next_index >= len(plan):
        if not plan:
            logger.warning("life-safety case with nobody to call", extra={"case_id": case.id})
        return None
    if now < due:
        return due
    rows = notices_claim(
        reason=Notice.Reason.CALLDOWN,
        school_id=case.school_id,
        case_id=case.id,
        ref=next_index,
        text=calldown_text(case),
        targets=targets_for(plan[next_index].users),
        now=now,
    )
    _send(rows, backend)
    return now + wait if next_index + 1 < len(plan) else None


def calldown_start_later(*, case_id: int) -> None:
    """Queue the first step after the current transaction commits (if the broker is down,
    the sweeper starts it within a minute; the case is committed either way)."""
    queue_after_commit("cases.calldown_advance", case_id, what="the call-down", case_id=case_id)


def _maybe_due(live, now: datetime):
    """The live call-downs that may have something to do now: no step yet, a step whose worker
    lost its lease, or a last step started at least the shortest step wait ago (no district
    waits less). A superset of what `calldown_advance` would act on, read in one query, so a
    sweep does not walk every live case's notices each time (a busy day holds hundreds)."""
    calldown = Notice.objects.filter(case=OuterRef("pk"), reason=Notice.Reason.CALLDOWN)
    waits = DistrictPolicy.objects.aggregate(shortest=Min("calldown_step_seconds"))["shortest"]
    default = DistrictPolicy._meta.get_field("calldown_step_seconds").get_default()
    shortest = timedelta(seconds=min(default, waits if waits is not None else default))
    last_started = calldown.order_by("-ref", "created_at").values("created_at")[:1]
    stale = calldown.filter(status=Notice.Status.SENDING, claimed_until__lt=now)
    return live.annotate(last_started=Subquery(last_started)).filter(
        Q(last_started__isnull=True) | Q(last_started__lte=now - shortest) | Exists(stale)
    )


def calldown_sweep(*, now: datetime | None = None, backend=None) -> int:
    """Advance every live call-down (recovers lost countdowns); returns how many sent or
    still wait. Without a given `now`, each case is advanced at the moment it is reached: a
    sweep over many cases takes a while."""
    given, now = now, now or timezone.now()
    live = Case.objects.filter(
        priority=Priority.LIFE_SAFETY,
        status__in=OPEN_STATUSES,
        acknowledged_at__isnull=True,
        merged_into__isnull=True,
        purged_at__isnull=True,
        created_at__gte=now - SWEEP_HORIZON,
    )
    pending = 0
    live = _maybe_due(live, now).values_list("id", flat=True)
    for case_id in live:
        pending += calldown_advance(case_id=case_id, now=given, backend=backend) is not None
    return pending


# --- The morning digest --------------------------------------------------------------------


def digest_window(*, school: School, now: datetime) -> tuple[datetime, datetime]:
    """From the last school day's end to this one's start: what nobody was told at once."""
    hours = sla.SchoolHours.of(school)
    today = now.astimezone(hours.tz).date()
    window_end = sla.local_moment(today, hours.day_starts_at, hours.tz)
    return sla.previous_school_day_end(window_end, hours), window_end


def digest_cases(*, school: School, now: datetime):
    """Open, non-life-safety cases opened in the digest window (digest_window)."""
    window_start, window_end = digest_window(school=school, now=now)
    return Case.objects.filter(
        school=school,
        status__in=OPEN_STATUSES,
        merged_into__isnull=True,
        created_at__gte=window_start,
        created_at__lt=window_end,
    ).exclude(priority=Priority.LIFE_SAFETY)


def digest_text(*, school: School, cases: int, alerts: int) -> TextSource:
    """What the digest says: counts and links, never a tip's or a post's words; rendered in
    each counselor's own language."""
    links = {"link": case_list_url(), "alerts_link": alert_feed_url()}
    return lambda: NoticeText(
        subject=_digest_subject(count=cases, alerts=alerts, school=school.name),
        text=_digest_body(count=cases, alerts=alerts, school=school.name, **links),
    )


def digest_send(*, now: datetime | None = None) -> int:
    """Email each school's counselors, once per school day, how many cases arrived and how
    many high alerts were raised outside hours. Runs every few minutes; sends for schools
    whose day has begun. Returns emails."""
    now = now or timezone.now()
    sent = 0
    for school in School.objects.filter(is_active=True):
        hours = sla.SchoolHours.of(school)
        if not sla.is_school_hours(now, hours):
            continue
        cases = digest_cases(school=school, now=now).count()
        since, until = digest_window(school=school, now=now)
        alerts = held_alerts_count(school_id=school.id, since=since, until=until)
        if not (cases or alerts):
            continue
        counselors = [
            membership.user
            for membership in Membership.objects.filter(
                school=school, role=Role.COUNSELOR, user__is_active=True
            ).select_related("user")
        ]
        rows = notices_claim(
            reason=Notice.Reason.DIGEST,
            school_id=school.id,
            digest_date=now.astimezone(hours.tz).date(),
            text=digest_text(school=school, cases=cases, alerts=alerts),
            targets=[t for t in targets_for(counselors) if t.via == Notice.Via.EMAIL],
            now=now,
        )
        for row in rows:
            sent += notice_send(notice=row) is SendOutcome.SENT
    return sent
