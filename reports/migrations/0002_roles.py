from django.db import migrations


def forwards(apps, schema_editor):
    from cac.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("cac", "0002_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
