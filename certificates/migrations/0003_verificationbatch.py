# Issue 17, §1: a record of every verification batch.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_legal_reviewer"),
        ("cases", "0021_reported_by"),
        ("certificates", "0002_leadproposal"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VerificationBatch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("username", models.CharField(max_length=150)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("items", models.PositiveIntegerField()),
                ("counts", models.JSONField(default=dict)),
                (
                    "purpose",
                    models.CharField(
                        choices=[("check", "a single check"), ("roster", "an employer's roster"), ("case", "a case")],
                        max_length=10,
                    ),
                ),
                ("filename", models.CharField(blank=True, max_length=200)),
                ("employer", models.CharField(blank=True, max_length=200)),
                ("via_api", models.BooleanField(default=False)),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="agencies.agency",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "verification batch",
                "verbose_name_plural": "verification batches",
                "ordering": ["-created_at", "-id"],
            },
        ),
    ]
