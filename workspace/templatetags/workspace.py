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
    if met_at is not None:
        met = school_time(met_at, school)
        return format_html(
            '<span class="sla sla-met">{} <time datetime="{}" title="{}">{}</time></span>',
            _("met"),
            met_at.isoformat(),
            met,
            met,
        )
    absolute = school_time(due_at, school)
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


@register.simple_tag
def queue_rows(cases, previews, tags):
    """The queue's rows, built here rather than in a template: fifty rows of template nodes
    cost more than everything else on the page together (bench/queue_pages.py). Labels are
    looked up once per page; every text is escaped by format_html."""
    from django.urls import reverse
    from django.utils.html import format_html_join
    from django.utils.safestring import mark_safe

    from cases.models import CaseStatus, Category, Channel, Priority

    now = timezone.now()
    priority_names = {value: Priority(value).name.lower() for value in Priority.values}
    # reverse() once per page, not twice per row.
    detail_url = reverse("tipline:case_detail", args=[0]).replace("/0/", "/{}/")
    ack_url = reverse("tipline:case_acknowledge", args=[0]).replace("/0/", "/{}/")
    categories = {value: str(label) for value, label in Category.choices}
    statuses = {value: str(label) for value, label in CaseStatus.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    unassigned = _("Unassigned")
    inferred_label = _("inferred from the text")
    flood = _("check: arrived in a flood")
    rows = []
    for case in cases:
        url = detail_url.format(case.id)
        preview = previews.get(case.id)
        category = categories.get(case.category, case.category)
        if preview is not None and preview.inferred_category:
            category_html = format_html(
                '<span class="category-inferred">{}</span> <span class="small text-body-secondary">'
                "({})</span>",
                categories[preview.inferred_category],
                inferred_label,
            )
        else:
            category_html = format_html("{}", category)
        tag_badges = format_html_join(
            " ",
            '<span class="badge text-bg-light border">{}</span>',
            ((categories.get(tag, tag),) for tag in tags.get(case.id, ())),
        )
        if case.priority == Priority.LIFE_SAFETY:
            priority = format_html('<span class="badge text-bg-danger">{}</span>', priorities[1])
        elif case.priority == Priority.URGENT:
            priority = format_html(
                '<span class="badge text-bg-warning">{}</span>', priorities[case.priority]
            )
        else:
            priority = priorities.get(case.priority, "")
        if case.assignee_id:
            # A queue row carries the name; a Case (the home page) its assignee.
            assignee = getattr(case, "assignee_name", None)
            if assignee is None:
                assignee = case.assignee.get_full_name() or case.assignee.email
        else:
            assignee = format_html('<span class="text-body-secondary">{}</span>', unassigned)
        due_at, met_at = next_due(case) if case.is_open else (None, None)
        rows.append(
            format_html(
                '<tr data-case-id="{id}" data-priority="{priority_name}" data-href="{url}"'
                ' data-ack-url="{ack}"{row_class}>'
                '<td><a href="{url}" class="fw-semibold case-link">{reference}</a>'
                '<span class="d-block small text-body-secondary">{channel}</span>{flood}</td>'
                "<td>{priority}</td><td>{status}</td>"
                '<td class="case-preview-cell">{preview}</td>'
                '<td class="d-none d-md-table-cell">{category} {tags}</td>'
                '<td class="d-none d-lg-table-cell">{school}</td>'
                '<td class="d-none d-md-table-cell">{assignee}</td>'
                "<td>{due}</td>"
                '<td class="d-none d-sm-table-cell"><time datetime="{created}">{age}</time></td>'
                "</tr>",
                id=case.id,
                priority_name=priority_names.get(case.priority, ""),
                url=url,
                ack=ack_url.format(case.id),
                row_class=mark_safe(' class="table-danger-subtle"')
                if case.priority == Priority.LIFE_SAFETY
                else "",
                reference=case.reference,
                channel=channels.get(case.channel, case.channel),
                flood=format_html(' <span class="badge text-bg-warning">{}</span>', flood)
                if case.needs_review
                else "",
                priority=priority,
                status=statuses.get(case.status, case.status),
                preview=format_html('<span class="case-preview">{}</span>', preview.text)
                if preview is not None
                else "",
                category=category_html,
                tags=tag_badges,
                school=case.school.name,
                assignee=assignee,
                due=sla_clock(due_at, met_at, case.school, now) if due_at else "",
                created=case.created_at.isoformat(),
                age=_("%(span)s ago") % {"span": timesince(case.created_at, now, depth=1)},
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every part went through format_html
