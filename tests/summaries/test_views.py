"""Who may open which summary (404 for everyone else), and what the pages show."""

import pytest
from django.urls import reverse

from tipline.models import Tip

from .datasets import march_dataset

SECRET = "Jordan in 10B said he would bring his brother's gun"


@pytest.fixture
def dataset(personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 0
    cases = march_dataset(personas.school_a, personas.school_b)
    case = cases["c3"]
    Tip.objects.create(
        case=case, school=case.school, channel="web", category="threat", body=SECRET,
        who_involved="Jordan", location="Gym",
    )  # fmt: skip
    return cases


def school_url(school, name="summaries:school", *args):
    return reverse(name, args=[school.pk, *args]) + "?period=2025-03"


def district_url(district_id, name="summaries:district"):
    return reverse(name, args=[district_id]) + "?period=2025-03"


SCHOOL_NAMES = ["summaries:school", "summaries:school_case_list"]
DISTRICT_NAMES = [
    "summaries:district",
    "summaries:district_case_list",
    "summaries:annual",
    "summaries:annual_csv",
]


@pytest.mark.parametrize("name", SCHOOL_NAMES)
def test_it_sends_anonymous_visitors_to_sign_in(client, personas, name):
    response = client.get(school_url(personas.school_a, name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", DISTRICT_NAMES)
def test_it_sends_anonymous_visitors_to_sign_in_from_district_pages(client, personas, name):
    response = client.get(district_url(personas.school_a.district_id, name))
    assert response.status_code == 302


@pytest.mark.parametrize("name", SCHOOL_NAMES)
def test_it_hides_another_schools_summary(client_for, personas, name):
    assert (
        client_for(personas.counselor_b).get(school_url(personas.school_a, name)).status_code == 404
    )
    assert (
        client_for(personas.principal_a).get(school_url(personas.school_b, name)).status_code == 404
    )
    other = client_for(personas.other_district_admin)
    assert other.get(school_url(personas.school_a, name)).status_code == 404


def test_it_hides_a_school_csv_from_the_wrong_school(client_for, personas):
    url = school_url(personas.school_a, "summaries:school_csv", "categories")
    assert client_for(personas.counselor_b).get(url).status_code == 404


@pytest.mark.parametrize("name", DISTRICT_NAMES)
def test_it_shows_district_pages_to_that_districts_admins_only(client_for, personas, name):
    district_id = personas.school_a.district_id
    for user in (personas.principal_a, personas.counselor_a, personas.other_district_admin):
        assert client_for(user).get(district_url(district_id, name)).status_code == 404


def test_it_shows_a_principal_their_schools_figures(client_for, personas, dataset):
    response = client_for(personas.principal_a).get(school_url(personas.school_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lincoln High" in page
    assert "Roosevelt Middle" not in page
    summary = response.context["summary"]
    assert summary.headline["reports"].value == 6
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page


@pytest.mark.parametrize("persona", ["counselor_a", "principal_a", "district_admin"])
def test_it_lets_every_allowed_role_open_the_school_summary(client_for, personas, persona):
    response = client_for(getattr(personas, persona)).get(school_url(personas.school_a))
    assert response.status_code == 200


def test_it_never_shows_tip_text(client_for, personas, dataset):
    client = client_for(personas.district_admin)
    urls = [
        school_url(personas.school_a),
        school_url(personas.school_a, "summaries:school_csv", "all"),
        school_url(personas.school_a, "summaries:school_case_list"),
        district_url(personas.school_a.district_id),
        district_url(personas.school_a.district_id, "summaries:district_case_list"),
        reverse("summaries:annual", args=[personas.school_a.district_id]) + "?year=2024",
    ]
    for url in urls:
        response = client.get(url)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        assert response.status_code == 200
        for secret in (SECRET, "Jordan", "Gym", dataset["c3"].reference):
            assert secret not in body, (url, secret)


def test_it_sorts_the_district_roll_up(client_for, personas, dataset):
    client = client_for(personas.district_admin)
    district_id = personas.school_a.district_id
    names = lambda response: [row[0].value for row in response.context["summary"].tables[0].rows]  # noqa: E731
    by_reports = client.get(district_url(district_id) + "&sort=reports&dir=desc")
    assert names(by_reports) == ["Lincoln High", "Roosevelt Middle"]
    ascending = client.get(district_url(district_id) + "&sort=reports")
    assert names(ascending) == ["Roosevelt Middle", "Lincoln High"]
    assert 'aria-sort="ascending"' in ascending.content.decode()
    by_name = client.get(district_url(district_id) + "&sort=nonsense")
    assert names(by_name) == ["Lincoln High", "Roosevelt Middle"]
    footer = by_reports.context["summary"].tables[0].footer[0]
    assert footer[1].value == 7


def test_it_shows_previous_period_beside_each_figure(client_for, personas, dataset):
    response = client_for(personas.principal_a).get(school_url(personas.school_a))
    rows = {row[0].value: row for row in response.context["summary"].table("overview").rows}
    assert [c.display for c in rows["Tips received (cases opened)"][1:]] == ["6", "2", "+4"]
    assert "February 2025" in response.content.decode()


def test_it_explains_an_unreadable_period(client_for, personas):
    response = client_for(personas.principal_a).get(
        reverse("summaries:school", args=[personas.school_a.pk]) + "?period=2025-13"
    )
    assert response.status_code == 400
    assert "Showing this month instead" in response.content.decode()


def test_it_links_summaries_from_the_navigation(client_for, personas):
    response = client_for(personas.principal_a).get(reverse("summaries:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("summaries:school", args=[personas.school_a.pk])
    home = client_for(personas.principal_a).get(reverse("accounts:home")).content.decode()
    assert f'href="{reverse("summaries:home")}"' in home
    admin = client_for(personas.district_admin).get(reverse("summaries:home"))
    assert admin["Location"] == reverse("summaries:district", args=[personas.school_a.district_id])
