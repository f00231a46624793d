"""Rendering helpers for the alert feed.

Post text is public but untrusted: `highlighted_post` escapes every piece of it and wraps
matched spans in <mark>, building the markup with format_html only (never |safe). Post URLs
become links only through `web_url` (http and https, nothing else).
"""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html, format_html_join

from tipline.web_urls import web_url_or_blank

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
