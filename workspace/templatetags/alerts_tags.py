"""Rendering helpers for the alert feed.

Post text is public but untrusted: `highlighted_post` escapes every piece of it and wraps
matched spans in <mark>, building the markup with format_html only (never |safe). Post URLs
become links only through `web_url` (http and https, nothing else).
"""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html, format_html_join

from alerts.web_urls import web_url_or_blank

register = template.Library()

CATEGORY_LABELS = {
    "violence": "violence",
    "weapons": "weapons",
    "self_harm": "self-harm",
    "bullying": "bullying",
}


def _spans(alert) -> list[tuple[int, int, str, str]]:
    length = len(alert.post.text)
    spans = []
    for match in alert.matches or ():
        start, end, category = match.get("start"), match.get("end"), match.get("category")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
            label = CATEGORY_LABELS.get(category, "match")
            spans.append((start, end, f"alert-match alert-match-{label}", label))
    for match in alert.school_matches or ():
        start, end = match.get("start"), match.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
            spans.append((start, end, "alert-school", "school"))
    spans.sort()
    kept, last_end = [], 0
    for span in spans:  # overlapping spans: the earlier one wins
        if span[0] >= last_end:
            kept.append(span)
            last_end = span[1]
    return kept


@register.simple_tag
def highlighted_post(alert):
    text = alert.post.text
    pieces, position = [], 0
    for start, end, css, label in _spans(alert):
        pieces.append(conditional_escape(text[position:start]))
        pieces.append(
            format_html('<mark class="{}" title="{}">{}</mark>', css, label, text[start:end])
        )
        position = end
    pieces.append(conditional_escape(text[position:]))
    return format_html_join("", "{}", ((piece,) for piece in pieces))


@register.simple_tag
def case_url(case) -> str:
    """The staff page of a case, when the case workspace is installed ('' otherwise)."""
    try:
        return reverse("tipline:case_detail", args=[case.pk])
    except NoReverseMatch:
        return ""


@register.filter
def web_url(value) -> str:
    """The post's URL when it is an http(s) link, else "": rows stored before URLs were
    checked at ingest may hold a javascript: address, which must never become a link."""
    return web_url_or_blank(value)


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value:.0%}"


@register.filter
def category_label(value) -> str:
    return CATEGORY_LABELS.get(value, str(value).replace("_", " "))


@register.simple_tag(takes_context=True)
def alert_cards(context, alerts, reasons):
    """The feed's cards, drawn here rather than by including _alert_card.html fifty times: the
    include was most of the feed's time (bench/queue_pages.py). The same markup as the
    template, up to whitespace between tags (tests/workspace/test_alert_cards.py compares
    both for every kind of card). Labels, URLs and the reason options are made once per page;
    every text from the database or a post is escaped where it is placed."""
    from html import escape

    from django.template.defaultfilters import capfirst, floatformat
    from django.utils.dates import MONTHS_3
    from django.utils.safestring import mark_safe
    from django.utils.timezone import localtime
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    def url_for(name):
        return escape(reverse(name, args=[0])).replace("/0/", "/{}/")

    escalate_url, dismiss_url = url_for("alerts:escalate"), url_for("alerts:dismiss")
    try:
        detail_url = url_for("tipline:case_detail")
    except NoReverseMatch:
        detail_url = ""
    token = context.get("csrf_token")
    csrf = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'
        if token and token != "NOTPROVIDED"  # noqa: S105 - Django's "no token" marker
        else ""
    )
    months = {month: str(name).title() for month, name in MONTHS_3.items()}
    options = "".join(
        f'<option value="{escape(str(value))}">{escape(str(label))}</option>'
        for value, label in reasons
    )
    select_label = escape(_("Select for bulk dismissal"))
    unknown_author = _("unknown author")
    original = escape(_("Original post"))
    why = escape(_("Why:"))
    score = escape(_("score"))
    escalate, dismiss, reason = escape(_("Escalate")), escape(_("Dismiss")), escape(_("Reason"))
    escalated, dismissed = escape(_("Escalated")), escape(_("Dismissed"))
    to, by = escape(_("to")), escape(_("by"))
    second_reading = escape(_("Second reading:"))
    second_notes = {
        "not_confirmed": escape(_("no one was paged")),
        "unavailable": escape(_("the first reading stands")),
        "pending": escape(_("paging waits for it")),
    }
    cards = []
    for alert in alerts:
        pk = alert.id
        created = localtime(alert.created_at)
        url = web_url_or_blank(alert.post.url)
        matches = ", ".join(
            f'<span class="why">“{escape(str(match.get("phrase", "")))}” '
            f"({escape(category_label(match.get('category', '')))})</span>"
            for match in alert.matches or ()
        )
        meta = (
            f'<span class="author">{escape(alert.post.author_handle or unknown_author)}</span>'
            f" · {escape(alert.post.source.name)}"
        )
        if url:
            meta += (
                f' · <a href="{escape(url)}" target="_blank" rel="noopener noreferrer nofollow">'
                f"{original}</a>"
            )
        if alert.group_size > 1:
            copies = ngettext("%(n)s copy", "%(n)s copies and reposts", alert.group_size) % {
                "n": alert.group_size
            }
            meta += f' · <span class="badge text-bg-secondary">{escape(copies)}</span>'
        if alert.is_new:
            actions = (
                '<div class="d-flex flex-wrap gap-2">'
                f'<button type="button" class="btn btn-sm btn-danger" '
                f'hx-get="{escalate_url.format(pk)}" hx-target="#alert-{pk}-actions" '
                f'hx-swap="innerHTML">{escalate}</button>'
                f'<form class="d-flex gap-2" method="post" action="{dismiss_url.format(pk)}" '
                f'hx-post="{dismiss_url.format(pk)}" hx-target="#alert-{pk}" hx-swap="outerHTML">'
                f'{csrf}<label class="visually-hidden" for="reason-{pk}">{reason}</label>'
                f'<select id="reason-{pk}" name="reason" class="form-select form-select-sm w-auto">'
                f"{options}</select>"
                f'<button type="submit" class="btn btn-sm btn-outline-secondary">{dismiss}</button>'
                "</form></div>"
            )
        elif alert.status == "escalated":
            actions = f'<p class="mb-0 small status-line"><strong>{escalated}</strong>'
            if alert.case:
                words = escape(_("case %(ref)s") % {"ref": alert.case.reference})
                link = (
                    f'<a href="{detail_url.format(alert.case.pk)}">{words}</a>'
                    if detail_url
                    else words
                )
                actions += f" {to} {link}"
            if alert.reviewed_by:
                actions += f" {by} {escape(str(alert.reviewed_by))}"
            actions += "</p>"
        else:
            actions = (
                f'<p class="mb-0 small status-line"><strong>{dismissed}</strong>: '
                f"{escape(str(alert.get_dismissal_reason_display()))}"
                + (f" · {escape(str(alert.reviewed_by))}" if alert.reviewed_by else "")
                + "</p>"
            )
        second = ""
        if alert.second_tier:
            # The second reading (alerts.services.second_tier), as _alert_card.html says it.
            state = escape(alert.second_tier)
            second = (
                f'<p class="small mb-2 second-tier second-tier-{state}">{second_reading} '
                f"<strong>{escape(str(alert.get_second_tier_display()))}</strong>"
            )
            if alert.second_tier_score is not None:
                second += f" ({floatformat(alert.second_tier_score, 2)})"
            if alert.second_tier in second_notes:
                second += f" · {second_notes[alert.second_tier]}"
            second += "</p>"
        checkbox = (
            f'<input type="checkbox" class="form-check-input" name="alert_ids" value="{pk}" '
            f'form="bulk-form" aria-label="{select_label}">'
            if alert.is_new
            else ""
        )
        cards.append(
            f'<article class="card mb-3 alert-card alert-severity-{escape(alert.severity)}" '
            f'id="alert-{pk}" aria-labelledby="alert-{pk}-title"><div class="card-body">'
            '<div class="d-flex flex-wrap gap-2 align-items-center mb-2">'
            f'{checkbox}<h2 class="h6 mb-0" id="alert-{pk}-title">'
            f'<span class="badge severity-badge severity-{escape(alert.severity)}">'
            f"{escape(str(alert.get_severity_display()))}</span> "
            f"{escape(capfirst(category_label(alert.top_category)))} · "
            f"{escape(alert.school.name)}</h2>"
            f'<span class="small text-body-secondary ms-auto"><time datetime="'
            f'{created.isoformat()}">{months[created.month]} {created.day}, '
            f"{created.hour:02d}:{created.minute:02d}</time></span></div>"
            f'<blockquote class="post-text mb-2">{highlighted_post(alert)}</blockquote>'
            f'<p class="small mb-2">{meta}</p>'
            f'<p class="small text-body-secondary mb-2">{why} {matches} · {score} '
            f"{floatformat(alert.score, 2)}</p>"
            f"{second}"
            f'<div id="alert-{pk}-actions">{actions}</div></div></article>'
        )
    return mark_safe("".join(cards))  # noqa: S308 - every text above was escaped
