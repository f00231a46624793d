"""A principal and a district admin look at their summaries in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.staff import sign_in

from .datasets import march_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_a_principal_the_school_summary(page, personas, artifacts_dir, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 2
    march_dataset(personas.school_a, personas.school_b)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "paul@example.org")
    page.goto(f"/summaries/schools/{personas.school_a.pk}/?period=2025-03")
    expect(page.get_by_role("heading", name="Lincoln High")).to_be_visible()
    expect(page.get_by_role("img", name="Tips by category")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "summary-school.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts_dir / "summary-school-print.png"), full_page=True)
    page.emulate_media(media="screen")
    assert serious_violations(page) == []


def test_it_shows_a_district_admin_the_roll_up_and_annual_report(
    page, personas, artifacts_dir, settings
):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 2
    march_dataset(personas.school_a, personas.school_b)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "dana@example.org")
    district_id = personas.school_a.district_id
    page.goto(f"/summaries/districts/{district_id}/?period=2025-03")
    page.get_by_role("link", name="Tips", exact=True).click()
    page.wait_for_url("**sort=reports**")
    page.screenshot(path=str(artifacts_dir / "summary-district.png"), full_page=True)
    assert serious_violations(page) == []
    page.goto(f"/summaries/districts/{district_id}/annual-report/?year=2024")
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts_dir / "summary-annual-print.png"), full_page=True)
    page.pdf(path=str(artifacts_dir / "summary-annual.pdf"))
