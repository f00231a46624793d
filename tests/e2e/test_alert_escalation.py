"""An alert arrives through the push API, a counselor escalates it in two clicks, and the
case page shows the post."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from alerts.models import Source, SourceKind
from alerts.services import source_push_token_issue
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_TEXT = "I'm going to shoot everyone at Lincoln High tomorrow at lunch"


def test_it_turns_an_alert_into_a_case(page, personas, artifacts_dir):
    personas.school_a.alert_terms = "Lincoln High\nLHS"
    personas.school_a.save()
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Monitor"
    )
    source.schools.set([personas.school_a])
    token = source_push_token_issue(source=source)
    pushed = Client().post(
        "/api/v1/alerts/posts/",
        {
            "posts": [
                {
                    "external_id": "e2e-1",
                    "text": POST_TEXT,
                    "author": "@angry_kid",
                    "url": "https://social.example/angry_kid/1",
                }
            ]
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert pushed.json()["alerts"] == 1

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    page.get_by_role("link", name="Alerts").click()
    page.wait_for_url("**/alerts/")
    card = page.locator("article.alert-card").first
    expect(card.locator("mark", has_text="shoot")).to_be_visible()
    expect(card.get_by_text("@angry_kid")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "alerts-feed.png"), full_page=True)

    card.get_by_role("button", name="Escalate").click()
    card.get_by_role("button", name="Open a new case").click()
    link = page.locator("article.alert-card .status-line a")
    link.wait_for()
    page.screenshot(path=str(artifacts_dir / "alerts-escalated.png"), full_page=True)
    link.click()
    page.wait_for_url("**/staff/cases/*/")
    page.screenshot(path=str(artifacts_dir / "alerts-case.png"), full_page=True)
    expect(page.get_by_text(POST_TEXT)).to_be_visible()
    expect(page.get_by_text("@angry_kid")).to_be_visible()
