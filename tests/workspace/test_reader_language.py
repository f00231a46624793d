"""Category, priority and the reason for a priority are shown in the READER's language,
rendered from the case's codes: a Spanish tip about a weapon reads "Weapon" to an English
counselor and "Arma" to a Spanish one, and no stored label in the tipster's language
reaches the page."""

import pytest
from django.utils import translation

from accounts.models import User
from cases.models import Case, Category, PrioritySource
from tests.factories import case_factory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A request activates its language in this thread and leaves it there: later tests
    start from the site's default again."""
    yield
    translation.deactivate()


def _reader(user, language):
    User.objects.filter(id=user.id).update(language=language)
    user.refresh_from_db()
    return user


@pytest.fixture
def spanish_weapon_tip(personas):
    with translation.override("es"):  # the tipster filled in the Spanish form
        return case_factory(
            personas.school_a, category=Category.WEAPON, body="trae una pistola en la mochila"
        )


def test_it_stores_the_category_rule_in_no_tipsters_language(spanish_weapon_tip):
    case = Case.objects.get(id=spanish_weapon_tip.id)
    assert case.priority_source == PrioritySource.CATEGORY_RULE
    assert case.priority_reason == "Category: Weapon"


def test_it_shows_an_english_counselor_a_spanish_tips_category_in_english(
    client_for, personas, spanish_weapon_tip
):
    client = client_for(_reader(personas.counselor_a, "en"))
    html = client.get(f"/staff/cases/{spanish_weapon_tip.id}/").content.decode()
    assert "Category: Weapon" in html and "Life safety" in html
    assert "Arma" not in html and "Riesgo vital" not in html


def test_it_shows_a_spanish_counselor_the_same_case_in_spanish(
    client_for, personas, spanish_weapon_tip
):
    client = client_for(_reader(personas.counselor_a, "es"))
    html = client.get(f"/staff/cases/{spanish_weapon_tip.id}/").content.decode()
    assert "Categoría: Arma" in html and "Riesgo vital" in html
    assert "Regla de categoría" in html
    assert "Category: Weapon" not in html and "Life safety" not in html


def test_it_renders_a_label_stored_in_the_tipsters_language_from_its_code(
    client_for, personas, spanish_weapon_tip
):
    # A row written before the fix holds the label in the language of the tipster's form.
    Case.objects.filter(id=spanish_weapon_tip.id).update(priority_reason="Category: Arma")
    client = client_for(_reader(personas.counselor_a, "en"))
    html = client.get(f"/staff/cases/{spanish_weapon_tip.id}/").content.decode()
    assert "Category: Weapon" in html and "Arma" not in html


def test_it_says_a_scorer_raise_in_the_readers_language_with_the_phrase_as_written(
    client_for, personas
):
    case = case_factory(personas.school_a, category=Category.OTHER, body="I want to kill myself")
    assert case.priority_reason.startswith("Raised to life safety: '")
    client = client_for(_reader(personas.counselor_a, "es"))
    html = client.get(f"/staff/cases/{case.id}/").content.decode()
    assert "Elevado a riesgo vital: &#x27;kill myself&#x27;" in html


def test_it_keeps_a_counselors_own_reason_as_written(client_for, personas):
    case = case_factory(personas.school_a)
    Case.objects.filter(id=case.id).update(
        priority_reason="Category: parent called", priority_source=PrioritySource.COUNSELOR
    )
    client = client_for(_reader(personas.counselor_a, "es"))
    html = client.get(f"/staff/cases/{case.id}/").content.decode()
    assert "Category: parent called" in html


@pytest.mark.parametrize(
    "language, category, priority",
    [("en", "Weapon", "Life safety"), ("es", "Arma", "Riesgo vital")],
)
def test_it_lists_categories_and_priorities_in_the_readers_language(
    client_for, personas, spanish_weapon_tip, language, category, priority
):
    client = client_for(_reader(personas.counselor_a, language))
    html = client.get("/staff/cases/").content.decode()
    assert spanish_weapon_tip.reference in html
    assert f'<span class="badge text-bg-danger">{priority}</span>' in html
    assert f'<span class="badge text-bg-light border">{category}</span>' in html


@pytest.mark.parametrize(
    "language, expected",
    [("es", "Otra persona modificó este caso."), ("en", "Someone else changed this case.")],
)
def test_it_tells_the_actor_a_refusal_in_their_own_language(
    client_for, personas, language, expected
):
    case = case_factory(personas.school_a)
    client = client_for(_reader(personas.counselor_a, language))
    response = client.post(
        f"/staff/cases/{case.id}/status/", {"version": case.version + 5, "status": "triaged"}
    )
    assert response.status_code == 409
    assert expected in response.content.decode()
