"""What one tip costs the database (bench/tip_submit.py measures the time): a fixed number of
statements, no savepoints, and no lookup before the case reference is used."""

import pytest
from django.core import mail
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from tipline.models import Case, CaseEvent, OutboundNotice, Reporter, Tip
from tipline.services import web
from tipline.services.cases import tip_create
from tipline.tasks.notifications import case_counselors_email_task

from .web_helpers import (
    submit_tip,
    tip_payload,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db

# With the school and its district's policy already kept by the process: BEGIN, then one
# INSERT each for the reporter, the form's one-time token, the case, its tag, the tip, both
# case events (one statement), the outbox row, then COMMIT. The receipt is the next request.
QUERIES_PER_TIP = 9


@pytest.fixture
def warm(client, personas, settings):
    settings.TIPLINE_SCHOOL_CACHE_SECONDS = 60
    web_views_cache_clear()
    assert submit_tip(client).status_code == 200
    yield
    web_views_cache_clear()


def post_tip(client):
    """The form's POST alone (its answer is a redirect to the receipt)."""
    response = client.post("/s/lincoln-high/", tip_payload())
    assert response.status_code == 303
    return response


def web_views_cache_clear():
    from tipline import views
    from tipline.services import sla

    views._schools_by_slug.clear()
    sla._policies.clear()


# A real transaction (as in production, where the view runs outside any): BEGIN and COMMIT
# are counted. The counselor email is held where the broker would hold it, then sent.
@pytest.mark.django_db(transaction=True)
def test_it_stores_a_tip_in_a_fixed_number_of_queries(
    client, personas, warm, monkeypatch, django_assert_num_queries
):
    queued = []
    monkeypatch.setattr(
        case_counselors_email_task,
        "apply_async",
        lambda args=None, kwargs=None, **options: queued.append(args),
    )
    with django_assert_num_queries(QUERIES_PER_TIP, exact=True) as captured:
        post_tip(client)
    sql = [query["sql"].upper() for query in captured.captured_queries]
    assert sum(statement.startswith("INSERT") for statement in sql) == 7
    assert not any("SAVEPOINT" in statement or statement.startswith("SELECT") for statement in sql)
    assert "receipt-code" in client.get("/receipt/").content.decode()
    assert len(queued) == 1  # queued once, after the commit
    case_counselors_email_task(*queued[0])
    assert len(mail.outbox) == 2  # the warm-up tip's and this one's
    tip = Tip.objects.order_by("-id").first()
    kinds = list(tip.case.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.CREATED, CaseEvent.Kind.TIP_ADDED, CaseEvent.Kind.NOTIFIED]
    assert tip.case.events.get(kind=CaseEvent.Kind.TIP_ADDED).data["tip_id"] == tip.id
    assert tip.case.first_response_due_at is not None
    assert OutboundNotice.objects.filter(case=tip.case, ref=tip.id).exists()


def test_it_looks_the_school_up_when_nothing_is_kept(client, personas):
    with CaptureQueriesContext(connection) as captured:
        post_tip(client)
    # The school and the district's policy, then the writes above.
    assert len(captured.captured_queries) == QUERIES_PER_TIP + 2


def test_it_retries_with_a_new_reference_when_the_random_one_is_taken(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    taken = tip_create(
        school=personas.school_a, channel="web", category="other", body="An earlier tip."
    ).case
    references = iter([taken.reference, "ZZZZZ9"])
    monkeypatch.setattr(web, "case_reference_random", lambda: next(references))
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_tip(client)
    assert response.status_code == 200
    case = Case.objects.get(reference="ZZZZZ9")
    assert Tip.objects.filter(case=case).count() == 1
    # The failed attempt left nothing behind: one web reporter, one new tip, one email.
    assert Reporter.objects.filter(channel="web").count() == 1
    assert Tip.objects.count() == 2
    assert OutboundNotice.objects.count() == 1
    assert len(mail.outbox) == 1


def test_it_gives_up_after_three_taken_references(client, personas, monkeypatch):
    taken = tip_create(
        school=personas.school_a, channel="web", category="other", body="An earlier tip."
    ).case
    monkeypatch.setattr(web, "case_reference_random", lambda: taken.reference)
    with pytest.raises(IntegrityError):
        submit_tip(client)
    assert Tip.objects.count() == 1


def test_it_opens_a_case_alone_in_its_own_transaction(personas):
    tip = tip_create(school=personas.school_a, channel="web", category="weapon", body="x")
    assert tip.case.reference and tip.case.acknowledge_due_at is not None
    assert list(tip.case.events.values_list("kind", flat=True)) == [
        CaseEvent.Kind.CREATED,
        CaseEvent.Kind.TIP_ADDED,
    ]
