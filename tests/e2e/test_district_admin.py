"""A district admin runs the district in a real browser: invites a staff member, reorders an
on-call list, adds a school's SMS number, rotates a push source's token and changes a policy;
then reads it all on the changes page. No CSP complaint in the console; axe-core clean."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import AdminChange, DistrictPolicy, OnCallContact, PhoneNumber, User
from alerts.models import Source, SourceKind
from alerts.services import source_for_push_token
from tests.e2e.staff import sign_in

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}


def _csp_watch(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def _tab(page, name: str) -> None:
    page.get_by_role("navigation", name="District pages").get_by_role("link", name=name).click()
    expect(
        page.get_by_role("navigation", name="District pages").get_by_role("link", name=name)
    ).to_have_attribute("aria-current", "page")


def test_it_runs_the_district_from_the_product(new_context, personas, artifacts_dir):
    OnCallContact.objects.create(school=personas.school_a, user=personas.counselor_a, position=1)
    OnCallContact.objects.create(school=personas.school_a, user=personas.principal_a, position=2)
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Vendor feed"
    )
    source.schools.set([personas.school_a])
    page = new_context(viewport=DESKTOP).new_page()
    csp = _csp_watch(page)
    sign_in(page, "dana@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="District").click()
    page.wait_for_url(re.compile(r"/staff/district/\d+/$"))
    expect(page.get_by_role("heading", name="Running Front Range")).to_be_visible()
    assert serious_violations(page) == []

    # Invite a staff member.
    _tab(page, "Staff")
    page.get_by_role("link", name="Invite a staff member").click()
    page.get_by_label("Email address").fill("maria@example.org")
    page.get_by_label("Full name").fill("Maria Nueva")
    page.get_by_label("Role at Lincoln High").select_option("counselor")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status").filter(has_text="Invitation sent")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("maria@example.org"))).to_contain_text(
        "invited, no password yet"
    )
    assert [message.to for message in mail.outbox] == [["maria@example.org"]]
    page.screenshot(path=str(artifacts_dir / "district-staff.png"), full_page=True)

    # Reorder the on-call list: Paul first.
    _tab(page, "On-call lists")
    lincoln = page.locator(f"#school-{personas.school_a.id}")
    assert serious_violations(page) == []  # (before a click leaves the pointer on a button)
    lincoln.get_by_role("button", name="Move Paul Principal up").click()
    expect(lincoln.get_by_role("listitem").first).to_contain_text("Paul Principal")
    assert [
        contact.user.email
        for contact in OnCallContact.objects.filter(school=personas.school_a).order_by("position")
    ] == ["paul@example.org", "alice@example.org"]
    page.screenshot(path=str(artifacts_dir / "district-on-call.png"), full_page=True)

    # Add an SMS number: a wrong one first, which is refused with its reason.
    _tab(page, "SMS numbers")
    page.get_by_role("textbox", name="Number").fill("303-555-0142")
    page.get_by_role("button", name="Add the number").click()
    expect(page.get_by_text("Enter the number in international form")).to_be_visible()
    page.get_by_role("textbox", name="Number").fill("+13035550142")
    page.get_by_role("combobox", name="School").select_option(label="Lincoln High")
    page.get_by_role("button", name="Add the number").click()
    expect(page.get_by_role("row", name=re.compile(r"\+13035550142"))).to_contain_text(
        "Lincoln High"
    )
    assert PhoneNumber.objects.get(number="+13035550142").school == personas.school_a

    # Rotate a source's token: shown once.
    _tab(page, "Alert sources")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Rotate the token of Vendor feed").click()
    token_box = page.get_by_label("Token")
    expect(token_box).to_have_value(re.compile(r".{40,}"))
    token = token_box.input_value()
    assert source_for_push_token(token) == source
    assert serious_violations(page) == []
    page.get_by_role("link", name="I have copied it").click()
    expect(page.get_by_role("heading", name="Running Front Range")).to_be_visible()
    assert token not in page.content()

    # Change a policy.
    _tab(page, "Policies and hours")
    step = page.get_by_label(re.compile("call-down: wait before the next contact"))
    step.fill("120")
    page.get_by_role("button", name="Save the policy").click()
    expect(page.get_by_role("status").filter(has_text="policy is saved")).to_be_visible()
    assert (
        DistrictPolicy.objects.get(district=personas.school_a.district).calldown_step_seconds == 120
    )
    assert serious_violations(page) == []
    page.screenshot(path=str(artifacts_dir / "district-policy.png"), full_page=True)

    # Every change is on the changes page.
    _tab(page, "Changes")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(1 + 5)
    expect(page.get_by_role("table")).to_contain_text("300 → 120")
    assert token not in page.content()
    assert serious_violations(page) == []
    page.screenshot(path=str(artifacts_dir / "district-changes.png"), full_page=True)
    assert AdminChange.objects.count() == 5
    assert User.objects.filter(email="maria@example.org", is_active=True).exists()
    assert csp == []


def test_it_shows_a_principal_their_school_read_only_on_a_phone(new_context, personas):
    OnCallContact.objects.create(school=personas.school_a, user=personas.counselor_a, position=1)
    page = new_context().new_page()
    csp = _csp_watch(page)
    sign_in(page, "paul@example.org")
    page.get_by_role("button", name="Toggle navigation").click()
    expect(page.locator("#staff-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="District").click()
    expect(page.get_by_role("heading", name="Front Range: your school")).to_be_visible()
    _tab(page, "On-call lists")
    expect(page.get_by_role("listitem").filter(has_text="Alice Counselor")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Move|Remove"))).to_have_count(0)
    assert serious_violations(page) == []
    _tab(page, "Policies and hours")
    expect(page.get_by_role("button", name="Save the policy")).to_have_count(0)
    assert serious_violations(page) == []
    assert csp == []


def test_it_keeps_every_admin_page_accessible_on_a_phone(new_context, personas, artifacts_dir):
    Source.objects.create(district=personas.school_a.district, kind=SourceKind.PUSH, name="Feed")
    OnCallContact.objects.create(school=personas.school_a, user=personas.counselor_a, position=1)
    OnCallContact.objects.create(school=personas.school_a, user=personas.principal_a, position=2)
    page = new_context().new_page()
    csp = _csp_watch(page)
    sign_in(page, "dana@example.org")
    base = f"/staff/district/{personas.school_a.district_id}/"
    for path in [
        "",
        "staff/",
        "staff/invite/",
        f"staff/{personas.counselor_a.id}/",
        "on-call/",
        "numbers/",
        "sources/",
        "sources/new/",
        "policy/",
        f"schools/{personas.school_a.id}/hours/",
        "changes/",
    ]:
        page.goto(base + path)
        expect(page.get_by_role("heading", name="Running Front Range")).to_be_visible()
        assert serious_violations(page) == [], path
    page.goto(base + "on-call/")
    page.screenshot(path=str(artifacts_dir / "district-on-call-phone.png"), full_page=True)
    assert csp == []
