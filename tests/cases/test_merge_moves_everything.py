"""A merge moves every row that points at the duplicate, whatever app it belongs to: the test
walks every foreign key to Case in the project, so a model added later is covered too."""

import pytest

from alerts.models import Alert, Post, Source, SourceKind
from alerts.services import alert_attach
from cases.models import Case, Category
from cases.services.merge import STAYS_WITH_ITS_CASE, case_foreign_keys, case_merge
from cases.services.shares import case_share_create, partner_note_add
from cases.services.workflow import case_note_add, case_watch
from tests.factories import case_factory
from tests.workspace.partner_support import police
from tipline.attachments import CleanUpload, attachment_store
from tipline.services.tips import message_from_reporter
from workspace.selectors import case_timeline

pytestmark = pytest.mark.django_db


def _alert(school, key="k1") -> Alert:
    source = Source.objects.create(district=school.district, kind=SourceKind.PUSH, name="Feed")
    post = Post.objects.create(
        source=source, external_id=key, text="a fight after school", fingerprint=key
    )
    return Alert.objects.create(
        post=post,
        source=source,
        school=school,
        score=0.7,
        severity="high",
        top_category="violence",
        group_key=key,
    )


@pytest.fixture
def duplicate(personas, settings, tmp_path):
    """A case holding at least one row of every model that points at a case."""
    settings.MEDIA_ROOT = tmp_path
    alice = personas.counselor_a
    case = case_factory(personas.school_a, category=Category.FIGHT, alias="Fox")
    reporter = case.tips.get().reporter
    message = message_from_reporter(case=case, reporter=reporter, body="more", channel="web")
    attachment_store(
        case=case, message=message, upload=CleanUpload(b"%PDF-1.4", "application/pdf", "pdf", "")
    )
    case_note_add(case=case, actor=alice, body="note")
    case_watch(case=case, user=alice)
    alert_attach(alert=_alert(personas.school_a), case=case, actor=alice)
    contact = police(personas.school_a.district)
    shared = case_share_create(case=case, contact=contact, actor=alice)
    partner_note_add(share=shared.share, body="a partner's note")
    earlier = case_factory(personas.school_a, alias="Owl")
    case_merge(duplicate=earlier, survivor=case, actor=alice)
    return Case.objects.get(id=case.id)


def test_nothing_but_its_history_is_left_on_the_duplicate(personas, duplicate):
    survivor = case_factory(personas.school_a, category=Category.BULLYING, alias="Heron")
    case_watch(case=survivor, user=personas.counselor_a)  # the same watcher on both
    keys = case_foreign_keys()
    models = {field.model for field in keys}
    assert len(models) >= 10, models
    # Every model with a foreign key to Case has rows on the duplicate before the merge.
    before = {
        field: field.model._base_manager.filter(**{field.name: duplicate}).count() for field in keys
    }
    assert all(before.values()), {f.model._meta.label: n for f, n in before.items() if not n}

    case_merge(duplicate=duplicate, survivor=survivor, actor=personas.counselor_a)

    for field in keys:
        left = field.model._base_manager.filter(**{field.name: duplicate}).count()
        if field.model in STAYS_WITH_ITS_CASE:
            assert left, f"{field.model._meta.label} is the duplicate's own history"
        else:
            assert left == 0, f"{left} {field.model._meta.label} left on the duplicate"
    # A share stays with the case it was made for: the partner never reads the survivor.
    assert {m._meta.label for m in STAYS_WITH_ITS_CASE} == {
        "cases.CaseEvent",
        "cases.Notice",
        "cases.CaseShare",
    }
    assert survivor.watchers.count() == 1
    assert set(survivor.tags.values_list("category", flat=True)) == {"bullying", "fight"}


def test_the_survivor_shows_the_duplicates_alert_from_the_alerts_own_row(personas, duplicate):
    survivor = case_factory(personas.school_a, alias="Heron")
    alert = Alert.objects.get(case=duplicate)
    case_merge(duplicate=duplicate, survivor=survivor, actor=personas.counselor_a)
    alert.refresh_from_db()
    assert alert.case == survivor
    posts = [entry.item for entry in case_timeline(case=survivor) if entry.kind == "post"]
    assert posts == [alert] and posts[0].post.text == "a fight after school"
