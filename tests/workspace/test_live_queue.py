"""The queue a counselor keeps open: previews, inferred categories, counts that agree, the
live check, and the home page after sign-in."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from cases.models import Case, CaseEvent, CaseStatus, Channel
from cases.services.audit import case_previews_record
from cases.services.workflow import case_assign
from tests.factories import TEST_PASSWORD, case_factory
from tipline.services.tips import message_from_reporter, message_to_reporter

pytestmark = pytest.mark.django_db


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _preview_reads(user) -> set[int]:
    return set(
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.VIEWED, actor=user, data__what="preview"
        ).values_list("case_id", flat=True)
    )


def _fingerprint(html: str) -> str:
    return re.search(r'data-live-since="([^"]*)"', html)[1]


def test_it_previews_a_case_for_those_who_work_its_school_and_records_the_read(
    client_for, personas
):
    case = case_factory(personas.school_a, body="Vapes sold in the east bathroom", alias="Fox")
    html = _html(client_for(personas.counselor_a), "/staff/cases/")
    assert '<span class="case-preview">Vapes sold in the east bathroom</span>' in html
    assert _preview_reads(personas.counselor_a) == {case.id}


def test_it_shows_a_principal_no_preview_and_records_nothing(client_for, personas):
    case = case_factory(
        personas.school_a, category="weapon", body="a knife in locker 12", alias="Fox"
    )
    html = _html(client_for(personas.principal_a), "/staff/cases/")
    assert case.reference in html  # a life-safety case of their school: listed
    assert "locker 12" not in html
    assert _preview_reads(personas.principal_a) == set()


def test_it_never_lists_nor_previews_another_schools_case(client_for, personas):
    elsewhere = case_factory(personas.school_b, body="Words from Roosevelt", alias="Fox")
    html = _html(client_for(personas.counselor_a), "/staff/cases/")
    assert elsewhere.reference not in html and "Words from Roosevelt" not in html
    admin_html = _html(client_for(personas.district_admin), "/staff/cases/")
    assert "Words from Roosevelt" in admin_html
    assert _preview_reads(personas.district_admin) == {elsewhere.id}


def test_it_previews_the_latest_words_on_one_line_truncated(client_for, personas):
    case = case_factory(personas.school_a, body="first words", alias="Fox")
    message_from_reporter(
        case=case,
        reporter=case.tips.get().reporter,
        body="and\nthen " + "more " * 40,
        channel=Channel.WEB,
    )
    html = _html(client_for(personas.counselor_a), "/staff/cases/")
    preview = re.search(r'<span class="case-preview">([^<]*)</span>', html)[1]
    assert preview.startswith("and then more more") and preview.endswith("…")
    assert len(preview) <= 100 and "first words" not in html


def test_the_preview_is_the_tipsters_newest_words_on_each_case_not_a_reply(client_for, personas):
    # Several cases on the page, each with several messages: each row shows its own case's
    # newest words from the tipster; a counselor's later reply is never the preview.
    for n in range(3):
        case = case_factory(personas.school_a, body=f"tip of case {n}", alias="Fox")
        reporter = case.tips.get().reporter
        for words in (f"older words {n}", f"newest words {n}"):
            message_from_reporter(case=case, reporter=reporter, body=words, channel=Channel.WEB)
        message_to_reporter(
            case=case, reporter=reporter, body=f"reply {n}", author=personas.counselor_a
        )
    html = _html(client_for(personas.counselor_a), "/staff/cases/")
    previews = re.findall(r'<span class="case-preview">([^<]*)</span>', html)
    assert sorted(previews) == [f"newest words {n}" for n in range(3)]


def test_it_shows_the_category_an_sms_text_suggests_as_inferred(client_for, personas):
    case_factory(
        personas.school_a,
        channel=Channel.SMS,
        category="other",
        # Words the queue's guess reads as bullying and the scorer does not ("they keep
        # calling me names" and "kids keep picking on me" are read as bullying by the
        # scorer: the intake files them so).
        body="some kids on the bus are picking on my friend",
    )
    html = _html(client_for(personas.counselor_a), "/staff/cases/")
    assert '<span class="category-inferred">Bullying or cyberbullying</span>' in html
    assert "(inferred from the text)" in html
    assert Case.objects.get().category == "other"  # a guess, never stored


def test_the_tab_and_the_heading_count_the_same_open_cases(client_for, personas):
    for _ in range(4):
        case_factory(personas.school_a, alias="Fox")
    case_factory(personas.school_a, alias="Fox", status=CaseStatus.CLOSED, outcome="unfounded")
    html = _html(client_for(personas.counselor_a), "/staff/cases/")
    assert re.search(r'data-queue-count="all">4<', html)
    assert "· 4 cases" in html


def test_the_live_check_answers_204_until_something_changes(client_for, personas):
    client = client_for(personas.counselor_a)
    first = case_factory(personas.school_a, alias="Fox")
    since = _fingerprint(_html(client, "/staff/cases/"))
    assert client.get(f"/staff/cases/live/?since={since}").status_code == 204

    new = case_factory(personas.school_a, category="weapon", body="a gun", alias="Owl")
    fresh = _html(client, f"/staff/cases/live/?since={since}")
    assert new.reference in fresh and first.reference in fresh
    assert 'id="queue-tabs"' in fresh and 'hx-swap-oob="true"' in fresh
    assert f'data-life-safety-latest="{new.id}"' in fresh
    assert _fingerprint(fresh) != since

    # A change to a case already listed (every workflow write bumps its version) counts too.
    since = _fingerprint(fresh)
    case_assign(case=first, assignee=personas.counselor_a, actor=personas.counselor_a)
    assert client.get(f"/staff/cases/live/?since={since}").status_code == 200


def test_the_live_check_keeps_the_filters(client_for, personas):
    client = client_for(personas.counselor_a)
    case_factory(personas.school_a, category="weapon", alias="Fox")
    routine = case_factory(personas.school_a, category="fight", alias="Owl")
    fresh = _html(client, "/staff/cases/live/?queue=life_safety&since=stale")
    assert routine.reference not in fresh


def test_the_live_check_is_for_staff_who_read_cases(client, client_for, personas):
    assert client.get("/staff/cases/live/").status_code == 302  # to sign-in
    nobody = User.objects.create_user("nobody@example.org", "x" * 12)
    assert client_for(nobody).get("/staff/cases/live/").status_code == 404


def test_the_live_check_costs_a_fixed_few_queries_when_nothing_changed(client_for, personas):
    client = client_for(personas.counselor_a)
    for _ in range(3):
        case_factory(personas.school_a, alias="Fox")
    since = _fingerprint(_html(client, "/staff/cases/"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/staff/cases/live/?since={since}").status_code == 204
    for _ in range(20):
        case_factory(personas.school_a, alias="Fox")
    since = _fingerprint(_html(client, "/staff/cases/"))
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/staff/cases/live/?since={since}").status_code == 204
    # roles (not kept across requests in the test settings) and the one aggregate: the
    # session and the signed-in user with their second factors come from the cache
    assert len(small) == len(large) == 2


def test_a_preview_read_is_recorded_once_per_person_and_window(personas):
    case = case_factory(personas.school_a, alias="Fox")
    assert case_previews_record(case_ids=[case.id], actor=personas.counselor_a) == 1
    assert case_previews_record(case_ids=[case.id], actor=personas.counselor_a) == 0
    assert case_previews_record(case_ids=[case.id], actor=personas.district_admin) == 1
    later = CaseEvent.objects.latest("id").created_at + timedelta(minutes=11)
    assert case_previews_record(case_ids=[case.id], actor=personas.counselor_a, now=later) == 1


def test_sign_in_lands_on_the_persons_work(client, personas):
    response = client.post(
        "/accounts/login/", {"username": "alice@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and response.url == "/staff/"


def test_the_home_page_puts_life_safety_and_overdue_first_then_mine(client_for, personas):
    mine = case_factory(personas.school_a, category="fight", alias="Fox")
    case_assign(case=mine, assignee=personas.counselor_a, actor=personas.counselor_a)
    overdue = case_factory(personas.school_a, category="bullying", alias="Fox")
    Case.objects.filter(id=overdue.id).update(first_response_due_at="2020-01-01T00:00Z")
    life = case_factory(personas.school_a, category="self_harm", body="hurt myself", alias="Owl")
    late_life = case_factory(personas.school_a, category="weapon", alias="Owl")
    Case.objects.filter(id=late_life.id).update(acknowledge_due_at="2020-01-01T00:00Z")
    case_factory(personas.school_a, category="fight", alias="Owl")  # neither: not listed
    html = _html(client_for(personas.counselor_a), "/staff/")
    listed = re.findall(r'data-case-id="(\d+)"', html)
    assert listed == [str(late_life.id), str(life.id), str(overdue.id), str(mine.id)]
    assert "Welcome" not in html and 'id="my-work"' in html
    assert _preview_reads(personas.counselor_a) == {mine.id, overdue.id, life.id, late_life.id}


def test_the_home_page_of_a_principal_and_of_a_district_admin(client_for, personas):
    life = case_factory(personas.school_a, category="weapon", body="a knife", alias="Fox")
    routine = case_factory(personas.school_b, category="fight", alias="Owl")
    Case.objects.filter(id=routine.id).update(first_response_due_at="2020-01-01T00:00Z")
    principal = _html(client_for(personas.principal_a), "/staff/")
    assert re.findall(r'data-case-id="(\d+)"', principal) == [str(life.id)]
    assert "a knife" not in principal and "District overview" not in principal
    admin = _html(client_for(personas.district_admin), "/staff/")
    assert "District overview" in admin
    assert re.search(r"Lincoln High</a></th>\s*<td[^>]*>1</td><td[^>]*>1</td>", admin)
    assert re.search(
        r"Roosevelt Middle</a></th>\s*<td[^>]*>1</td><td[^>]*>0</td>\s*<td[^>]*>1</td>", admin
    )
