"""Copy each alert's source from its post onto the alert (nullable for now; 0005 requires it).

Two migrations, because PostgreSQL refuses to ALTER a table in the transaction that just
updated its rows while the new foreign key's deferred checks are still pending.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_post_source(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    Post = apps.get_model("alerts", "Post")
    if schema_editor.connection.vendor == "postgresql":
        # One hash join instead of a correlated lookup per alert.
        alerts, posts = Alert._meta.db_table, Post._meta.db_table
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"UPDATE {quote(alerts)} AS a SET source_id = p.source_id "  # noqa: S608 - names from _meta
            f"FROM {quote(posts)} AS p WHERE p.id = a.post_id AND a.source_id IS NULL"
        )
        return
    Alert.objects.filter(source__isnull=True).update(
        source_id=Subquery(Post.objects.filter(pk=OuterRef("post_id")).values("source_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0003_retention_schedule")]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alerts",
                to="alerts.source",
            ),
        ),
        migrations.RunPython(copy_post_source, migrations.RunPython.noop, elidable=False),
    ]
