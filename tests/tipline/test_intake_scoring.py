"""Tip text is read on every channel: an SMS or web tip in words of imminent harm is a
life-safety case with a call-down, its category inferred; the case page says why, notices
never do; the reading never lowers what the tipster chose; answers are read too."""

import pytest
from django.core import mail

from cases.models import Case, Category, Notice, Priority, PrioritySource
from tipline.forms import submission_token_new
from tipline.models import Reporter
from tipline.services.web import web_followup_reply
from tipline.sms.gsm7 import is_gsm7, segment_count

from .sms_support import replies, text
from .web_helpers import receipt_code_from, submit_tip

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


def _calldown(case) -> int:
    return Notice.objects.filter(case=case, reason=Notice.Reason.CALLDOWN).count()


@pytest.mark.parametrize(
    ("body", "category", "phrase"),
    [
        ("I want to kill myself tonight", Category.SELF_HARM, "kill myself"),
        ("someone has a knife in their locker", Category.WEAPON, "knife"),
        ("me quiero morir esta noche", Category.SELF_HARM, "me quiero morir"),
    ],
)
def test_an_sms_tip_of_imminent_harm_is_life_safety_with_a_call_down(
    client, personas, django_capture_on_commit_callbacks, body, category, phrase
):
    with django_capture_on_commit_callbacks(execute=True):
        response = text(client, body)
    case = Case.objects.get()
    (answer,) = replies(response)
    assert "alert" in answer.lower() or "avisando" in answer
    assert "school day" not in answer and "dia escolar" not in answer
    assert is_gsm7(answer) and segment_count(answer) <= 2
    assert (case.priority, case.priority_source) == (Priority.LIFE_SAFETY, PrioritySource.SCORER)
    assert case.category == category
    assert case.priority_reason == f"Raised to life safety: '{phrase}'"
    assert _calldown(case) > 0


def test_a_web_tip_in_spanish_under_other_is_a_weapon_case_with_a_call_down(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_tip(client, body="mi hermano tiene una pistola en su mochila", category="other")
    case = Case.objects.get()
    assert case.priority == Priority.LIFE_SAFETY and case.category == Category.WEAPON
    assert set(case.tags.values_list("category", flat=True)) == {Category.WEAPON}
    assert case.tips.get().category == Category.OTHER  # what the tipster chose is kept
    assert _calldown(case) > 0
    for email in mail.outbox:  # notices carry a link, never the words that raised the case
        assert "pistola" not in (email.subject + email.body).lower()


def test_the_case_page_says_why_to_staff(client, personas, client_for):
    text(client, "I want to kill myself tonight")
    case = Case.objects.get()
    page = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/")
    assert "Raised to life safety: &#x27;kill myself&#x27;" in page.content.decode()
    outsider = client_for(personas.counselor_b).get(f"/staff/cases/{case.id}/")
    assert outsider.status_code == 404


def test_the_reading_never_lowers_what_the_tipster_chose(client, personas):
    submit_tip(client, body="me muero de risa", category="self_harm", danger_now="no")
    submit_tip(client, body="he said he'd kill me", category="weapon", danger_now="no")
    submit_tip(client, body="this test is killing me", category="other", danger_now="yes")
    cases = Case.objects.order_by("id")
    assert [(c.priority, c.priority_source, c.category) for c in cases] == [
        (Priority.LIFE_SAFETY, PrioritySource.CATEGORY_RULE, Category.SELF_HARM),
        (Priority.LIFE_SAFETY, PrioritySource.CATEGORY_RULE, Category.WEAPON),
        (Priority.LIFE_SAFETY, PrioritySource.DANGER_ANSWER, Category.OTHER),
    ]
    # the weapon tip's text showed a threat: tagged too, the tipster's category stays first
    assert set(cases[1].tags.values_list("category", flat=True)) == {
        Category.WEAPON,
        Category.THREAT,
    }


def test_idiom_leaves_a_routine_tip_routine(client, personas):
    text(client, "me mata este examen de matemáticas")
    submit_tip(client, body="estoy muerto de cansancio, the vending machine is broken")
    assert list(Case.objects.values_list("priority", "category")) == [
        (Priority.ROUTINE, Category.OTHER),
        (Priority.ROUTINE, Category.SUBSTANCES),
    ]


def test_an_answer_in_words_of_harm_raises_the_case_and_starts_the_call_down(
    client, personas, django_capture_on_commit_callbacks
):
    receipt_code_from(submit_tip(client))
    text(client, "someone is selling vapes")
    web_case, sms_case = Case.objects.order_by("id")
    assert web_case.priority == sms_case.priority == Priority.ROUTINE
    with django_capture_on_commit_callbacks(execute=True):
        web_followup_reply(
            reporter=Reporter.objects.get(channel="web"),
            body="me voy a suicidar esta noche",
            submission_token=submission_token_new(),
        )
    with django_capture_on_commit_callbacks(execute=True):
        text(client, "also he brings a gun to school tomorrow")
    for case, category in ((web_case, Category.SELF_HARM), (sms_case, Category.WEAPON)):
        case.refresh_from_db()
        assert (case.priority, case.priority_source) == (
            Priority.LIFE_SAFETY,
            PrioritySource.SCORER,
        )
        assert category in case.tags.values_list("category", flat=True)
        assert _calldown(case) > 0
