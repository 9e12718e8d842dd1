import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models

import reports.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cac", "0005_history_reason_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthlyReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("month", models.DateField(help_text="The first day of the month reported on.", verbose_name="month")),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "Simplified Chinese"), ("en", "English")],
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                (
                    "status",
                    django_fsm.FSMField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Generating"),
                            ("ready", "Ready"),
                            ("failed", "Generation failed"),
                        ],
                        default="queued",
                        max_length=10,
                        protected=True,
                        verbose_name="status",
                    ),
                ),
                (
                    "file",
                    models.FileField(blank=True, upload_to=reports.models._report_path, verbose_name="file"),
                ),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                ("error", models.TextField(blank=True, max_length=3000, verbose_name="error")),
                (
                    "dealers",
                    models.ManyToManyField(related_name="monthly_reports", to="cac.dealer", verbose_name="dealers"),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: generated on schedule.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="monthly_reports",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
            ],
            options={
                "verbose_name": "monthly report",
                "verbose_name_plural": "monthly reports",
                "ordering": ["-month", "-created_at", "-id"],
                "indexes": [models.Index(fields=["month", "status"], name="monthly_report_month_status")],
            },
        ),
    ]
