"""Every staff page in Spanish for a Spanish reader: the counselor, the principal and the
district admin (each with language "es") open every routed staff page they can, and no
tell-tale English word is left in what the page says (its text and the words of its
aria-label, title, placeholder and alt attributes), once the data on it is set aside (names
of people, schools, districts, sources and agencies, and the demo tips, messages and notes,
which are in the language their writers used).

Not a hand-kept list of pages: the routes come from the URL resolver, as in
tests/workspace/test_audit_reads.py and tests/e2e/test_staff_pages_axe.py, so a page added
later is read in Spanish without being named here. The partner pages (a shared case's link,
read by someone with no account) are walked with a Spanish browser.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import District, PhoneNumber, School, User
from alerts.models import Alert, Source, SourceKind
from alerts.services import source_push_token_issue
from cases.models import Channel, PartnerAgency, PartnerContact
from cases.services.workflow import case_note_add
from tests.factories import case_factory
from tests.routes import named_routes
from tests.summaries.datasets import march_dataset
from tipline.services.tips import message_from_reporter

from .partner_support import police, share, verify

pytestmark = pytest.mark.django_db

NOT_STAFF = ("public:", "sms:", "admin:", "api:", "partner:")
NOT_PAGES = ("accounts:login", "accounts:logout")
TIP = "Kids are fighting behind the gym"
MESSAGE = "it was at lunch"
NOTE = "called the dean"
THREAT = "I'm going to shoot everyone at Lincoln High tomorrow at lunch"
# Words that say a page (or part of one) was left in English: common English words of the
# interface that are not also Spanish words. Whole words, case-sensitive as written.
ENGLISH = frozenset(
    [
        "the",
        "and",
        "with",
        "for",
        "your",
        "you",
        "Your",
        "You",
        "this",
        "that",
        "from",
        "have",
        "has",
        "not",
        "are",
        "was",
        "will",
        "Case",
        "Cases",
        "case",
        "cases",
        "School",
        "Schools",
        "Status",
        "Priority",
        "Category",
        "Categories",
        "Save",
        "Cancel",
        "Search",
        "Send",
        "Reply",
        "Settings",
        "Sign",
        "Welcome",
        "Assign",
        "Assigned",
        "Unassigned",
        "Overdue",
        "Open",
        "Closed",
        "Download",
        "Previous",
        "Next",
        "Back",
        "Delete",
        "Add",
        "Edit",
        "Name",
        "Phone",
        "Summary",
        "Summaries",
        "Alert",
        "Alerts",
        "Filter",
        "Show",
        "Hide",
        "None",
        "Yes",
        "Page",
        "Tips",
        "Tip",
        "Week",
        "Month",
        "Year",
        "Staff",
        "Sources",
        "Source",
        "Policy",
        "Policies",
        "Change",
        "Changes",
        "Remove",
        "Invite",
        "Role",
        "Roles",
        "Note",
        "Notes",
        "Message",
        "Messages",
        "Nobody",
        "minutes",
        "hours",
        "days",
        "ago",
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
        "Jan",
        "Apr",
        "Aug",
        "Dec",
        "January",
        "February",
        "April",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Acknowledge",
        "Acknowledged",
        "Resolve",
        "Resolved",
        "Triaged",
        "Escalate",
        "Escalated",
        "Dismiss",
        "Dismissed",
        "Reason",
        "Outcome",
        "Outcomes",
        "Watch",
        "Watching",
        "Members",
        "Deactivate",
        "Invited",
        "Active",
        "Inactive",
        "Order",
        "Up",
        "Down",
        "Revoke",
        "Partner",
        "Partners",
        "Shared",
        "Share",
        "Code",
        "Verify",
        "Submit",
        "Update",
        "Updated",
        "Created",
        "Opened",
        "Due",
        "Life",
        "safety",
        "Weapon",
        "Threat",
        "Bullying",
        "Other",
        "High",
        "Low",
        "Medium",
        "Urgent",
        "Normal",
        "Reports",
        "Report",
        "Annual",
        "Period",
    ]
)
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class _Said(HTMLParser):
    """The words a page says in its own language: text (not scripts or styles) and its
    labelling attributes, leaving out what is marked as another language (lang="en": the
    switcher's "English", the English half of a bilingual poster)."""

    VOID = frozenset(
        [
            "area",
            "base",
            "br",
            "col",
            "embed",
            "hr",
            "img",
            "input",
            "link",
            "meta",
            "source",
            "track",
            "wbr",
        ]
    )

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipping: list[str] = []  # the tag that opened the skip, and its nested twins
        self.language = "es"  # the page's own, from <html lang>

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.language = (attributes.get("lang") or "es")[:2]
            return
        if self._skipping:
            if tag == self._skipping[0] and tag not in self.VOID:
                self._skipping.append(tag)
            return
        other_language = (attributes.get("lang") or self.language)[:2] != self.language
        if (tag in ("script", "style") or other_language) and tag not in self.VOID:
            self._skipping.append(tag)
            return
        if other_language:
            return
        self.parts += [value for name, value in attrs if name in ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if self._skipping and tag == self._skipping[0]:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def said(html: str) -> str:
    parser = _Said()
    parser.feed(html)
    return " ".join(parser.parts)


def _routes_named(keep) -> list[tuple[str, tuple]]:
    return sorted((name, kwargs) for name, kwargs in named_routes() if keep(name))


def staff_routes():
    return _routes_named(lambda name: not name.startswith(NOT_STAFF) and name not in NOT_PAGES)


def _pushed_alert(school) -> Alert:
    school.alert_terms = "Lincoln High"
    school.save()
    source = Source.objects.create(district=school.district, kind=SourceKind.PUSH, name="Feed")
    source.schools.set([school])
    token = source_push_token_issue(source=source)
    response = Client().post(
        "/api/v1/alerts/posts/",
        {"posts": [{"external_id": "es-1", "text": THREAT, "author": "@a"}]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["alerts"] == 1
    return Alert.objects.get()


@pytest.fixture
def demo(personas):
    case = case_factory(personas.school_a, body=TIP, alias="Blue Heron")
    reporter = case.tips.get().reporter
    message_from_reporter(case=case, reporter=reporter, body=MESSAGE, channel=Channel.WEB)
    case_note_add(case=case, actor=personas.counselor_a, body=NOTE)
    life_safety = case_factory(personas.school_a, category="weapon", alias="Red Fox")
    alert = _pushed_alert(personas.school_a)
    march_dataset(personas.school_a, personas.school_b)
    contact = police(personas.school_a.district)
    share_row, token = share(case, contact, personas.counselor_a, with_messages=True)
    number = PhoneNumber.objects.create(number="+13035550199", district=personas.school_a.district)
    invited = personas.counselor_b  # a link to set a password: an invitation or a reset
    return {
        "user_id": personas.counselor_a.id,
        "number_id": number.id,
        "uidb64": urlsafe_base64_encode(force_bytes(invited.pk)),
        "token": token,
        "reset_token": default_token_generator.make_token(invited),
        "case_id": case.id,
        "school_id": personas.school_a.id,
        "district_id": personas.school_a.district_id,
        "source_id": alert.source_id,
        "alert_id": alert.id,
        "slug": personas.school_a.slug,
        "life_safety_id": life_safety.id,
        "share_id": share_row.id,
        "agency_id": contact.agency_id,
        "contact_id": contact.id,
        "contact": contact,
    }


def _data() -> list[str]:
    """What pages show as data: every name and address in the database, the demo's texts."""
    data = [TIP, MESSAGE, NOTE, THREAT, "Blue Heron", "Red Fox", "Lincoln High"]
    data += list(School.objects.values_list("name", flat=True))
    data += list(District.objects.values_list("name", flat=True))
    data += list(Source.objects.values_list("name", flat=True))
    data += list(PartnerAgency.objects.values_list("name", flat=True))
    for name, email in PartnerContact.objects.values_list("name", "email"):
        data += [name, email]
    for name, email in User.objects.values_list("full_name", "email"):
        data += [name, email]
    # the demo's case texts (seeded history, the tips' bodies as stored)
    return sorted({d for d in data if d}, key=len, reverse=True)


def english_left(text: str, data: list[str]) -> list[str]:
    for item in data:
        text = text.replace(item, " ")
    # Quoted words are someone's own (the phrases of a post that raised an alert).
    text = re.sub(r"“[^”]*”", " ", text)
    return sorted({word for word in re.findall(r"[A-Za-z]+", text) if word in ENGLISH})


def _spanish(user) -> User:
    User.objects.filter(id=user.id).update(language="es")
    user.refresh_from_db()
    return user


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    yield
    translation.deactivate()


def _walk(client, values, data) -> tuple[dict[str, list[str]], list[str]]:
    left, pages = {}, []
    for name, kwargs in staff_routes():
        if not set(kwargs) <= set(values):
            continue
        filled = {key: values[key] for key in kwargs}
        if name.startswith("accounts:") and "token" in kwargs:
            filled["token"] = values["reset_token"]  # not the partner link's token
        url = reverse(name, kwargs=filled)
        response = client.get(url, follow=True)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        pages.append(url)
        words = english_left(said(response.content.decode()), data)
        if words:
            left[url] = words
    return left, pages


@pytest.mark.parametrize("who", ["counselor_a", "principal_a", "district_admin"])
def test_every_staff_page_is_spanish_for_a_spanish_reader(personas, demo, who):
    user = _spanish(getattr(personas, who))
    client = Client()
    client.force_login(user)
    left, pages = _walk(client, demo, _data())
    assert "/staff/cases/" in pages or who == "principal_a"
    assert len(pages) >= 5
    assert left == {}


def test_the_walk_finds_english_when_it_is_there(personas, demo):
    """The check itself can fail: the same pages read by an English reader are full of it."""
    client = Client()
    client.force_login(personas.district_admin)
    left, pages = _walk(client, demo, _data())
    assert f"/staff/cases/{demo['case_id']}/" in pages
    assert len(left) >= len(pages) - 2


def test_the_partner_pages_are_spanish_for_a_spanish_browser(personas, demo):
    client = Client(headers={"accept-language": "es"})
    token = demo["token"]
    before = english_left(said(client.get(f"/partner/{token}/").content.decode()), _data())
    assert before == []
    verify(client, token, demo["contact"])
    data = _data()
    pages = 0
    for name, kwargs in _routes_named(lambda name: name.startswith("partner:")):
        if not set(kwargs) <= set(demo):
            continue
        response = client.get(reverse(name, kwargs={key: demo[key] for key in kwargs}))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages += 1
            assert english_left(said(response.content.decode()), data) == [], name
    assert pages >= 1
