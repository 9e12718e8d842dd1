from django.db import migrations


def forwards(apps, schema_editor):
    from cac.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """The corrective actions and the dealers' targets, made side by side; the roles get the permissions of both."""

    dependencies = [
        ("reports", "0007_corrective_action_roles"),
        ("reports", "0007_dealer_target_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
