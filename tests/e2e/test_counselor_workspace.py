"""A counselor triages, messages, merges and closes a case, at desktop and phone widths,
with axe-core on the queue and case pages."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, CaseStatus
from tests.e2e.staff import sign_in
from tests.factories import case_factory
from tipline.models import Message

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _shot(page, artifacts_dir, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"workspace-{name}.png"), full_page=True)


def test_it_runs_a_case_from_queue_to_closed(page, personas, artifacts_dir):
    case = case_factory(
        personas.school_a, body="Kids are fighting behind the gym after school", alias="Blue Heron"
    )
    duplicate = case_factory(
        personas.school_a, body="Fight planned behind the gym", alias="Red Fox"
    )
    case_factory(personas.school_b, body="Not Alice's school", alias="Blue Heron")
    page.set_viewport_size(DESKTOP)
    sign_in(page, "alice@example.org")

    page.get_by_role("link", name="Cases").first.click()
    page.wait_for_url("**/staff/cases/")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    assert serious_violations(page) == []
    _shot(page, artifacts_dir, "queue-desktop")

    # Filters swap the list in place (htmx) and keep the URL shareable.
    page.get_by_label("Search", exact=True).fill("gym after")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=gym%20after**")
    page.locator("#queue-announcer", has_text="1 case found").wait_for(state="attached")
    expect(page.locator("#case-queue tbody tr")).to_have_count(1)

    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(f"**/staff/cases/{case.id}/")
    expect(page.get_by_text("Kids are fighting behind the gym")).to_be_visible()
    assert serious_violations(page) == []
    _shot(page, artifacts_dir, "case-desktop")

    page.get_by_label("Move to").select_option("triaged")
    page.get_by_role("button", name="Change status").click()
    page.locator("#case-announcer", has_text="Status changed to Triaged").wait_for()
    page.get_by_role("button", name="Assign to me").click()
    page.locator("#case-announcer", has_text="assigned to Alice").wait_for()

    page.get_by_label("Message to the tipster").fill("Thank you. Is anyone hurt?")
    page.get_by_role("button", name="Send reply").click()
    page.locator("#case-announcer", has_text="sent to the tipster").wait_for()
    page.get_by_role("textbox", name="Internal note").fill("Asked the PE teacher to keep watch")
    page.get_by_role("button", name="Save note").click()
    page.locator(".tl-note", has_text="PE teacher").wait_for()

    page.get_by_label("Case reference").first.fill(duplicate.reference)
    page.get_by_role("button", name="Merge that case into this one").click()
    page.get_by_text("Fight planned behind the gym").wait_for()

    page.get_by_text("Resolve with an outcome").click()
    page.get_by_label("Outcome").select_option("safety_plan")
    page.get_by_label("Summary of what was done").fill("Met both groups; safety plan in place")
    page.get_by_label("Close the case now too").check()
    page.get_by_role("button", name="Resolve").click()
    page.locator("#case-announcer", has_text="resolved").wait_for()
    _shot(page, artifacts_dir, "case-closed-desktop")
    assert serious_violations(page) == []

    case.refresh_from_db()
    assert (case.status, case.outcome, case.assignee) == (
        CaseStatus.CLOSED,
        "safety_plan",
        personas.counselor_a,
    )
    assert Case.objects.get(id=duplicate.id).merged_into_id == case.id
    assert Message.objects.get().body == "Thank you. Is anyone hurt?"

    page.set_viewport_size(PHONE)
    page.reload()
    _shot(page, artifacts_dir, "case-phone")
    page.goto("/staff/cases/?queue=all&status=closed")
    _shot(page, artifacts_dir, "queue-phone")
    assert serious_violations(page) == []


def test_it_shows_a_second_counselor_that_the_case_changed(page, personas, artifacts_dir):
    case = case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    page.set_viewport_size(DESKTOP)
    sign_in(page, "alice@example.org")
    page.goto(f"/staff/cases/{case.id}/")
    Case.objects.filter(id=case.id).update(version=case.version + 1)  # someone else acted
    page.get_by_label("Move to").select_option("in_progress")
    page.get_by_role("button", name="Change status").click()
    page.locator("#case-announcer", has_text="Someone else changed this case").wait_for()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^\s*Someone else changed this case")
    )
    assert Case.objects.get(id=case.id).status == CaseStatus.NEW
    page.get_by_role("button", name="Acknowledge: I have this case").click()
    page.locator("#case-announcer", has_text="Acknowledged").wait_for()
    _shot(page, artifacts_dir, "case-stale-acknowledged")
