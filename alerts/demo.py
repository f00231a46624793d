"""Demo posts for `make run`: a push source for the demo district and a handful of invented
posts, a few of which alert. Idempotent: the posts have fixed external ids."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import District

from .models import Source, SourceKind
from .services import PostInput, posts_ingest

DEMO_SOURCE_NAME = "Demo social monitor (push)"

# (external id, author, minutes ago, text). Invented for the demo.
DEMO_POSTS = (
    (
        "demo-1",
        "@quietstorm_17",
        12,
        "I can't do this anymore. I have the pills saved up and tonight I'm going to end my "
        "life. nobody at Lincoln High will even notice",
    ),
    (
        "demo-2",
        "@rams_fan_2031",
        35,
        "if Jordan shows up at RMS tomorrow I'm bringing my dad's gun and ending this at lunch",
    ),
    (
        "demo-3",
        "@lionpride",
        50,
        "everyone at Lincoln High should just kill yourself lol you're all worthless losers",
    ),
    (
        "demo-4",
        "@lionpride_repost",
        48,
        "RT @lionpride: everyone at Lincoln High should just kill yourself lol "
        "you're all worthless losers",
    ),
    ("demo-5", "@mathlete", 70, "this Lincoln High chem test is literally killing me 😭"),
    ("demo-6", "@coach_k", 90, "Roosevelt Rams shoot hoops after school, come watch Friday!"),
    (
        "demo-7",
        "@news_desk",
        120,
        "Police say a student threatened classmates at a school two states away; no one was hurt.",
    ),
    ("demo-8", "@senior_szn", 200, "we absolutely killed it at the Lincoln Lions game tonight"),
)


@transaction.atomic
def demo_alerts_seed() -> tuple[Source, int]:
    """Create (or reuse) the demo push source and ingest the demo posts once."""
    district = District.objects.get(slug="front-range-demo")
    source, _ = Source.objects.get_or_create(
        district=district, kind=SourceKind.PUSH, name=DEMO_SOURCE_NAME
    )
    source.schools.set(district.schools.all())
    now = timezone.now()
    posts = [
        PostInput(
            external_id=external_id,
            text=text,
            author_handle=author,
            url=f"https://social.example/{author.lstrip('@')}/{external_id}",
            posted_at=now - timedelta(minutes=minutes),
        )
        for external_id, author, minutes, text in DEMO_POSTS
    ]
    result = posts_ingest(source=source, posts=posts)
    return source, result.alerts_created
