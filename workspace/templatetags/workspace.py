"""Template helpers of the counselor workspace: SLA clocks in the school's own time."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from alerts.web_urls import web_url_or_blank
from cases.priority_reasons import priority_reason_display
from tipline.voice.calls import VOICE_BODY

register = template.Library()


@register.filter
def tip_text(body: str) -> str:
    """A tip's text as written; a call's stand-in text in the reader's language."""
    return _(VOICE_BODY) if body == VOICE_BODY else body


@register.filter
def priority_reason(stored: str) -> str:
    """A case's stored priority reason, said in the reader's language."""
    return priority_reason_display(stored or "")


def school_time(moment: datetime, school) -> str:
    """An absolute time on the school's wall clock, with its zone abbreviation."""
    local = moment.astimezone(school.tzinfo)
    return f"{date_format(local, 'D j M Y, H:i')} {local.tzname()}"


@register.simple_tag
def sla_clock(due_at, met_at, school, now=None):
    """A due time as a countdown ("in 3 hours"), its absolute time in the school's timezone,
    and an "overdue" badge once it has passed unmet. Empty when there is no deadline."""
    if due_at is None:
        return ""
    now = now or timezone.now()
    absolute = school_time(due_at, school)
    if met_at is not None:
        return format_html(
            '<span class="sla sla-met">{} <time datetime="{}" title="{}">{}</time></span>',
            _("met"),
            met_at.isoformat(),
            school_time(met_at, school),
            school_time(met_at, school),
        )
    if due_at <= now:
        return format_html(
            '<span class="sla sla-overdue"><span class="badge text-bg-danger">{}</span> '
            '<time datetime="{}" title="{}">{}</time> <span class="small">({})</span></span>',
            _("Overdue"),
            due_at.isoformat(),
            absolute,
            _("%(span)s ago") % {"span": timesince(due_at, now, depth=1)},
            absolute,
        )
    return format_html(
        '<span class="sla sla-due"><time datetime="{}" title="{}" data-countdown>{}</time> '
        '<span class="small">({})</span></span>',
        due_at.isoformat(),
        absolute,
        _("due in %(span)s") % {"span": timeuntil(due_at, now, depth=2)},
        absolute,
    )


@register.filter
def is_overdue(case, now=None) -> bool:
    """True when an open case has a deadline passed and unmet."""
    if not case.is_open:
        return False
    now = now or timezone.now()
    return bool(
        (case.acknowledge_due_at and not case.acknowledged_at and case.acknowledge_due_at < now)
        or (
            case.first_response_due_at
            and not case.first_response_at
            and case.first_response_due_at < now
        )
    )


@register.filter
def next_due(case):
    """The (due_at, met_at) pair that matters next: acknowledge first, then first response."""
    if case.acknowledge_due_at and not case.acknowledged_at:
        return case.acknowledge_due_at, None
    return case.first_response_due_at, case.first_response_at


@register.simple_tag
def case_next_clock(case):
    if not case.is_open:
        return ""
    due_at, met_at = next_due(case)
    return sla_clock(due_at, met_at, case.school)


@register.filter
def http_url(value) -> str:
    """The URL if it is an http(s) link (alerts.web_urls), else empty: a post's URL comes
    from outside and must never become a javascript: link."""
    return web_url_or_blank(value)
