"""Rendering helpers for the alert feed.

Post text is public but untrusted: `highlighted_post` escapes every piece of it and wraps
matched spans in <mark>, building the markup with format_html only (never |safe). Post URLs
become links only through `web_url` (http and https, nothing else).
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.conf import settings
from django.template.defaultfilters import capfirst
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.dates import MONTHS_3
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from alerts.models import AlertStatus, DismissalReason, SecondTier, Severity
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


def _options(reasons) -> str:
    """`{% for value, label in reasons %}<option value="{{ value }}">{{ label }}</option>
    {% endfor %}` (without the line break)."""
    return "".join(
        f'<option value="{escape(str(value))}">{escape(str(label))}</option>'
        for value, label in reasons
    )


class _CardWords:
    """What every card says in one language, escaped once: kept per language for the
    process (it depends on the translation catalogues alone, as Clock's month names)."""

    _kept: dict[str, _CardWords] = {}

    def __init__(self):
        self.months = {month: str(name).title() for month, name in MONTHS_3.items()}
        self.severities = {value: escape(str(label)) for value, label in Severity.choices}
        self.dismissals = {value: escape(str(label)) for value, label in DismissalReason.choices}
        self.categories: dict[str, str] = {}
        self.copies: dict[int, str] = {}
        self.separator = escape(get_format("DECIMAL_SEPARATOR"))
        self.select_label = escape(_("Select for bulk dismissal"))
        self.unknown_author = escape(_("unknown author"))
        self.original = escape(_("Original post"))
        self.why = escape(_("Why:"))
        self.score = escape(_("score"))
        self.escalate, self.dismiss = escape(_("Escalate")), escape(_("Dismiss"))
        self.reason = escape(_("Reason"))
        self.escalated, self.dismissed = escape(_("Escalated")), escape(_("Dismissed"))
        self.to, self.by = escape(_("to")), escape(_("by"))
        self.case = _("case %(ref)s")
        self.second_reading = escape(_("Second reading:"))
        self.second_notes = {
            "not_confirmed": escape(_("no one was paged")),
            "unavailable": escape(_("the first reading stands")),
            "pending": escape(_("paging waits for it")),
        }
        self.second_labels = {value: escape(str(label)) for value, label in SecondTier.choices}
        self.reason_choices = DismissalReason.choices
        self.reason_options = _options(self.reason_choices)
        self.pages = escape(_("Pages"))
        self.newer, self.older = escape(_("Newer")), escape(_("Older"))
        self.page_of = _("Page %(number)s of %(total)s")

    @classmethod
    def now(cls) -> _CardWords:
        """The words in the reader's language."""
        language = get_language()
        words = cls._kept.get(language)
        if words is None:
            words = cls._kept[language] = cls()
        return words

    def options(self, reasons) -> str:
        """The <option>s of these reasons: DismissalReason's own choices as kept."""
        kept = self.reason_choices
        if len(reasons) == len(kept) and all(
            value == kept_value and label is kept_label
            for (value, label), (kept_value, kept_label) in zip(reasons, kept, strict=True)
        ):  # the same values and the same (lazy) labels: the same words in this language
            return self.reason_options
        return _options(reasons)

    def category(self, value: str) -> str:
        found = self.categories.get(value)
        if found is None:
            found = self.categories[value] = escape(capfirst(category_label(value)))
        return found

    def copies_of(self, count: int) -> str:
        found = self.copies.get(count)
        if found is None:
            if len(self.copies) >= 1000:
                self.copies.clear()
            words = ngettext("%(n)s copy", "%(n)s copies and reposts", count) % {"n": count}
            found = self.copies[count] = escape(words)
        return found


@functools.lru_cache(maxsize=16)
def _card_addresses(urlconf, script_prefix: str) -> tuple[str, str, str]:
    """The escalate, dismiss and case addresses with "{}" for the id (the case's "" when the
    case workspace is not installed), per URLconf and script prefix."""

    def pattern(name):
        return escape(reverse(name, args=[0], urlconf=urlconf)).replace("/0/", "/{}/")

    try:
        detail = pattern("tipline:case_detail")
    except NoReverseMatch:
        detail = ""
    return pattern("alerts:escalate"), pattern("alerts:dismiss"), detail


@register.simple_tag(takes_context=True)
def alert_cards(context, alerts, reasons):
    """The feed's cards, drawn here rather than by including _alert_card.html fifty times: the
    include was most of the feed's time (bench/queue_pages.py). The same markup as the
    template, up to whitespace between tags (tests/workspace/test_alert_cards.py compares
    both for every kind of card, in both languages). `alerts` are FeedCards
    (alerts.selectors.alerts_feed_page, plain values) or loaded Alerts. The words are the
    reader's language's (_CardWords), the addresses the URLconf's, the reason options and the
    school and source names made once per page; every text from the database or a post is
    escaped where it is placed."""
    cards = [
        alert if isinstance(alert, FeedCard) else FeedCard.from_alert(alert) for alert in alerts
    ]
    words = _CardWords.now()
    escalate_url, dismiss_url, detail_url = _card_addresses(
        get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()
    )
    zone = get_current_timezone()
    token = context.get("csrf_token")
    csrf = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'
        if token and token != "NOTPROVIDED"  # noqa: S105 - Django's "no token" marker
        else ""
    )
    options = words.options(reasons)
    months, separator = words.months, words.separator
    names: dict[str, str] = {}  # school and source names, escaped once per page

    def name(value: str) -> str:
        found = names.get(value)
        if found is None:
            found = names[value] = escape(value)
        return found

    drawn = []
    for card in cards:
        pk = card.id
        created = card.created_at.astimezone(zone)  # localtime(), the zone read once
        url = web_url_or_blank(card.url)
        matches = ", ".join(
            f'<span class="why">“{escape(str(match.get("phrase", "")))}” '
            f"({escape(category_label(match.get('category', '')))})</span>"
            for match in card.matches or ()
        )
        author = escape(card.author_handle) if card.author_handle else words.unknown_author
        meta = f'<span class="author">{author}</span> · {name(card.source_name)}'
        if url:
            meta += (
                f' · <a href="{escape(url)}" target="_blank" rel="noopener noreferrer nofollow">'
                f"{words.original}</a>"
            )
        if card.group_size > 1:
            meta += (
                f' · <span class="badge text-bg-secondary">{words.copies_of(card.group_size)}'
                "</span>"
            )
        is_new = card.status == AlertStatus.NEW
        if is_new:
            actions = (
                '<div class="d-flex flex-wrap gap-2">'
                f'<button type="button" class="btn btn-sm btn-danger" '
                f'hx-get="{escalate_url.format(pk)}" hx-target="#alert-{pk}-actions" '
                f'hx-swap="innerHTML">{words.escalate}</button>'
                f'<form class="d-flex gap-2" method="post" action="{dismiss_url.format(pk)}" '
                f'hx-post="{dismiss_url.format(pk)}" hx-target="#alert-{pk}" hx-swap="outerHTML">'
                f'{csrf}<label class="visually-hidden" for="reason-{pk}">{words.reason}</label>'
                f'<select id="reason-{pk}" name="reason" class="form-select form-select-sm w-auto">'
                f"{options}</select>"
                '<button type="submit" class="btn btn-sm btn-outline-secondary">'
                f"{words.dismiss}</button></form></div>"
            )
        elif card.status == "escalated":
            actions = f'<p class="mb-0 small status-line"><strong>{words.escalated}</strong>'
            if card.case_id:
                case = escape(words.case % {"ref": card.case_reference})
                link = (
                    f'<a href="{detail_url.format(card.case_id)}">{case}</a>'
                    if detail_url
                    else case
                )
                actions += f" {words.to} {link}"
            if card.reviewed_by:
                actions += f" {words.by} {escape(card.reviewed_by)}"
            actions += "</p>"
        else:
            reason = words.dismissals.get(card.dismissal_reason)
            actions = (
                f'<p class="mb-0 small status-line"><strong>{words.dismissed}</strong>: '
                f"{escape(card.dismissal_reason) if reason is None else reason}"
                + (f" · {escape(card.reviewed_by)}" if card.reviewed_by else "")
                + "</p>"
            )
        second = ""
        if card.second_tier:
            # The second reading (alerts.services.second_tier), as _alert_card.html says it.
            state = card.second_tier
            label = words.second_labels.get(state)
            second = (
                f'<p class="small mb-2 second-tier second-tier-{escape(state)}">'
                f"{words.second_reading} "
                f"<strong>{escape(state) if label is None else label}</strong>"
            )
            if card.second_tier_score is not None:
                second += f" ({score_text(card.second_tier_score, separator)})"
            # A critical alert paged when it was raised: its reading only marks it.
            if state in words.second_notes and not (
                state == "pending" and card.severity == "critical"
            ):
                second += f" · {words.second_notes[state]}"
            second += "</p>"
        checkbox = (
            f'<input type="checkbox" class="form-check-input" name="alert_ids" value="{pk}" '
            f'form="bulk-form" aria-label="{words.select_label}">'
            if is_new
            else ""
        )
        severity = name(card.severity)
        label = words.severities.get(card.severity)
        drawn.append(
            f'<article class="card mb-3 alert-card alert-severity-{severity}" '
            f'id="alert-{pk}" aria-labelledby="alert-{pk}-title"><div class="card-body">'
            '<div class="d-flex flex-wrap gap-2 align-items-center mb-2">'
            f'{checkbox}<h2 class="h6 mb-0" id="alert-{pk}-title">'
            f'<span class="badge severity-badge severity-{severity}">'
            f"{severity if label is None else label}</span> "
            f"{words.category(card.top_category)} · {name(card.school_name)}</h2>"
            f'<span class="small text-body-secondary ms-auto"><time datetime="'
            f'{created.isoformat()}">{months[created.month]} {created.day}, '
            f"{created.hour:02d}:{created.minute:02d}</time></span></div>"
            f'<blockquote class="post-text mb-2">'
            f"{_highlighted(card.text, card.matches, card.school_matches)}</blockquote>"
            f'<p class="small mb-2">{meta}</p>'
            f'<p class="small text-body-secondary mb-2">{words.why} {matches} · {words.score} '
            f"{score_text(card.score, separator)}</p>"
            f"{second}"
            f'<div id="alert-{pk}-actions">{actions}</div></div></article>'
        )
    return mark_safe("".join(drawn))  # noqa: S308 - every text above was escaped


@register.simple_tag
def reason_options(reasons):
    """The dismissal reasons' <option>s, as the loop `{% for value, label in reasons %}<option
    value="{{ value }}">{{ label }}</option>{% endfor %}` draws them (DismissalReason's own
    choices drawn once per language: tests/workspace/test_alert_cards.py compares both)."""
    return mark_safe(_CardWords.now().options(reasons))  # noqa: S308 - escaped in _options


@register.simple_tag
def feed_pager(page, querystring):
    """What `_alert_list.html` drew between `{% if page.has_other_pages %}` and its `{% endif
    %}`: the feed's links to the newer and older pages and "Page n of m", in the reader's
    language ("" on a single page). The same markup as the template it replaces
    (tests/workspace/test_alert_cards.py compares both over pages, query strings and
    languages); `querystring` is escaped as `{{ querystring }}` was."""
    if not page.has_other_pages():
        return ""
    words = _CardWords.now()
    query = conditional_escape(querystring)
    link = '<a class="btn btn-sm btn-outline-secondary" href="?{}&amp;page={}">{}</a>'
    newer = link.format(query, page.number - 1, words.newer) if page.has_previous() else ""
    older = link.format(query, page.number + 1, words.older) if page.has_next() else ""
    where = words.page_of % {"number": page.number, "total": page.paginator.num_pages}
    return mark_safe(  # noqa: S308 - the words and the query string are escaped
        f'\n  <nav aria-label="{words.pages}" class="mt-3">\n    {newer}\n'
        f'    <span class="small mx-2">{where}</span>\n    {older}\n  </nav>\n  '
    )
