"""Blank every stored post URL that is not an http(s) link, and the copies of them that
escalated posts left on case timelines.

Ingest now stores only http(s) links (tipline.web_urls); rows written before could hold a
`javascript:` address from a connector. The templates refuse those anyway; this removes them
from the data too. Safe to run twice; nothing to undo.
"""

from django.db import migrations

from tipline.web_urls import is_web_url

BATCH = 5000


def blank_unsafe_urls(apps, schema_editor):
    Post = apps.get_model("alerts", "Post")
    CaseEvent = apps.get_model("tipline", "CaseEvent")
    unsafe = [
        post_id
        for post_id, url in Post.objects.exclude(url="")
        .values_list("id", "url")
        .iterator(chunk_size=BATCH)
        if not is_web_url(url)
    ]
    for start in range(0, len(unsafe), BATCH):
        Post.objects.filter(id__in=unsafe[start : start + BATCH]).update(url="")
    copies = CaseEvent.objects.filter(kind="escalated", data__source="social_post")
    for event_id, data in copies.values_list("id", "data").iterator(chunk_size=BATCH):
        url = data.get("url") or ""
        if url and not is_web_url(url):
            CaseEvent.objects.filter(id=event_id).update(data={**data, "url": ""})


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0005_alert_source_required"),
        ("tipline", "0005_outbound_notices"),
    ]

    operations = [migrations.RunPython(blank_unsafe_urls, migrations.RunPython.noop)]
