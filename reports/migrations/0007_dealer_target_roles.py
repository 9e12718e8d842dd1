from django.db import migrations


def forwards(apps, schema_editor):
    from cac.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_dealer_targets")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
