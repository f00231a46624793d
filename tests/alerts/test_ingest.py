from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, AlertStatus, Post, SchoolAlertSettings, Source, SourceKind
from alerts.services import PostInput, posts_ingest, text_fingerprint
from scoring import Scorer
from tests.fixtures import HYPERBOLE, THREAT

# Every test here runs through both ways of storing (see alerts/services/store.py).
pytestmark = pytest.mark.usefixtures("store_path")


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


class CountingScorer(Scorer):
    """The real scorer, remembering which texts it was asked to score."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def score(self, text, *, school_terms=()):
        self.texts.append(text)
        return super().score(text, school_terms=school_terms)


def _snapshot():
    posts = list(Post.objects.order_by("id").values())
    alerts = list(Alert.objects.order_by("id").values())
    return posts, alerts


def test_it_stores_every_column_as_given(push_source):
    posted = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    text = "tabs\there, a new\nline, a back\\slash, quotes ' \" and emoji 😂 (Ünïcödé)"
    item = PostInput("ext-1", text, "@kid", "https://social.example/1", posted)
    result = posts_ingest(source=push_source, posts=[item, PostInput("ext-2", "plain")])
    assert result.created == 2
    post = Post.objects.get(external_id="ext-1")
    assert (post.source_id, post.text, post.author_handle, post.url, post.posted_at) == (
        push_source.id,
        text,
        "@kid",
        "https://social.example/1",
        posted,
    )
    assert post.fingerprint == text_fingerprint(text) and post.severity == "none"
    bare = Post.objects.get(external_id="ext-2")
    assert (bare.author_handle, bare.url, bare.posted_at) == ("", "", None)
    assert bare.received_at == post.received_at


def test_a_resent_batch_changes_nothing(ingest):
    batch = [("a", THREAT), ("b", f"RT @x: {THREAT}"), ("c", HYPERBOLE), ("d", "lunch")]
    first = ingest(*batch)
    before = _snapshot()
    again = ingest(*batch)
    assert (first.created, first.alerts_created, first.alerts_grouped) == (4, 1, 1)
    assert (again.created, again.duplicates, again.alerts_created, again.alerts_grouped) == (
        0,
        4,
        0,
        0,
    )
    assert _snapshot() == before


def test_the_first_copy_of_an_id_repeated_in_a_batch_wins(ingest):
    result = ingest(("same", "lunch was fine"), ("same", THREAT), ("other", "ok"))
    assert (result.created, result.duplicates, result.alerts_created) == (2, 1, 0)
    assert Post.objects.get(external_id="same").text == "lunch was fine"


def test_it_scores_each_distinct_new_text_once(push_source):
    scorer = CountingScorer()
    copies = [PostInput(f"c{n}", THREAT) for n in range(5)]
    posts_ingest(source=push_source, posts=[*copies, PostInput("h", HYPERBOLE)], scorer=scorer)
    # The plain score, then one per school the source serves (A and B).
    assert scorer.texts.count(THREAT) == 3
    assert Alert.objects.get().group_size == 5
    scorer.texts.clear()
    posts_ingest(source=push_source, posts=copies, scorer=scorer)
    assert scorer.texts == []  # nothing new: nothing scored


def test_it_raises_and_grows_each_schools_group(ingest, personas):
    both = "I'm going to shoot everyone at Lincoln High and Roosevelt Middle tomorrow"
    first = ingest(("p1", both))
    assert first.alerts_created == 2
    result = ingest(("p2", f"RT @a: {both}"), ("p3", both + "!!"), ("p4", THREAT))
    assert (result.alerts_created, result.alerts_grouped) == (1, 4)
    sizes = dict(
        Alert.objects.filter(post__external_id="p1").values_list("school_id", "group_size")
    )
    assert sizes == {personas.school_a.id: 3, personas.school_b.id: 3}
    grown = Alert.objects.filter(post__external_id="p1").first()
    assert grown.last_seen_at > grown.created_at
    fresh = Alert.objects.get(post__external_id="p4")
    assert (fresh.group_size, fresh.status, fresh.dismissal_reason) == (1, AlertStatus.NEW, "")
    assert isinstance(fresh.categories, dict) and isinstance(fresh.matches, list)
    assert fresh.matches and fresh.school_matches


def test_it_runs_a_fixed_number_of_queries_per_batch(ingest):
    def queries(*items):
        with CaptureQueriesContext(connection) as captured:
            result = ingest(*items)
        return len(captured), result

    def threats(prefix, count):
        return [(f"{prefix}{n}", f"{THREAT} {prefix} {n}") for n in range(count)]

    small, _ = queries(*threats("s", 2))
    large, result = queries(*threats("l", 40))
    assert result.alerts_created == 40 and small == large
    reposts = [(f"r{n}", f"RT @x: {THREAT} l {n}") for n in range(40)]
    mixed, result = queries(*reposts, *threats("m", 5))
    assert (result.alerts_created, result.alerts_grouped) == (5, 40)
    assert mixed <= large + 1  # the ORM path adds one update for the groups that grew


def test_it_stamps_each_alert_with_its_posts_source(ingest, push_source, personas):
    other = Source.objects.create(
        district=push_source.district, kind=SourceKind.RSS, name="Local news"
    )
    other.schools.set([personas.school_a, personas.school_b])
    friday = "I'm going to shoot everyone at Lincoln High on Friday"
    ingest(("p1", THREAT))
    ingest(("n1", friday), ("n2", f"RT @x: {THREAT}"), source=other)
    stamped = {
        alert.post.external_id: (alert.source_id, alert.post.source_id, alert.group_size)
        for alert in Alert.objects.select_related("post")
    }
    # The repost from the news feed grew the push alert, which keeps its own source.
    assert stamped == {
        "p1": (push_source.id, push_source.id, 2),
        "n1": (other.id, other.id, 1),
    }
