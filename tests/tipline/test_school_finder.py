"""The public school finder forgives typos, accents, initials and short names."""

import pytest

from tests.factories import SchoolFactory
from tipline import school_finder
from tipline.school_finder import edit_distance, plain_words, schools_find

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_schools(personas):
    """Beside the personas' Lincoln High and Roosevelt Middle (same district)."""
    district = personas.school_a.district
    SchoolFactory(district=district, name="Lincoln Middle School", slug="lincoln-middle")
    SchoolFactory(district=district, name="José Martí Elementary", slug="jose-marti")
    SchoolFactory(
        district=district,
        name="Polytechnic High School",
        slug="polytechnic",
        short_names="Central Tech\nPoly",
    )
    SchoolFactory(
        district=district, name="Lincoln Academy", slug="lincoln-academy", is_active=False
    )
    return personas


def _names(query: str) -> list[str]:
    return [school.name for school in schools_find(query=query)]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Lincon", "Lincoln High"),
        ("lincoln high", "Lincoln High"),
        ("lincoln hs", "Lincoln High"),
        ("LHS", "Lincoln High"),
        ("L.H.S.", "Lincoln High"),
        ("LMS", "Lincoln Middle School"),
        ("lincoln midle", "Lincoln Middle School"),
        ("Roosvelt", "Roosevelt Middle"),
        ("roosevlet middle", "Roosevelt Middle"),
        ("linc", "Lincoln High"),
        ("jose marti", "José Martí Elementary"),
        ("JOSÉ MARTÍ", "José Martí Elementary"),
        ("Marty", "José Martí Elementary"),
        ("central tech", "Polytechnic High School"),
        ("the poly school", "Polytechnic High School"),
    ],
)
def test_it_finds_the_school_meant(district_schools, query, first):
    assert _names(query)[0] == first


def test_it_finds_nothing_for_words_no_school_has(district_schools):
    assert _names("zzz") == []
    assert _names("washington") == []
    assert _names("") == [] and _names("  ") == []


def test_it_never_offers_an_inactive_school(district_schools):
    assert "Lincoln Academy" not in _names("lincoln")
    assert "Lincoln Academy" not in _names("lincoln academy")


def test_it_lists_every_school_a_word_fits_the_closest_first(district_schools):
    assert _names("lincoln") == ["Lincoln High", "Lincoln Middle School"]
    assert _names("lincoln middle")[0] == "Lincoln Middle School"


def test_it_answers_the_type_ahead_and_the_landing_page(client, district_schools):
    results = client.get("/schools/search/?q=Lincon", HTTP_HX_REQUEST="true").content.decode()
    assert 'href="/s/lincoln-high/"' in results and 'href="/s/lincoln-middle/"' in results
    assert "Roosevelt" not in results
    assert 'href="/s/lincoln-high/"' in client.get("/?q=LHS").content.decode()
    assert 'href="/s/roosevelt-middle/"' in client.get("/?q=Roosvelt").content.decode()


def test_it_keeps_the_school_list_per_process_when_asked(
    district_schools, settings, django_assert_num_queries
):
    settings.TIPLINE_SCHOOL_CACHE_SECONDS = 30
    school_finder._kept = (0.0, None)
    try:
        with django_assert_num_queries(1):
            assert _names("Lincon")[0] == "Lincoln High"
        with django_assert_num_queries(0):
            assert _names("Roosvelt") == ["Roosevelt Middle"]
    finally:
        school_finder._kept = (0.0, None)
    settings.TIPLINE_SCHOOL_CACHE_SECONDS = 0
    with django_assert_num_queries(1):
        _names("Lincon")


def test_it_compares_words_without_case_accents_or_punctuation():
    assert plain_words("José MARTÍ H.S.") == ["jose", "marti", "h", "s"]
    assert plain_words("Peña’s “Ñandú”") == ["penas", "nandu"]
    assert edit_distance("lincon", "lincoln", 1) == 1
    assert edit_distance("roosvelt", "roosevelt", 2) == 1
    assert edit_distance("licnoln", "lincoln", 2) == 1  # a swap of neighbours counts once
    assert edit_distance("washington", "lincoln", 2) == 3  # "more than the limit"


def test_it_lists_schools_from_the_first_letter_typed(district_schools):
    assert _names("r") == ["Roosevelt Middle"]
    assert _names("L") == ["Lincoln High", "Lincoln Middle School"]


def test_it_tells_students_that_initials_and_misspellings_work(client, district_schools):
    assert "like LHS" in client.get("/").content.decode()
    spanish = client.get("/?q=Lincon", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No hace falta escribirlo bien" in spanish and 'href="/s/lincoln-high/"' in spanish
