from django.db import migrations


def forwards(apps, schema_editor):
    from cac.roles import sync_roles

    # Recording and reading deliveries and repair orders: cac.add_sale, cac.add_servicevisit, cac.view_*.
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("cac", "0003_dealer_follow_up_days_and_more")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
