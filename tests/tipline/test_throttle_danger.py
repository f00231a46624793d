"""A limit never refuses a tip about danger: it is kept, marked for review, with its receipt;
an ordinary tip past the limit is refused once, with the numbers to call."""

import pytest

from cases.models import Case, Priority
from tipline.models import Message, Tip

from .sms_support import replies, text
from .web_helpers import receipt_code_from, submit_tip

pytestmark = pytest.mark.django_db

REFUSED = "so this one was not sent"


def _five_ordinary_tips(client) -> None:
    for number in range(5):
        assert submit_tip(client, body=f"vapes again, day {number}").status_code == 200


@pytest.mark.parametrize(
    "danger",
    [
        {"danger_now": "yes", "body": "someone is in danger right now"},
        {"category": "self_harm", "body": "my friend keeps talking about ending it"},
        {"category": "other", "body": "he has a gun in his backpack"},
    ],
    ids=["danger-now", "life-safety-category", "text-scores-life-safety"],
)
def test_it_keeps_the_sixth_tip_when_it_is_about_danger(client, personas, settings, danger):
    settings.TIPLINE_TIPS_PER_CLIENT = 5
    _five_ordinary_tips(client)
    response = submit_tip(client, **danger)
    assert response.status_code == 200
    assert response.context["receipt_code"]
    assert REFUSED not in response.content.decode()
    sixth = Tip.objects.latest("id")
    assert Tip.objects.count() == 6 and sixth.body == danger["body"]
    assert sixth.needs_review and sixth.case.needs_review
    assert sixth.case.priority == Priority.LIFE_SAFETY


def test_it_refuses_the_sixth_ordinary_tip_once_with_911_and_988(client, personas, settings):
    settings.TIPLINE_TIPS_PER_CLIENT = 5
    _five_ordinary_tips(client)
    refused = submit_tip(client, body="the vending machine ate my dollar")
    page = refused.content.decode()
    assert refused.status_code == 429
    assert page.count(REFUSED) == 1
    assert 'href="tel:911"' in page and 'href="tel:988"' in page
    # The numbers sit in the refusal itself, not only in the banner every page has.
    notice = page[page.index(REFUSED) : page.index("</div>", page.index(REFUSED))]
    assert "tel:911" in notice and "tel:988" in notice
    assert "the vending machine ate my dollar" in page  # nothing typed is lost
    assert Tip.objects.count() == 5
    assert not Case.objects.filter(needs_review=True).exists()


@pytest.mark.usefixtures("numbers")
def test_it_answers_a_flooding_texter_when_the_text_is_about_danger(client, personas, settings):
    settings.SMS_THREAD_RATE_PER_MINUTE = 0  # every text of the thread counts as a flood
    [reference_reply] = replies(text(client, "he has a gun in his backpack"))
    case = Case.objects.get()
    assert case.reference in reference_reply
    assert case.priority == Priority.LIFE_SAFETY and case.needs_review


@pytest.mark.usefixtures("numbers")
def test_it_stays_silent_to_an_ordinary_flooding_texter(client, personas, settings):
    settings.SMS_THREAD_RATE_PER_MINUTE = 0
    assert replies(text(client, "the vending machine ate my dollar")) == []
    assert Case.objects.get().needs_review


def test_it_keeps_an_answer_about_danger_past_the_answer_limit(client, personas, settings):
    settings.TIPLINE_REPLIES_PER_CLIENT = 1
    code = receipt_code_from(submit_tip(client))
    client.post("/followup/", {"code": code})
    assert client.post("/followup/thread/", {"body": "It was Tuesday"}).status_code == 302
    refused = client.post("/followup/thread/", {"body": "And Friday too"})
    assert refused.status_code == 429
    urgent = client.post("/followup/thread/", {"body": "he has a gun in his backpack right now"})
    assert urgent.status_code == 302
    answers = Message.objects.filter(direction="in").order_by("id")
    assert [m.body for m in answers] == ["It was Tuesday", "he has a gun in his backpack right now"]
    assert Case.objects.get().priority == Priority.LIFE_SAFETY
