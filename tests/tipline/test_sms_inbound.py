"""Inbound SMS: threads, cases, replays, district menus and floods."""

import pytest
from django.utils import timezone

from accounts.privacy import keyed_digest
from tipline.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    Message,
    Reporter,
    SmsPendingText,
    Tip,
)
from tipline.sms.gsm7 import is_gsm7, segment_count

from .sms_support import (  # noqa: F401
    DISTRICT_NUMBER,
    SCHOOL_B_NUMBER,
    TIPSTER,
    inbound_params,
    numbers,
    post_signed,
    replies,
    sms_fresh_state,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


def test_it_opens_a_case_and_replies_with_its_reference(client, personas):
    response = text(client, "someone said they'd bring a knife")
    tip = Tip.objects.get()
    assert tip.channel == Channel.SMS and tip.school == personas.school_a
    assert tip.body == "someone said they'd bring a knife"
    assert tip.case.channel == Channel.SMS
    [reply] = replies(response)
    assert tip.case.reference in reply
    assert "911" in reply and "988" in reply
    assert is_gsm7(reply) and segment_count(reply) <= 2


def test_it_keys_the_thread_on_a_digest_and_keeps_the_number_only_encrypted(client):
    text(client, "hello")
    reporter = Reporter.objects.get()
    assert reporter.phone_digest == keyed_digest(TIPSTER, purpose="phone")
    assert reporter.phone_number_encrypted == TIPSTER
    assert reporter.alias.startswith("SMS-") and TIPSTER[-4:] not in reporter.alias
    assert Tip.objects.get().reporter == reporter


def test_it_replies_in_spanish_too_within_two_segments(client, personas):
    personas.school_a.replies_in_spanish = True
    personas.school_a.name = "Escuela Preparatoria Abraham Lincoln del Distrito Front Range"
    personas.school_a.save()
    # Too short to tell its language: both, as the school asks (test_sms_language.py).
    [reply] = replies(text(client, "pelea"))
    reference = Case.objects.get().reference
    assert "Recibimos tu aviso" in reply and reply.count(reference) == 2
    assert is_gsm7(reply) and segment_count(reply) <= 2


def test_it_threads_later_texts_into_the_open_case(client):
    text(client, "first text")
    case = Case.objects.get()
    response = text(client, "second text")
    assert replies(response) == []
    assert Case.objects.count() == 1 and Tip.objects.count() == 1
    message = Message.objects.get()
    assert (message.case, message.body, message.direction) == (case, "second text", "in")
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.MESSAGE_RECEIVED).exists()


def test_it_keeps_other_senders_in_their_own_threads(client):
    text(client, "from the first student")
    text(client, "from the second student", sender="+15555550111")
    assert Case.objects.count() == 2 and Reporter.objects.count() == 2


def test_it_opens_a_new_linked_case_after_the_case_closed(client):
    text(client, "first problem")
    old = Case.objects.get()
    Case.objects.filter(id=old.id).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    [reply] = replies(text(client, "a new problem"))
    new = Case.objects.exclude(id=old.id).get()
    assert new.reference in reply and old.reference not in reply
    assert list(new.related_cases.all()) == [old]
    assert list(old.related_cases.all()) == [new]
    assert CaseEvent.objects.filter(case=new, kind=CaseEvent.Kind.LINKED).exists()
    text(client, "more about the new problem")
    assert Message.objects.get().case == new


def test_it_follows_a_merge_to_the_surviving_case(client):
    text(client, "first")
    merged = Case.objects.get()
    survivor = Case.objects.create(
        school=merged.school, reference="SURV22", channel=Channel.WEB, category="other"
    )
    Case.objects.filter(id=merged.id).update(merged_into=survivor, status=CaseStatus.CLOSED)
    text(client, "after the merge")
    assert Message.objects.get().case == survivor


def test_it_ignores_a_replayed_message_sid(client):
    params = inbound_params("only once")
    assert replies(post_signed(client, params)) != []
    again = post_signed(client, params)
    assert again.status_code == 200 and replies(again) == []
    assert (Tip.objects.count(), Message.objects.count(), Case.objects.count()) == (1, 0, 1)
    follow_up = inbound_params("a follow-up")
    post_signed(client, follow_up)
    post_signed(client, follow_up)
    assert Message.objects.count() == 1


def test_it_ignores_a_replay_the_cache_forgot(client):
    from django.core.cache import cache

    params = inbound_params("stored once")
    post_signed(client, params)
    cache.clear()
    assert replies(post_signed(client, params)) == []
    assert Tip.objects.count() == 1


def test_it_asks_which_school_on_a_district_number_and_keeps_the_text(client, personas):
    [menu] = replies(text(client, "a fight after school", to=DISTRICT_NUMBER))
    assert "1 Lincoln High" in menu and "2 Roosevelt Middle" in menu
    assert "Faraway" not in menu
    assert Tip.objects.count() == 0 and SmsPendingText.objects.get().body == "a fight after school"
    [reply] = replies(text(client, "2", to=DISTRICT_NUMBER))
    tip = Tip.objects.get()
    assert tip.school == personas.school_b and tip.body == "a fight after school"
    assert tip.case.reference in reply and SmsPendingText.objects.count() == 0
    assert Reporter.objects.get().selected_school == personas.school_b
    assert replies(text(client, "it is at the park", to=DISTRICT_NUMBER)) == []
    assert Message.objects.get().case == tip.case


def test_it_asks_again_when_the_answer_is_not_a_school(client):
    text(client, "something happened", to=DISTRICT_NUMBER)
    [menu] = replies(text(client, "7", to=DISTRICT_NUMBER))
    assert "could not tell which school" in menu and "1 Lincoln High" in menu
    assert SmsPendingText.objects.count() == 2 and Tip.objects.count() == 0


def test_it_threads_each_school_number_separately(client, personas):
    text(client, "to school A")
    text(client, "to school B", to=SCHOOL_B_NUMBER)
    assert set(Case.objects.values_list("school", flat=True)) == {
        personas.school_a.id,
        personas.school_b.id,
    }


def test_it_stores_a_flood_flagged_without_an_auto_reply_storm(client, settings):
    settings.SMS_THREAD_RATE_PER_MINUTE = 3
    responses = [text(client, f"spam {n}") for n in range(12)]
    assert sum(len(replies(response)) for response in responses) == 1
    case = Case.objects.get()
    assert case.needs_review
    messages = Message.objects.filter(case=case)
    assert messages.count() == 11  # never dropped
    assert messages.filter(flagged=True).count() == 9
    assert [m.flagged for m in messages.order_by("id")[:3]] == [False, False, True]


def test_it_keeps_other_tips_unburied_by_a_flood(client, settings):
    settings.SMS_THREAD_RATE_PER_MINUTE = 2
    for n in range(20):
        text(client, f"flood {n}")
    [reply] = replies(text(client, "a real tip", sender="+15555550123"))
    real = Case.objects.exclude(tips__reporter__phone_digest=keyed_digest(TIPSTER, purpose="phone"))
    assert real.get().reference in reply and not real.get().needs_review
    assert Case.objects.count() == 2
