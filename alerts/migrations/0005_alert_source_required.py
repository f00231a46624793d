"""Every alert now has its post's source (0004): require it, and index the summaries' reads."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_alert_source_backfill")]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="source",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alerts",
                to="alerts.source",
            ),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(
                fields=["school", "created_at", "source", "status", "dismissal_reason"],
                name="alert_school_created_idx",
            ),
        ),
    ]
