
import django.db.models.deletion
from django.db import migrations, models


def from_key_attention_history(apps, schema_editor):
    # Until now each warning was kept as a change reason `[三包:<threshold>]` of the key-attention history.
    History = apps.get_model("complaints", "HistoricalKeyAttentionVehicle")
    SanbaoWarning = apps.get_model("callbacks", "SanbaoWarning")
    seen = {}
    rows = History.objects.filter(history_change_reason__startswith="[三包:").order_by("history_date")
    for vehicle_id, reason, at in rows.values_list("vehicle_id", "history_change_reason", "history_date"):
        threshold = reason[len("[三包:") :].rstrip("]")
        seen.setdefault((vehicle_id, threshold), at)
    SanbaoWarning.objects.bulk_create(
        [SanbaoWarning(vehicle_id=v, threshold=t, warned_at=at) for (v, t), at in seen.items()],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cac', '0009_search_indexes_with_ids'),
        ('callbacks', '0006_choice_checks'),
        ('complaints', '0005_list_by_deadline_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='SanbaoWarning',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('threshold', models.CharField(help_text='days, safety or fault:<code>', max_length=60, verbose_name='threshold')),
                ('warned_at', models.DateTimeField(verbose_name='warned at')),
                ('vehicle', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sanbao_warnings', to='cac.vehicle', verbose_name='vehicle')),
            ],
            options={
                'verbose_name': '三包 warning',
                'verbose_name_plural': '三包 warnings',
                'ordering': ['vehicle', 'warned_at'],
                'constraints': [models.UniqueConstraint(fields=('vehicle', 'threshold'), name='sanbao_warning_once')],
            },
        ),
        migrations.RunPython(from_key_attention_history, migrations.RunPython.noop),
    ]
