"""A year of made-up history for the demo district, so that its summaries have something to
show: every month, at each demo school, cases across every category, both channels and all
three priorities, with response times, some missed deadlines, outcomes and two-way dialogue.

No text: cases carry no tip, and the few message rows the dialogue figure counts hold a
placeholder, never words a tipster could have written. Deterministic (one seeded random
generator, dates counted back from `today`), written with bulk_create (a few thousand rows in
about a second), and idempotent: the history is recognised by its references (DEMO-...) and
written once. Every history case is closed, so the counselors' queues stay the live demo's.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from accounts.models import School
from cases import sla_arithmetic as sla
from cases.models import Case, CaseStatus, CaseTag, Category, Channel, Outcome, Priority
from tipline.models import Message, MessageDirection

REFERENCE_PREFIX = "DEMO-"
SEED = 16
MONTHS = 12
# Per school and month, each category gets at least this many cases (the default small-cell
# threshold is 5), plus a random few; the commoner ones get more.
FLOOR = 6
EXTRA = {
    Category.BULLYING: 10,
    Category.MENTAL_HEALTH: 6,
    Category.SUBSTANCES: 5,
    Category.SELF_HARM: 4,
    Category.THREAT: 3,
}
PLACEHOLDER = "(demo history: no text)"
OUTCOMES = (
    (Outcome.COUNSELING_REFERRAL, 30),
    (Outcome.GUARDIAN_CONTACTED, 20),
    (Outcome.SAFETY_PLAN, 12),
    (Outcome.WELFARE_CHECK, 10),
    (Outcome.DISCIPLINE, 8),
    (Outcome.UNFOUNDED, 8),
    (Outcome.DUPLICATE, 6),
    (Outcome.LAW_ENFORCEMENT, 4),
    (Outcome.FALSE_REPORT, 2),
)
LIFE_SAFETY = frozenset({Category.SELF_HARM, Category.THREAT, Category.WEAPON})


def _month_starts(today: date) -> list[date]:
    """The MONTHS before `today`'s month, then its own (filled up to yesterday), so that the
    summaries' default period, the current month, has figures too."""
    first = today.replace(day=1)
    months = []
    for back in range(MONTHS, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(date(index // 12, index % 12 + 1, 1))
    return months


def _priority(rng: random.Random, category: str) -> int:
    if category in LIFE_SAFETY and rng.random() < 0.9:
        return Priority.LIFE_SAFETY
    return Priority.URGENT if rng.random() < 0.3 else Priority.ROUTINE


def _outcomes(rng: random.Random, count: int) -> list[str]:
    """`count` outcomes for one school's month: each at least FLOOR times (so that even
    false reports show as a number), the rest drawn by weight, in shuffled order."""
    pool = [outcome for outcome, _ in OUTCOMES for _ in range(FLOOR)]
    pool += rng.choices(
        [o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES], k=max(0, count - len(pool))
    )
    rng.shuffle(pool)
    return pool[:count]


# Channels in turn, case after case: most tips come by the web form, then texts; some by
# phone, some taken by staff. In turn rather than drawn, so that every channel clears the
# small-cell threshold in every full month.
CHANNEL_TURNS = (
    *(Channel.WEB,) * 10,
    *(Channel.SMS,) * 6,
    *(Channel.VOICE,) * 2,
    *(Channel.STAFF,) * 2,
)


def _case(
    rng: random.Random,
    school: School,
    category: str,
    opened: datetime,
    ref: str,
    outcome: str,
    channel: str,
):
    priority = _priority(rng, category)
    due = sla.due_times(
        opened_at=opened,
        priority=priority,
        targets=sla.SlaTargets(),
        hours=sla.SchoolHours.of(school),
    )
    # About half acknowledged inside the five minutes a life-safety case gets.
    acknowledged = opened + timedelta(minutes=rng.choice((1, 2, 3, 4, 4, 6, 8, 12, 20, 45)))
    if priority == Priority.LIFE_SAFETY:
        first_response = opened + timedelta(minutes=rng.randint(10, 300))
    elif priority == Priority.URGENT:
        first_response = opened + timedelta(minutes=rng.randint(30, 420))
    else:
        first_response = opened + timedelta(hours=rng.randint(2, 40))
    resolved = first_response + timedelta(hours=rng.randint(4, 240))
    return Case(
        school=school,
        reference=ref,
        status=CaseStatus.CLOSED,
        priority=priority,
        category=category,
        channel=channel,
        created_at=opened,
        acknowledged_at=acknowledged,
        first_response_at=first_response,
        resolved_at=resolved,
        closed_at=resolved + timedelta(hours=rng.randint(0, 48)),
        acknowledge_due_at=due.acknowledge_due_at,
        first_response_due_at=due.first_response_due_at,
        outcome=outcome,
    )


def _closed_before(case: Case, cutoff: datetime) -> Case:
    """The case with its timeline squeezed, in proportion, to close a minute before `cutoff`
    when it would close later. Dropped instead, the last days before `cutoff` would keep only
    their quickest cases: on the first of a month the month before would show cells under the
    small-cell threshold."""
    if case.closed_at < cutoff:
        return case
    opened = case.created_at
    factor = (cutoff - timedelta(minutes=1) - opened) / (case.closed_at - opened)
    for name in ("acknowledged_at", "first_response_at", "resolved_at", "closed_at"):
        setattr(case, name, opened + (getattr(case, name) - opened) * factor)
    return case


def demo_history_exists(schools) -> bool:
    return Case.objects.filter(school__in=schools, reference__startswith=REFERENCE_PREFIX).exists()


@transaction.atomic
def demo_history_seed(*, schools: list[School], today: date | None = None) -> int:
    """Write the year before `today` and its month up to yesterday (default: each school's
    local today) for `schools`;
    returns the number of cases written (0 when the history is there already)."""
    if demo_history_exists(schools):
        return 0
    rng = random.Random(SEED)  # noqa: S311 - made-up demo figures, not secrets
    cases: list[Case] = []
    for school_number, school in enumerate(sorted(schools, key=lambda s: s.slug), 1):
        zone = ZoneInfo(school.timezone)
        local_today = today or datetime.now(zone).date()
        # Nothing reaches today: every history case is closed before the live demo starts.
        cutoff = datetime.combine(local_today, time(0), tzinfo=zone)
        for month in _month_starts(local_today):
            days = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - month
            # The current month is filled in proportion to the days gone by.
            elapsed = min(days.days, (local_today - month).days)
            if elapsed <= 0:
                continue
            share = elapsed / days.days
            month_cases = []
            for category in Category.values:
                count = FLOOR + EXTRA.get(category, 0) + rng.randint(0, 4)
                for _ in range(round(count * share)):
                    day = month + timedelta(days=rng.randrange(elapsed))
                    at = time(rng.randint(6, 22), rng.randrange(60))
                    month_cases.append((category, datetime.combine(day, at, tzinfo=zone)))
            for index, ((category, opened), outcome) in enumerate(
                zip(month_cases, _outcomes(rng, len(month_cases)), strict=True)
            ):
                ref = f"{REFERENCE_PREFIX}{school_number}-{len(cases) + 1:05d}"
                channel = CHANNEL_TURNS[index % len(CHANNEL_TURNS)]
                case = _case(rng, school, category, opened, ref, outcome, channel)
                cases.append(_closed_before(case, cutoff))
    Case.objects.bulk_create(cases, batch_size=500)
    CaseTag.objects.bulk_create(
        [CaseTag(case=case, category=case.category) for case in cases], batch_size=500
    )
    messages = []
    for case in cases:
        messages.append(
            Message(
                case=case,
                direction=MessageDirection.TO_REPORTER,
                channel=case.channel,
                body=PLACEHOLDER,
                created_at=case.first_response_at,
            )
        )
        if rng.random() < 0.55:  # the tipster wrote back
            messages.append(
                Message(
                    case=case,
                    direction=MessageDirection.FROM_REPORTER,
                    channel=case.channel,
                    body=PLACEHOLDER,
                    created_at=case.first_response_at + timedelta(minutes=rng.randint(5, 600)),
                )
            )
    Message.objects.bulk_create(messages, batch_size=500)
    return len(cases)
