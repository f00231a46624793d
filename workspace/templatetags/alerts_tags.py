"""Rendering helpers for the alert feed.

Post text is public but untrusted: `highlighted_post` escapes every piece of it and wraps
matched spans in <mark>, building the markup with format_html only (never |safe). Post URLs
become links only through `web_url` (http and https, nothing else).
"""

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import forms, template
from django.template.defaultfilters import capfirst
from django.urls import NoReverseMatch, reverse
from django.utils.dates import MONTHS_3
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.models import DismissalReason, SecondTier, Severity
from alerts.selectors import FeedCard
from alerts.web_urls import web_url_or_blank

register = template.Library()

CATEGORY_LABELS = {
    "violence": "violence",
    "weapons": "weapons",
    "self_harm": "self-harm",
    "bullying": "bullying",
}


def _spans(text: str, matches, school_matches) -> list[tuple[int, int, str, str]]:
    length = len(text)
    spans = []
    for match in matches or ():
        start, end, category = match.get("start"), match.get("end"), match.get("category")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
            label = CATEGORY_LABELS.get(category, "match")
            spans.append((start, end, f"alert-match alert-match-{label}", label))
    for match in school_matches or ():
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


def _highlighted(text: str, matches, school_matches) -> str:
    """The post's text escaped, its matched spans in <mark> (the markup format_html makes)."""
    pieces, position = [], 0
    for start, end, css, label in _spans(text, matches, school_matches):
        pieces.append(escape(text[position:start]))
        pieces.append(f'<mark class="{escape(css)}" title="{escape(label)}">')
        pieces.append(f"{escape(text[start:end])}</mark>")
        position = end
    pieces.append(escape(text[position:]))
    return "".join(pieces)


@register.simple_tag
def highlighted_post(alert):
    text = alert.post.text
    pieces, position = [], 0
    for start, end, css, label in _spans(text, alert.matches, alert.school_matches):
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


_HUNDREDTH = Decimal("0.01")


def score_text(score: float, decimal_separator: str) -> str:
    """`floatformat(score, 2)` for a score (0 to 1) in a few operations instead of its general
    path: the float's shortest repr rounded half up to two places, with the reader's decimal
    separator (tests/workspace/test_alert_cards.py compares the two over many scores)."""
    rounded = Decimal(repr(float(score))).quantize(_HUNDREDTH, ROUND_HALF_UP)
    text = f"{rounded if rounded else abs(rounded):f}"  # no "-0.00"
    return text.replace(".", decimal_separator)


@register.simple_tag(takes_context=True)
def alert_cards(context, alerts, reasons):
    """The feed's cards, drawn here rather than by including _alert_card.html fifty times: the
    include was most of the feed's time (bench/queue_pages.py). The same markup as the
    template, up to whitespace between tags (tests/workspace/test_alert_cards.py compares
    both for every kind of card). `alerts` are FeedCards (alerts.selectors.alerts_feed_page,
    plain values) or loaded Alerts. Labels, URLs and the reason options are made once per
    page; every text from the database or a post is escaped where it is placed."""
    cards = [
        alert if isinstance(alert, FeedCard) else FeedCard.from_alert(alert) for alert in alerts
    ]

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
    severities = {value: escape(str(label)) for value, label in Severity.choices}
    dismissals = {value: escape(str(label)) for value, label in DismissalReason.choices}
    options = "".join(
        f'<option value="{escape(str(value))}">{escape(str(label))}</option>'
        for value, label in reasons
    )
    categories: dict[str, str] = {}
    separator = escape(get_format("DECIMAL_SEPARATOR"))
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
    second_labels = {value: escape(str(label)) for value, label in SecondTier.choices}
    drawn = []
    for card in cards:
        pk = card.id
        created = localtime(card.created_at)
        url = web_url_or_blank(card.url)
        matches = ", ".join(
            f'<span class="why">“{escape(str(match.get("phrase", "")))}” '
            f"({escape(category_label(match.get('category', '')))})</span>"
            for match in card.matches or ()
        )
        meta = (
            f'<span class="author">{escape(card.author_handle or unknown_author)}</span>'
            f" · {escape(card.source_name)}"
        )
        if url:
            meta += (
                f' · <a href="{escape(url)}" target="_blank" rel="noopener noreferrer nofollow">'
                f"{original}</a>"
            )
        if card.group_size > 1:
            copies = ngettext("%(n)s copy", "%(n)s copies and reposts", card.group_size) % {
                "n": card.group_size
            }
            meta += f' · <span class="badge text-bg-secondary">{escape(copies)}</span>'
        if card.is_new:
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
        elif card.status == "escalated":
            actions = f'<p class="mb-0 small status-line"><strong>{escalated}</strong>'
            if card.case_id:
                words = escape(_("case %(ref)s") % {"ref": card.case_reference})
                link = (
                    f'<a href="{detail_url.format(card.case_id)}">{words}</a>'
                    if detail_url
                    else words
                )
                actions += f" {to} {link}"
            if card.reviewed_by:
                actions += f" {by} {escape(card.reviewed_by)}"
            actions += "</p>"
        else:
            actions = (
                f'<p class="mb-0 small status-line"><strong>{dismissed}</strong>: '
                f"{dismissals.get(card.dismissal_reason, escape(card.dismissal_reason))}"
                + (f" · {escape(card.reviewed_by)}" if card.reviewed_by else "")
                + "</p>"
            )
        second = ""
        if card.second_tier:
            # The second reading (alerts.services.second_tier), as _alert_card.html says it.
            state = card.second_tier
            second = (
                f'<p class="small mb-2 second-tier second-tier-{escape(state)}">{second_reading} '
                f"<strong>{second_labels.get(state, escape(state))}</strong>"
            )
            if card.second_tier_score is not None:
                second += f" ({score_text(card.second_tier_score, separator)})"
            # A critical alert paged when it was raised: its reading only marks it.
            if state in second_notes and not (state == "pending" and card.severity == "critical"):
                second += f" · {second_notes[state]}"
            second += "</p>"
        checkbox = (
            f'<input type="checkbox" class="form-check-input" name="alert_ids" value="{pk}" '
            f'form="bulk-form" aria-label="{select_label}">'
            if card.is_new
            else ""
        )
        category = categories.get(card.top_category)
        if category is None:
            category = categories[card.top_category] = escape(
                capfirst(category_label(card.top_category))
            )
        severity = escape(card.severity)
        drawn.append(
            f'<article class="card mb-3 alert-card alert-severity-{severity}" '
            f'id="alert-{pk}" aria-labelledby="alert-{pk}-title"><div class="card-body">'
            '<div class="d-flex flex-wrap gap-2 align-items-center mb-2">'
            f'{checkbox}<h2 class="h6 mb-0" id="alert-{pk}-title">'
            f'<span class="badge severity-badge severity-{severity}">'
            f"{severities.get(card.severity, severity)}</span> "
            f"{category} · {escape(card.school_name)}</h2>"
            f'<span class="small text-body-secondary ms-auto"><time datetime="'
            f'{created.isoformat()}">{months[created.month]} {created.day}, '
            f"{created.hour:02d}:{created.minute:02d}</time></span></div>"
            f'<blockquote class="post-text mb-2">'
            f"{_highlighted(card.text, card.matches, card.school_matches)}</blockquote>"
            f'<p class="small mb-2">{meta}</p>'
            f'<p class="small text-body-secondary mb-2">{why} {matches} · {score} '
            f"{score_text(card.score, separator)}</p>"
            f"{second}"
            f'<div id="alert-{pk}-actions">{actions}</div></div></article>'
        )
    return mark_safe("".join(drawn))  # noqa: S308 - every text above was escaped


@register.simple_tag
def feed_filter_controls(form):
    """The feed's filter controls, each with its label, drawn here (the same markup as the
    form's widgets: selects as workspace/widgets/select.html draws them, dates as Django's
    input widget): seven widgets through the template engine were a fifth of the feed's
    time. Every value and label is escaped where it is placed."""
    drawn = []
    for field in form:
        widget = field.field.widget
        attrs = f'class="{escape(widget.attrs.get("class", ""))}" id="{escape(field.auto_id)}"'
        name = escape(field.html_name)
        value = field.value()
        if isinstance(widget, forms.Select):
            chosen = "" if value is None else str(value)
            options = "".join(
                f'<option value="{escape(str(option))}"'
                + (" selected" if str(option) == chosen else "")
                + f">{escape(str(label))}</option>"
                for option, label in field.field.choices
            )
            control = f'<select name="{name}" {attrs}>{options}</select>'
        else:
            shown = widget.format_value(value)
            value_attr = "" if shown is None else f' value="{escape(str(shown))}"'
            control = (
                f'<input type="{escape(widget.input_type)}" name="{name}"{value_attr} {attrs}>'
            )
        drawn.append(
            '\n  <div class="col-6 col-md-auto">\n'
            f'    <label class="form-label small mb-0" for="{escape(field.id_for_label)}">'
            f"{escape(str(field.label))}</label>\n    {control}\n  </div>"
        )
    return mark_safe("".join(drawn))  # noqa: S308 - every text above was escaped
