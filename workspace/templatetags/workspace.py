"""Template helpers of the counselor workspace: SLA clocks in the school's own time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alerts.web_urls import web_url_or_blank
from cases.priority_reasons import priority_reason_display
from tipline.voice.calls import VOICE_BODY

register = template.Library()


class PerLanguageNode(template.Node):
    """See per_language. The drawn markup is kept on the node: it lives as long as the
    compiled template (once per process with Django's cached loader; a template edited in
    development is compiled again, into a new node)."""

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.drawn: dict[str, str] = {}

    def render(self, context) -> str:
        language = get_language()
        drawn = self.drawn.get(language)
        if drawn is None:
            # An empty context (context.new(): no variables, no context processors' values):
            # what is kept can depend on nothing but the language.
            drawn = self.nodelist.render(context.new())
            self.drawn[language] = drawn
        return drawn


@register.tag
def per_language(parser, token):
    """`{% per_language %}...{% endper_language %}`: markup that depends on the reader's
    language only (labels, help text, static URLs), drawn once per language and process
    instead of on every request. It is drawn with an empty context: a variable inside would
    be empty, never another person's data; never put a variable, tip text or a count in it."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("per_language takes no argument")
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist)


@register.filter
def tip_text(body: str) -> str:
    """A tip's text as written; a call's stand-in text in the reader's language."""
    return _(VOICE_BODY) if body == VOICE_BODY else body


@register.filter
def priority_reason(stored: str) -> str:
    """A case's stored priority reason, said in the reader's language."""
    return priority_reason_display(stored or "")


# The spans a page says ("3 hours ago", "due in 1 day, 2 hours") are memoised per page by the
# units they show: below four weeks Django's timesince depends on whole minutes only.
_WEEK, _DAY, _HOUR = 7 * 24 * 60, 24 * 60, 60
_MEMO_LIMIT_SECONDS = 28 * 24 * 60 * 60


class Clock:
    """One page's clock: `now`, the reader's month and weekday abbreviations looked up once,
    and the spans said so far. An absolute time is then string formatting, not Django's
    date filter per row (bench/queue_pages.py: the queue's rows spent half their time there)."""

    # per language: weekdays, months, and both escaped for HTML
    _names: dict[str, tuple[list, dict, list, dict]] = {}

    def __init__(self, now: datetime | None = None):
        self.now = now or timezone.now()
        language = get_language()
        names = self._names.get(language)
        if names is None:
            weekdays = [str(WEEKDAYS_ABBR[day]) for day in range(7)]
            months = {month: str(name).title() for month, name in MONTHS_3.items()}
            names = (
                weekdays,
                months,
                [escape(name) for name in weekdays],
                {month: escape(name) for month, name in months.items()},
            )
            self._names[language] = names
        self.weekdays, self.months, self._weekdays_html, self._months_html = names
        self._spans: dict[tuple, str] = {}
        self._zones_html: dict[str, str] = {}

    def absolute(self, moment: datetime, school) -> str:
        """The same text as date_format(local, "D j M Y, H:i") and the zone's abbreviation."""
        local = moment.astimezone(school.tzinfo)
        return (
            f"{self.weekdays[local.weekday()]} {local.day} {self.months[local.month]} "
            f"{local.year}, {local.hour:02d}:{local.minute:02d} {local.tzname()}"
        )

    def absolute_html(self, moment: datetime, school) -> str:
        """escape(absolute(moment, school)), from names escaped once: the rest of the text is
        digits, spaces, a comma and a colon, which escaping leaves as they are."""
        local = moment.astimezone(school.tzinfo)
        zone = local.tzname()
        zone_html = self._zones_html.get(zone)
        if zone_html is None:
            zone_html = self._zones_html[zone] = escape(zone or "")
        return (
            f"{self._weekdays_html[local.weekday()]} {local.day} "
            f"{self._months_html[local.month]} "
            f"{local.year}, {local.hour:02d}:{local.minute:02d} {zone_html}"
        )

    def _span(self, seconds: float, depth: int, say) -> str:
        if not 0 <= seconds < _MEMO_LIMIT_SECONDS:
            return say()
        minutes = int(seconds // 60)
        parts = (
            minutes // _WEEK,
            minutes % _WEEK // _DAY,
            minutes % _DAY // _HOUR,
            minutes % _HOUR,
        )
        first = next((index for index, part in enumerate(parts) if part), len(parts) - 1)
        # timesince and timeuntil say the same words for the same span and depth.
        key = (depth, first, *parts[first : first + depth])
        if key not in self._spans:
            self._spans[key] = say()
        return self._spans[key]

    def since(self, moment: datetime) -> str:
        """ "3 hours" (one unit), as timesince(moment, now, depth=1)."""
        return self._span(
            (self.now - moment).total_seconds(), 1, lambda: timesince(moment, self.now, depth=1)
        )

    def until(self, moment: datetime) -> str:
        """ "1 day, 2 hours" (two units), as timeuntil(moment, now, depth=2)."""
        return self._span(
            (moment - self.now).total_seconds(), 2, lambda: timeuntil(moment, self.now, depth=2)
        )


def school_time(moment: datetime, school) -> str:
    """An absolute time on the school's wall clock, with its zone abbreviation."""
    return Clock().absolute(moment, school)


@register.simple_tag
def sla_clock(due_at, met_at, school, now=None, clock: Clock | None = None):
    """A due time as a countdown ("in 3 hours"), its absolute time in the school's timezone,
    and an "overdue" badge once it has passed unmet. Empty when there is no deadline."""
    if due_at is None:
        return ""
    clock = clock or Clock(now)
    if met_at is not None:
        met = clock.absolute(met_at, school)
        return format_html(
            '<span class="sla sla-met">{} <time datetime="{}" title="{}">{}</time></span>',
            _("met"),
            met_at.isoformat(),
            met,
            met,
        )
    absolute = clock.absolute(due_at, school)
    if due_at <= clock.now:
        return format_html(
            '<span class="sla sla-overdue"><span class="badge text-bg-danger">{}</span> '
            '<time datetime="{}" title="{}">{}</time> <span class="small">({})</span></span>',
            _("Overdue"),
            due_at.isoformat(),
            absolute,
            _("%(span)s ago") % {"span": clock.since(due_at)},
            absolute,
        )
    return format_html(
        '<span class="sla sla-due"><time datetime="{}" title="{}" data-countdown>{}</time> '
        '<span class="small">({})</span></span>',
        due_at.isoformat(),
        absolute,
        _("due in %(span)s") % {"span": clock.until(due_at)},
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


@dataclass(frozen=True)
class _RowWords:
    """Everything a queue row says that depends on the reader's language only, translated
    and escaped once per language and process (not per page: gettext and escaping of forty
    labels were a tenth of the rows' time)."""

    categories: dict
    statuses: dict
    channels: dict
    priorities: dict
    priority_cells: dict
    priority_names: dict
    detail_url: str
    ack_url: str
    unassigned: str
    inferred_label: str
    flood: str
    ago: str
    overdue: str
    met_label: str
    due_in: str


_ROW_WORDS: dict[str, _RowWords] = {}


def _row_words() -> _RowWords:
    language = get_language()
    words = _ROW_WORDS.get(language)
    if words is not None:
        return words
    from django.urls import reverse

    from cases.models import CaseStatus, Category, Channel, Priority

    priorities = {value: escape(str(label)) for value, label in Priority.choices}
    badge = '<span class="badge text-bg-{}">{}</span>'
    words = _RowWords(
        categories={value: escape(str(label)) for value, label in Category.choices},
        statuses={value: escape(str(label)) for value, label in CaseStatus.choices},
        channels={value: escape(str(label)) for value, label in Channel.choices},
        priorities=priorities,
        priority_cells={
            Priority.LIFE_SAFETY: badge.format("danger", priorities[Priority.LIFE_SAFETY]),
            Priority.URGENT: badge.format("warning", priorities[Priority.URGENT]),
        },
        priority_names={value: Priority(value).name.lower() for value in Priority.values},
        detail_url=escape(reverse("tipline:case_detail", args=[0])).replace("/0/", "/{}/"),
        ack_url=escape(reverse("tipline:case_acknowledge", args=[0])).replace("/0/", "/{}/"),
        unassigned=f'<span class="text-body-secondary">{escape(_("Unassigned"))}</span>',
        inferred_label=escape(_("inferred from the text")),
        flood=(
            f' <span class="badge text-bg-warning">{escape(_("check: arrived in a flood"))}</span>'
        ),
        ago=_("%(span)s ago"),
        overdue=escape(_("Overdue")),
        met_label=escape(_("met")),
        due_in=_("due in %(span)s"),
    )
    _ROW_WORDS[language] = words
    return words


@register.simple_tag
def queue_rows(cases, previews, tags):
    """The queue's rows, built here rather than in a template: fifty rows of template nodes
    cost more than everything else on the page together (bench/queue_pages.py). Labels are
    translated and escaped once per language (_row_words), the clock's words once per
    distinct span; every text from the database is escaped (html.escape, as Django's escape
    does) where it is placed."""
    from django.utils.safestring import mark_safe

    from cases.models import Priority

    clock = Clock()
    words = _row_words()
    categories, statuses, channels = words.categories, words.statuses, words.channels
    ago = words.ago
    life_safety_class = ' class="table-danger-subtle"'
    rows = []
    # Escaped once per page: each school's name, each "... ago" the page says.
    school_names: dict[int, str] = {}
    opened: dict[str, str] = {}
    for case in cases:
        url = words.detail_url.format(case.id)
        preview = previews.get(case.id)
        if preview is not None and preview.inferred_category:
            category = (
                f'<span class="category-inferred">{categories[preview.inferred_category]}</span>'
                f' <span class="small text-body-secondary">({words.inferred_label})</span>'
            )
        else:
            category = categories.get(case.category) or escape(case.category)
        tag_badges = " ".join(
            f'<span class="badge text-bg-light border">{categories.get(tag) or escape(tag)}</span>'
            for tag in tags.get(case.id, ())
        )
        priority = words.priority_cells.get(case.priority) or words.priorities.get(
            case.priority, ""
        )
        if case.assignee_id:
            # A queue row carries the name; a Case (the home page) its assignee.
            assignee = getattr(case, "assignee_name", None)
            if assignee is None:
                assignee = case.assignee.get_full_name() or case.assignee.email
            assignee = escape(assignee)
        else:
            assignee = words.unassigned
        due = ""
        if case.is_open:
            due_at, met_at = next_due(case)
            if due_at is not None:
                due = _sla_cell(
                    due_at,
                    met_at,
                    case.school,
                    clock,
                    ago,
                    words.overdue,
                    words.met_label,
                    words.due_in,
                )
        row_class = life_safety_class if case.priority == Priority.LIFE_SAFETY else ""
        preview_html = (
            "" if preview is None else f'<span class="case-preview">{escape(preview.text)}</span>'
        )
        school_name = school_names.get(case.school_id)
        if school_name is None:
            school_name = school_names[case.school_id] = escape(case.school.name)
        span = clock.since(case.created_at)
        opened_text = opened.get(span)
        if opened_text is None:
            opened_text = opened[span] = escape(ago % {"span": span})
        rows.append(
            f'<tr data-case-id="{case.id}"'
            f' data-priority="{words.priority_names.get(case.priority, "")}"'
            f' data-href="{url}" data-ack-url="{words.ack_url.format(case.id)}"'
            f"{row_class}>"
            f'<td><a href="{url}" class="fw-semibold case-link">{escape(case.reference)}</a>'
            f'<span class="d-block small text-body-secondary">'
            f"{channels.get(case.channel) or escape(case.channel)}</span>"
            f"{words.flood if case.needs_review else ''}</td>"
            f"<td>{priority}</td><td>{statuses.get(case.status) or escape(case.status)}</td>"
            f'<td class="case-preview-cell">'
            f"{preview_html}"
            "</td>"
            f'<td class="d-none d-md-table-cell">{category} {tag_badges}</td>'
            f'<td class="d-none d-lg-table-cell">{school_name}</td>'
            f'<td class="d-none d-md-table-cell">{assignee}</td>'
            f"<td>{due}</td>"
            f'<td class="d-none d-sm-table-cell"><time datetime="{case.created_at.isoformat()}">'
            f"{opened_text}</time></td>"
            "</tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every text above was escaped


def _sla_cell(due_at, met_at, school, clock, ago, overdue, met_label, due_in) -> str:
    """sla_clock's markup, exactly, with the page's labels already translated."""
    iso = due_at.isoformat() if met_at is None else met_at.isoformat()
    if met_at is not None:
        met = clock.absolute_html(met_at, school)
        return (
            f'<span class="sla sla-met">{met_label} <time datetime="{iso}" title="{met}">'
            f"{met}</time></span>"
        )
    absolute = clock.absolute_html(due_at, school)
    if due_at <= clock.now:
        return (
            f'<span class="sla sla-overdue"><span class="badge text-bg-danger">{overdue}</span> '
            f'<time datetime="{iso}" title="{absolute}">'
            f"{escape(ago % {'span': clock.since(due_at)})}</time>"
            f' <span class="small">({absolute})</span></span>'
        )
    return (
        f'<span class="sla sla-due"><time datetime="{iso}" title="{absolute}" data-countdown>'
        f"{escape(due_in % {'span': clock.until(due_at)})}</time>"
        f' <span class="small">({absolute})</span></span>'
    )


_TAB_LABELS: dict[str, dict[str, str]] = {}
_CURRENT = ' aria-current="page"'
_OUT_OF_BAND = ' hx-swap-oob="true"'


@register.simple_tag
def queue_tabs(queues, queue, out_of_band=False):
    """The queue's tabs (each queue's label and count, the chosen one marked), drawn here: as a
    template loop they cost a third of a millisecond on every refresh. Labels are escaped once
    per language; counts are said as the template says a number (localize). The markup is
    the one tests/workspace/test_queue_tabs.py compares with the template it replaced. With
    `out_of_band`, htmx swaps the tabs in beside the queue it answers with."""
    from django.utils.formats import localize
    from django.utils.safestring import mark_safe

    language = get_language()
    labels = _TAB_LABELS.get(language)
    if labels is None:
        labels = _TAB_LABELS[language] = {}
    items = []
    for item in queues:
        name = item["name"]
        label = labels.get(name)
        if label is None:
            label = labels[name] = escape(str(item["label"]))
        chosen = name == queue
        name = escape(name)
        items.append(
            '\n    <li class="nav-item">\n      <a class="nav-link'
            f'{" active" if chosen else ""}" href="?queue={name}"'
            f'{_CURRENT if chosen else ""}>{label} <span class="badge '
            f'{"text-bg-light" if chosen else "text-bg-secondary"}" data-queue-count="{name}">'
            f"{escape(str(localize(item['count'])))}</span></a>\n    </li>\n    "
        )
    return mark_safe(  # noqa: S308 - every text above was escaped
        '<ul id="queue-tabs" class="nav nav-pills queue-tabs"'
        f"{_OUT_OF_BAND if out_of_band else ''}>\n    {''.join(items)}\n</ul>\n"
    )
