"""A key-attention vehicle's reasons as data (cac.texts); an entry written before keeps its words."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0007_history_step_and_note'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalkeyattentionvehicle',
            name='reasons',
            field=models.JSONField(blank=True, default=list, editable=False, verbose_name='reasons as data'),
        ),
        migrations.AddField(
            model_name='keyattentionvehicle',
            name='reasons',
            field=models.JSONField(blank=True, default=list, editable=False, verbose_name='reasons as data'),
        ),
    ]
