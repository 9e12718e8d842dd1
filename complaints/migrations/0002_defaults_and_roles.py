from django.db import migrations

DEFAULT_POLICIES = [
    # (channel, severity, acknowledge rule, hours, working days to resolve): seeds 000 and 001
    ("", "", "end_of_day", None, 3),
    ("media", "", "working_hours", 4, 3),
    ("regulator", "", "working_hours", 4, 15),
    ("", "emergency", "clock_hours", 2, 3),
    ("regulator", "emergency", "clock_hours", 2, 15),
]


def forwards(apps, schema_editor):
    from cac.roles import sync_roles

    ComplaintSLA = apps.get_model("complaints", "ComplaintSLA")
    for channel, severity, rule, hours, days in DEFAULT_POLICIES:
        ComplaintSLA.objects.get_or_create(
            dealer=None,
            channel=channel,
            severity=severity,
            defaults={"acknowledge_rule": rule, "acknowledge_hours": hours, "resolve_days": days},
        )
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial"), ("cac", "0002_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
