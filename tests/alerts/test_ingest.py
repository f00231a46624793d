from alerts.models import Alert, AlertStatus, Post, SchoolAlertSettings
from alerts.services import text_fingerprint

from .conftest import HYPERBOLE, THREAT


def test_it_stores_a_post_once_and_raises_an_alert_for_the_school_it_names(ingest, personas):
    first = ingest(("p1", THREAT))
    again = ingest(("p1", THREAT))
    assert (first.created, first.alerts_created) == (1, 1)
    assert (again.created, again.duplicates, again.alerts_created) == (0, 1, 0)
    alert = Alert.objects.get()
    assert alert.school == personas.school_a  # school B's words are not in the post
    assert alert.severity in ("high", "critical") and alert.top_category == "violence"
    phrases = [m["phrase"] for m in alert.matches]
    assert "shoot" in phrases
    assert "Lincoln High" in {m["term"] for m in alert.school_matches}
    assert Post.objects.get().fingerprint == text_fingerprint(THREAT)


def test_it_stores_but_does_not_alert_on_hyperbole(ingest):
    result = ingest(("p2", HYPERBOLE))
    assert result.created == 1 and result.alerts_created == 0
    assert Post.objects.get().severity in ("none", "low")


def test_it_does_not_alert_a_school_the_post_does_not_mention(ingest):
    result = ingest(("p3", "I'm going to shoot everyone at Westfield Academy tomorrow"))
    assert result.alerts_created == 0


def test_it_groups_reposts_and_identical_texts_under_one_alert(ingest, personas):
    ingest(("p1", THREAT))
    result = ingest(
        ("p2", f"RT @someone: {THREAT}"),
        ("p3", THREAT.upper() + "!!! https://t.example/x"),
        ("p4", "I'm going to shoot everyone at Lincoln High on Friday"),
    )
    assert result.created == 3
    alerts = Alert.objects.filter(school=personas.school_a).order_by("created_at", "id")
    assert alerts.count() == 2  # the Friday text is a different group
    assert alerts[0].group_size == 3
    assert alerts[0].post.external_id == "p1"


def test_it_groups_copies_arriving_in_the_same_batch(ingest, personas):
    result = ingest(("p1", THREAT), ("p2", f"RT @x: {THREAT}"))
    assert (result.alerts_created, result.alerts_grouped) == (1, 1)
    assert Alert.objects.get().group_size == 2


def test_a_repost_of_a_dismissed_alert_stays_dismissed(ingest, personas, threat_alert):
    Alert.objects.filter(id=threat_alert.id).update(
        status=AlertStatus.DISMISSED, dismissal_reason="false_positive"
    )
    ingest(("p9", f"RT @a: {THREAT}"))
    threat_alert.refresh_from_db()
    assert threat_alert.status == AlertStatus.DISMISSED and threat_alert.group_size == 2


def test_each_school_has_its_own_threshold(ingest, personas):
    SchoolAlertSettings.objects.create(school=personas.school_a, threshold=0.999)
    assert ingest(("p1", THREAT)).alerts_created == 0


def test_a_school_may_alert_without_being_named(ingest, personas):
    SchoolAlertSettings.objects.create(school=personas.school_b, require_school_mention=False)
    ingest(("p1", "I'm going to hurt myself tonight, I can't do this anymore"))
    assert list(Alert.objects.values_list("school_id", flat=True)) == [personas.school_b.id]


def test_fingerprints_ignore_case_links_punctuation_and_rt_prefixes():
    base = text_fingerprint("See you at lunch")
    assert text_fingerprint("RT @pal: see you at LUNCH!! https://x.example/1") == base
    assert text_fingerprint("See you at dinner") != base
