"""The README tour's second half, in the browser: a counselor enters a walk-in tip, shares
the case with the police for 72 hours; the officer opens the emailed link, asks for a code,
enters it (read from the email, as they would), reads the case and adds a note; the
counselor sees the note and revokes; the link then refuses. A second share that expires is
refused too."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseShare
from tests.e2e.staff import sign_in
from tests.workspace.partner_support import CODE, LINK, police
from tipline.models import Tip

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}
OFFICER = "officer@police.example.org"


def _last_email_to(address: str) -> str:
    return [m for m in mail.outbox if m.to == [address]][-1].body


def _share(page) -> str:
    """Share the open case with the officer (72 hours, the default); the link's path."""
    sent = len(mail.outbox)
    page.get_by_label("Share with").select_option(
        label="Front Range Police (Police): Officer Reyes"
    )
    expect(page.get_by_label("Access ends after")).to_have_value("72")
    page.get_by_role("button", name="Share the case").click()
    notice = page.locator(
        "#case-workspace .alert-success", has_text="the link went to Officer Reyes"
    )
    expect(notice).to_be_visible()
    assert len(mail.outbox) == sent + 1
    return f"/partner/{LINK.search(_last_email_to(OFFICER)).group(1)}/"


def _open_with_code(partner, link: str) -> None:
    partner.goto(link)
    expect(partner.get_by_role("button", name="Send me a code")).to_be_visible()
    partner.get_by_role("button", name="Send me a code").click()
    expect(partner.get_by_text("A code is on its way")).to_be_visible()
    code = CODE.search(_last_email_to(OFFICER)).group(1)
    partner.get_by_label("Your one-time code").fill(code)
    partner.get_by_role("button", name="Open the case").click()


def test_a_walk_in_tip_is_shared_with_the_police_who_read_it_and_answer(
    new_context, personas, artifacts_dir
):
    police(personas.school_a.district)
    staff = new_context(viewport=DESKTOP).new_page()
    sign_in(staff, "alice@example.org")

    # The counselor enters the tip a student brought to her office.
    staff.goto("/staff/cases/")
    staff.get_by_role("link", name="Enter a tip you received").click()
    staff.wait_for_url("**/staff/tips/new/")
    assert serious_violations(staff) == []
    staff.get_by_label("In person").check()
    staff.get_by_label("What was said").fill("Jordan showed a knife in the locker room today.")
    staff.get_by_label("What is it about?").select_option(label="Weapon")
    staff.get_by_label("No", exact=True).check()
    staff.get_by_role("button", name="Store the tip").click()
    tip = Tip.objects.get()
    staff.wait_for_url(f"**/staff/cases/{tip.case_id}/")
    expect(staff.get_by_text("In person, entered by Alice Counselor")).to_be_visible()
    expect(staff.get_by_text("Life safety").first).to_be_visible()

    # She shares it with the police for 72 hours.
    link = _share(staff)
    staff.screenshot(path=str(artifacts_dir / "partner-share-staff.png"), full_page=True)

    # The officer opens the link: nothing of the case until the code.
    partner = new_context().new_page()
    partner.goto(link)
    expect(partner.get_by_role("button", name="Send me a code")).to_be_visible()
    expect(partner.get_by_text("knife")).to_have_count(0)
    _open_with_code(partner, link)
    expect(partner.get_by_text("Jordan showed a knife in the locker room today.")).to_be_visible()
    expect(partner.locator("#shared-priority")).to_have_text("Life safety")
    assert serious_violations(partner) == []
    partner.screenshot(path=str(artifacts_dir / "partner-case-phone.png"), full_page=True)

    # The officer adds a note; the counselor sees it as the partner's.
    partner.get_by_label("Add a note for the school").fill("Spoke with the family at 4 pm.")
    partner.get_by_role("button", name="Add the note").click()
    expect(partner.get_by_text("Your note was added to the case.")).to_be_visible()
    staff.reload()
    expect(staff.get_by_text("Spoke with the family at 4 pm.")).to_be_visible()
    expect(staff.get_by_text("Front Range Police: Officer Reyes").first).to_be_visible()

    # The counselor revokes: the officer's open session is refused at once.
    staff.locator(".case-shares").get_by_role("button", name="Revoke").click()
    revoked = staff.locator("#case-workspace .alert-success", has_text="can no longer open")
    expect(revoked).to_be_visible()
    partner.reload()
    expect(partner.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(partner.get_by_text("knife")).to_have_count(0)

    # Shared again; this time the share runs out.
    link = _share(staff)
    _open_with_code(partner, link)
    expect(partner.get_by_text("Jordan showed a knife in the locker room today.")).to_be_visible()
    latest = CaseShare.objects.filter(revoked_at__isnull=True).get()
    CaseShare.objects.filter(id=latest.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    partner.reload()
    expect(partner.get_by_role("heading", name="This link does not work")).to_be_visible()
