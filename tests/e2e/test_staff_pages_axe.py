"""Every staff page, at a phone's width and a desktop's: axe finds no serious WCAG 2.1 AA
violation and Chromium reports no Content-Security-Policy violation in the console.

Not a hand-kept list: the pages are the project's routed URLs (every namespace but the
tipsters' pages, Twilio's webhooks, the API and Django's admin) that answer a signed-in
district admin's GET with an HTML page, their arguments filled with demo objects (a case with
a tip, a message and a note; an alert; a school, its district, a source). A page added later
by anyone is swept without being named here. One browser context, signed in once, visits them
all at both widths.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from alerts.models import Alert, Source, SourceKind
from alerts.services import source_push_token_issue
from cases.models import Channel
from cases.services.workflow import case_note_add
from tests.e2e.axe import serious_violations
from tests.e2e.staff import sign_in
from tests.factories import case_factory
from tests.routes import named_routes
from tests.summaries.datasets import march_dataset
from tipline.services.tips import message_from_reporter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = ({"width": 390, "height": 844}, {"width": 1280, "height": 900})
NOT_STAFF = ("public:", "sms:", "admin:", "api:")
# Pages a signed-in person is sent away from or that end the session: nothing to sweep.
NOT_PAGES = ("accounts:login", "accounts:logout")
THREAT = "I'm going to shoot everyone at Lincoln High tomorrow at lunch"


def staff_routes() -> list[tuple[str, tuple]]:
    return sorted(
        (name, kwargs)
        for name, kwargs in named_routes()
        if not name.startswith(NOT_STAFF) and name not in NOT_PAGES
    )


def _pushed_alert(school) -> Alert:
    school.alert_terms = "Lincoln High"
    school.save()
    source = Source.objects.create(district=school.district, kind=SourceKind.PUSH, name="Feed")
    source.schools.set([school])
    token = source_push_token_issue(source=source)
    post = {"external_id": "axe-1", "text": THREAT, "author": "@a"}
    response = Client().post(
        "/api/v1/alerts/posts/",
        {"posts": [post]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["alerts"] == 1
    return Alert.objects.get()


def _demo_values(personas) -> dict:
    case = case_factory(
        personas.school_a, body="Kids are fighting behind the gym", alias="Blue Heron"
    )
    reporter = case.tips.get().reporter
    message_from_reporter(case=case, reporter=reporter, body="it was at lunch", channel=Channel.WEB)
    case_note_add(case=case, actor=personas.counselor_a, body="called the dean")
    life_safety = case_factory(personas.school_a, category="weapon", alias="Red Fox")
    alert = _pushed_alert(personas.school_a)
    march_dataset(personas.school_a, personas.school_b)
    return {
        "case_id": case.id,
        "school_id": personas.school_a.id,
        "district_id": personas.school_a.district_id,
        "source_id": alert.source_id,
        "alert_id": alert.id,
        "slug": personas.school_a.slug,
        "life_safety_id": life_safety.id,
    }


def staff_pages(client: Client, values: dict) -> list[str]:
    """The URLs of every routed staff page that a GET answers with HTML, as `client`."""
    pages = []
    for name, kwargs in staff_routes():
        if not set(kwargs) <= set(values):
            continue  # a route no demo object fills (password-reset links, token ids)
        url = reverse(name, kwargs={key: values[key] for key in kwargs})
        response = client.get(url)
        if (
            response.status_code == 200
            and response["Content-Type"].startswith("text/html")
            and b"<html" in response.content[:500]  # a page, not an htmx fragment
        ):
            pages.append(url)
    return pages


def test_it_finds_the_staff_pages_it_sweeps(personas):
    """The discovery is not empty-handed: the case page, the queue, the alert feed, the
    summaries and the audit page are among what it finds; files and fragments are not."""
    values = _demo_values(personas)
    client = Client()
    client.force_login(personas.district_admin)
    pages = staff_pages(client, values)
    for expected in (
        "/staff/cases/",
        f"/staff/cases/{values['case_id']}/",
        f"/staff/cases/{values['case_id']}/audit/",
        "/alerts/",
        f"/summaries/districts/{values['district_id']}/",
        f"/summaries/schools/{values['school_id']}/",
        f"/summaries/districts/{values['district_id']}/annual-report/",
    ):
        assert expected in pages
    assert not any(url.endswith((".csv", ".svg")) for url in pages)
    assert f"/alerts/{values['alert_id']}/" not in pages  # one card, swapped in by htmx


def test_it_finds_no_axe_or_csp_violation_on_any_staff_page(new_context, personas):
    values = _demo_values(personas)
    client = Client()
    client.force_login(personas.district_admin)
    pages = staff_pages(client, values)
    pages.append(f"/staff/cases/{values['life_safety_id']}/")
    context = new_context(viewport=WIDTHS[0])
    page = context.new_page()
    csp: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    sign_in(page, personas.district_admin.email)
    found = {}
    for viewport in WIDTHS:
        page.set_viewport_size(viewport)
        for url in pages:
            page.goto(url, wait_until="networkidle")
            expect(page.locator("main")).to_be_visible()
            violations = serious_violations(page)
            if violations:
                found[f"{viewport['width']}px {url}"] = violations
    print(f"swept {len(pages)} pages at {len(WIDTHS)} widths: {pages}")
    assert found == {}, json.dumps(found, indent=1)
    assert csp == [], "\n".join(csp)
