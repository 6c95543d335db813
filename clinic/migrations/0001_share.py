# Shares moved here from the backlog app: the model joins clinic's state over the existing
# table, and nothing in the database changes.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    """Keep the share's content type (and so its permissions and admin log) under the new
    app label instead of leaving a stale one behind."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="backlog", model="share").update(app_label="clinic")


def content_type_returns(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="clinic", model="share").update(app_label="backlog")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("backlog", "0004_share_moves_to_clinic"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Share",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code_hash", models.CharField(blank=True, db_index=True, max_length=64)),
                        ("code_expires_at", models.DateTimeField(blank=True, null=True)),
                        ("expires_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("redeemed_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("last_viewed_at", models.DateTimeField(blank=True, null=True)),
                        ("clinician", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="shares_received", to=settings.AUTH_USER_MODEL)),
                        ("patient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="shares_given", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "backlog_share",
                        "ordering": ["-created_at"],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("clinician__isnull", False), models.Q(("code_hash", ""), _negated=True), _connector="OR"), name="share_has_clinician_or_code"),
                            models.CheckConstraint(condition=models.Q(("clinician", models.F("patient")), _negated=True), name="share_not_with_oneself"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_follows, content_type_returns),
    ]
