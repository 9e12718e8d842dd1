from django.db import migrations


def forwards(apps, schema_editor):
    from cac.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """The managers, directors and executives plan and close corrective actions."""

    dependencies = [("reports", "0006_corrective_actions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
