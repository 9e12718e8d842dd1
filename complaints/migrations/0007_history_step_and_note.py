"""Each history row of a complaint names its step and the note typed with it, as columns; rows written before are
given them from the reason sentence they carry, once, here."""

from django.db import migrations, models

PREFIXES = [("assigned to ", "assign"), ("escalated: ", "escalate"), ("updated: ", "update")]


def _step_and_note(reason: str) -> tuple[str, str]:
    reason = reason or ""
    for prefix, step in PREFIXES:
        if reason.startswith(prefix):
            return step, "" if step == "assign" else reason[len(prefix) :]
    if reason.startswith("reported to the OEM: "):
        return "report_oem", reason[len("reported to the OEM: ") :]
    step, _sep, note = reason.partition(": ")
    return step[:40], note


def forwards(apps, schema_editor):
    History = apps.get_model("complaints", "HistoricalComplaint")
    batch = []
    for record in History.objects.exclude(history_change_reason=None).exclude(history_change_reason="").only(
        "history_id", "history_change_reason"
    ).iterator(chunk_size=2000):
        record.history_step, record.history_note = _step_and_note(record.history_change_reason)
        batch.append(record)
        if len(batch) >= 2000:
            History.objects.bulk_update(batch, ["history_step", "history_note"])
            batch = []
    if batch:
        History.objects.bulk_update(batch, ["history_step", "history_note"])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_choice_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalcomplaint",
            name="history_note",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="history_step",
            field=models.CharField(blank=True, db_default="", default="", max_length=40),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
