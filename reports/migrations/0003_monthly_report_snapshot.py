from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="monthlyreport",
            name="snapshot",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="snapshot"),
        ),
    ]
