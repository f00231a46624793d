"""The Content-Security-Policy (no inline script or style, our origin only) breaks no page:
Chromium reports no violation on the public pages, the staff workspace, the alerts feed,
the summaries and the API docs (vendored Swagger UI)."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from alerts.models import Source, SourceKind
from alerts.services import source_push_token_issue
from tests.factories import TEST_PASSWORD, SchoolFactory, case_factory
from tests.summaries.datasets import march_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}
THREAT = "I'm going to shoot everyone at Lincoln High tomorrow at lunch"


def _violations(page, found: list[str] | None = None) -> list[str]:
    """Console messages about the policy, collected into `found` for the life of the page."""
    found = [] if found is None else found
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def _visit(page, path: str) -> None:
    page.goto(path, wait_until="networkidle")


def _sign_in(page, email: str) -> None:
    _visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def _pushed_alert(school) -> None:
    school.alert_terms = "Lincoln High"
    school.save()
    source = Source.objects.create(district=school.district, kind=SourceKind.PUSH, name="Feed")
    source.schools.set([school])
    token = source_push_token_issue(source=source)
    post = {"external_id": "csp-1", "text": THREAT, "author": "@a"}
    response = Client().post(
        "/api/v1/alerts/posts/",
        {"posts": [post]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["alerts"] == 1


def test_it_reports_no_csp_violation_on_public_pages(page):
    SchoolFactory(name="Lincoln High", slug="lincoln-high")
    violations = _violations(page)
    _visit(page, "/")
    page.get_by_label("Find your school").fill("Linc")
    page.get_by_role("link", name="Lincoln High").click()
    page.wait_for_url("**/s/lincoln-high/")
    page.wait_for_load_state("networkidle")
    page.locator("#id_body").fill("Someone is selling vapes in the east bathroom")
    page.get_by_label("What is it about?").select_option("substances")
    page.get_by_label("Not sure").check()
    page.get_by_role("button", name="Send my tip").click()
    page.wait_for_selector("#receipt-code")
    code = page.locator("#receipt-code").inner_text().strip()
    page.wait_for_load_state("networkidle")
    _visit(page, "/followup/")
    page.get_by_label("Your receipt code").fill(code)
    page.get_by_role("button", name="Open my tip").click()
    page.wait_for_url("**/followup/thread/")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Your tip")).to_be_visible()
    assert violations == []


def test_it_reports_no_csp_violation_on_staff_pages_and_api_docs(
    page, new_context, personas, artifacts_dir, settings
):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 2
    case = case_factory(
        personas.school_a, body="Kids are fighting behind the gym", alias="Blue Heron"
    )
    _pushed_alert(personas.school_a)
    march_dataset(personas.school_a, personas.school_b)
    page.set_viewport_size(DESKTOP)
    violations = _violations(page)
    _sign_in(page, "alice@example.org")
    _visit(page, "/staff/cases/")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    _visit(page, f"/staff/cases/{case.id}/")
    expect(page.get_by_text("fighting behind the gym")).to_be_visible()
    _visit(page, "/alerts/")
    expect(page.locator("article.alert-card")).to_have_count(1)
    _visit(page, "/api/docs/")
    # Swagger UI really ran: it fetched the schema and drew the operations.
    page.locator(".opblock-summary-path", has_text="/api/v1/cases/").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "csp-api-docs.png"), full_page=False)

    principal = new_context(viewport=DESKTOP)
    summary_page = principal.new_page()
    _violations(summary_page, violations)
    _sign_in(summary_page, "paul@example.org")
    _visit(summary_page, f"/summaries/schools/{personas.school_a.pk}/?period=2025-03")
    expect(summary_page.get_by_role("img", name="Tips by category")).to_be_visible()
    district = personas.school_a.district_id
    principal.close()
    dana = new_context(viewport=DESKTOP)
    district_page = dana.new_page()
    _violations(district_page, violations)
    _sign_in(district_page, "dana@example.org")
    _visit(district_page, f"/summaries/districts/{district}/?period=2025-03")
    _visit(district_page, f"/summaries/districts/{district}/annual-report/?year=2024")
    dana.close()
    assert violations == []


def test_it_would_see_a_violation(page, personas):
    """The listener is not deaf: an inline script added to a page is refused and reported."""
    violations = _violations(page)
    _visit(page, "/")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.ran = true'; document.body.appendChild(s); }"
        )
    assert page.evaluate("() => window.ran === undefined")
    assert violations and "script-src" in violations[0]
