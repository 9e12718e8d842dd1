"""How a complaint was closed, its cause class, when its prevention measure was written, the answer time promised
to the customer and the staff member complained about.

Closed complaints before this migration: those closed without a reason were closed by their satisfied follow-up
call; those closed by a manager with a reason are marked "customer unreachable", the case the old form named
first (their free-text reason is kept). Their prevention measures take the closing time as their date."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def close_kinds(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    closed = Complaint.objects.filter(status="closed")
    closed.filter(close_reason="").update(close_kind="satisfied")
    closed.exclude(close_reason="").update(close_kind="unreachable")
    Complaint.objects.exclude(prevention_measure="").filter(closed_at__isnull=False).update(
        prevention_measure_at=models.F("closed_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cac", "0018_user_is_integration"),
        ("complaints", "0007_history_step_and_note"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="answer_promised_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="answer promised to the customer by"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="close_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("satisfied", "Satisfied on the follow-up call"),
                    ("unreachable", "Customer unreachable"),
                    ("accepted", "Not satisfied but accepts (不满意但是能接受)"),
                ],
                max_length=12,
                verbose_name="how it was closed",
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="prevention_measure_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="prevention measure recorded at"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="root_cause_class",
            field=models.CharField(
                blank=True,
                choices=[
                    ("people", "People"),
                    ("organisation", "Organisation"),
                    ("technical", "Technical"),
                    ("product", "Product"),
                    ("price", "Price"),
                ],
                max_length=16,
                verbose_name="cause class",
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="staff_involved",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="complaints_about",
                to=settings.AUTH_USER_MODEL,
                verbose_name="staff member complained about (当事人)",
            ),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="answer_promised_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="answer promised to the customer by"),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="close_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("satisfied", "Satisfied on the follow-up call"),
                    ("unreachable", "Customer unreachable"),
                    ("accepted", "Not satisfied but accepts (不满意但是能接受)"),
                ],
                max_length=12,
                verbose_name="how it was closed",
            ),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="prevention_measure_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="prevention measure recorded at"),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="root_cause_class",
            field=models.CharField(
                blank=True,
                choices=[
                    ("people", "People"),
                    ("organisation", "Organisation"),
                    ("technical", "Technical"),
                    ("product", "Product"),
                    ("price", "Price"),
                ],
                max_length=16,
                verbose_name="cause class",
            ),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="staff_involved",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="staff member complained about (当事人)",
            ),
        ),
        migrations.AddConstraint(
            model_name="complaint",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("root_cause_class__in", ["people", "organisation", "technical", "product", "price"]),
                    ("root_cause_class", ""),
                    _connector="OR",
                ),
                name="complaint_root_cause_class_choice",
            ),
        ),
        migrations.AddConstraint(
            model_name="complaint",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("close_kind__in", ["satisfied", "unreachable", "accepted"]), ("close_kind", ""), _connector="OR"
                ),
                name="complaint_close_kind_choice",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["status", "answer_promised_at"], name="complaint_sweep_answer_due"),
        ),
        migrations.RunPython(close_kinds, migrations.RunPython.noop),
    ]
