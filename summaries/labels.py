"""The words of the summary tables, for translation.

A summary Table (summaries.tables) is built once and drawn three ways: the page, its chart and
its CSV download. The CSV keeps these English words, so exports and the scripts that read
them do not change with the language of whoever downloads them; the page says them in the
reader's language: its template passes every title, heading, label and note through the
`summary_text` filter (summaries/templatetags/summary_text.py), which looks the words up in
the catalogue. `gettext_noop` below only marks them, so that `makemessages` keeps them in
locale/*/django.po; tests/summaries/test_summary_language.py draws every summary in Spanish
and fails on any English word left in a table, so a label added to the builders without
its line here (and its Spanish) is caught.
"""

from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_noop as _

# Words that mean something else elsewhere ("Change" is also the switcher's button): the
# filter looks for them under this context first.
CONTEXT = "summary"


def say(value):
    """One of the words below in the active language (under CONTEXT first); anything else (a
    school's name, a figure, a lazy label) as it is, as a string when it is not empty."""
    if isinstance(value, str) and value:
        translated = pgettext(CONTEXT, value)
        return translated if translated != value else gettext(value)
    return value


TABLE_WORDS = (
    # summaries/build.py
    _("At a glance"),
    _("Tips"),
    _("Tips (previous)"),
    pgettext_lazy("summary", "Change"),
    _("Life-safety share"),
    _("Median to acknowledge"),
    _("90th pct. to acknowledge"),
    _("Median to first response"),
    _("Median to resolution"),
    _("Acknowledged on time"),
    _("First response on time"),
    _("False-report rate"),
    _("Duplicate rate"),
    _("Two-way dialogue rate"),
    _("Alerts"),
    _("Alert escalation rate"),
    _("Open now"),
    _("All schools"),
    _("Schools side by side"),
    _("Totals"),
    _("Tips by type"),
    _("Tips by intake method"),
    _("Tips by school"),
    _("Figure"),
    _("This period"),
    _("Previous period"),
    _("Tips per week"),
    _("Tips per month"),
    # summaries/tables.py and build.py: chart titles and legends (summaries/charts.py says
    # every title, label and series name in the reader's language)
    _("Median time to acknowledge, first response and resolution"),
    _("Open cases by age"),
    _("School"),
    _("Tips by category and school"),
    _("Tips by channel and school"),
    _("Tips received"),
    _("Life-safety tips"),
    _("False reports (meant to harm)"),
    _("Duplicates"),
    _("False reports"),
    # summaries/tables.py
    _("Time to acknowledge"),
    _("Time to first response"),
    _("Time to resolution"),
    _("Social-post alerts by source"),
    _("Social-post alerts"),
    _("Measure"),
    _("Median"),
    _("90th percentile"),
    _("Cases measured"),
    _("Median (previous)"),
    _("90th percentile (previous)"),
    _("Response times"),
    _("Service levels (SLA met)"),
    _("Open cases now, by status and age"),
    _("Source"),
    pgettext_lazy("summary", "Escalated"),
    pgettext_lazy("summary", "Dismissed"),
    _("Escalation rate"),
    _("Precision"),
    _("Alerts (previous)"),
    _("Precision (previous)"),
    _("Precision: escalated / reviewed (escalated + dismissed) alerts."),
    _("Tips received (cases opened)"),
    _("Acknowledged on time (SLA)"),
    _("First response on time (SLA)"),
    _("Median time to acknowledge"),
    _("Median time to first response"),
    _("Hours in the CSV. Medians and 90th percentiles over the cases that have the time."),
    _("On time"),
    _("Measured"),
    _("Rate"),
    _("Rate (previous)"),
    _(
        "On time: at or before the due time. Cases still inside their window are not "
        "counted either way."
    ),
    _("Status"),
    _("Total"),
    _("A snapshot at the time the page was drawn, not limited to the period."),
    _("Tips by category"),
    _("Tips by channel"),
    _("Tips by priority"),
    _("Cases by outcome"),
    _("All open"),
    _("Week starting"),
    _("Month starting"),
    _("Category"),
    _("Channel"),
    _("Priority"),
    _("Outcome"),
    # summaries/tables.py: partner_table (one "Shared with: <kind>" line per PartnerKind)
    _("Cases shared with partners"),
    _("Cases opened in the period and shared with a partner agency (at any time)."),
    _("Referred to law enforcement (police or sheriff)"),
    _("Shared with: Police"),
    _("Shared with: Sheriff"),
    _("Shared with: Crisis centre"),
    _("Shared with: Child protective services"),
    _("Shared with: Other"),
    _("Shared with any partner"),
    # summaries/figures.py
    _("Under 1 day"),
    _("1-7 days"),
    _("8-30 days"),
    _("Over 30 days"),
    # summaries/suppression.py
    _("suppressed"),
    # summaries/periods.py: the refusals shown above a summary
    _("Use a month (2025-03), week (2025-W10), quarter, year or school year."),
    _("That date does not exist."),
    _("The range must run forwards and span at most three years."),
    _("That period has not begun yet: choose one that has."),
    _("Give the school year as the year it starts in, e.g. 2024 for 2024-25."),
)
