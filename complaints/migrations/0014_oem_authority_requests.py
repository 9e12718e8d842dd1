"""The authorisations a manager asks of the OEM region for what exceeds the dealer's authority (seed 000 §五.7), and
their answers. Nothing before this migration becomes one: complaints escalated to the OEM region earlier keep their
Escalation rows as they are."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0013_merge_flow'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalAuthorityRequest',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                ('kind', models.CharField(choices=[('compensation', 'Compensation'), ('rental_car', 'Rental car (租车费)'), ('transport_subsidy', 'Transport subsidy (交通补助)'), ('exchange_refund', 'Exchange or refund of the vehicle (退换车)'), ('parts_claim', 'Parts or warranty claim (零件索赔)'), ('mediation', 'Mediation with a third party (与第三者协调)')], max_length=20, verbose_name='authorisation asked for')),
                ('request', models.TextField(max_length=2000, verbose_name='what is asked of the OEM region')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                ('answer', models.CharField(blank=True, choices=[('granted', 'Granted'), ('refused', 'Refused')], max_length=8, verbose_name="the region's answer")),
                ('answer_note', models.TextField(blank=True, max_length=2000, verbose_name='what the region answered')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answer recorded at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('answered_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answer recorded by')),
                ('complaint', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='complaints.complaint', verbose_name='complaint')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('requested_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'historical OEM authorisation request',
                'verbose_name_plural': 'historical OEM authorisation requests',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='AuthorityRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('kind', models.CharField(choices=[('compensation', 'Compensation'), ('rental_car', 'Rental car (租车费)'), ('transport_subsidy', 'Transport subsidy (交通补助)'), ('exchange_refund', 'Exchange or refund of the vehicle (退换车)'), ('parts_claim', 'Parts or warranty claim (零件索赔)'), ('mediation', 'Mediation with a third party (与第三者协调)')], max_length=20, verbose_name='authorisation asked for')),
                ('request', models.TextField(max_length=2000, verbose_name='what is asked of the OEM region')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                ('answer', models.CharField(blank=True, choices=[('granted', 'Granted'), ('refused', 'Refused')], max_length=8, verbose_name="the region's answer")),
                ('answer_note', models.TextField(blank=True, max_length=2000, verbose_name='what the region answered')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answer recorded at')),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answer recorded by')),
                ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='authority_requests', to='complaints.complaint', verbose_name='complaint')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'OEM authorisation request',
                'verbose_name_plural': 'OEM authorisation requests',
                'ordering': ['requested_at', 'id'],
                'indexes': [models.Index(fields=['requested_at'], name='authority_request_requested')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('answer', ''), ('answered_at__isnull', True), ('answered_by__isnull', True)), models.Q(models.Q(('answer', ''), _negated=True), ('answered_at__isnull', False)), _connector='OR'), name='authority_request_answered_with_time'), models.UniqueConstraint(condition=models.Q(('answer', '')), fields=('complaint', 'kind'), name='one_pending_authority_request_per_kind'), models.CheckConstraint(condition=models.Q(('kind__in', ['compensation', 'rental_car', 'transport_subsidy', 'exchange_refund', 'parts_claim', 'mediation'])), name='authorityrequest_kind_choice'), models.CheckConstraint(condition=models.Q(('answer__in', ['granted', 'refused']), ('answer', ''), _connector='OR'), name='authorityrequest_answer_choice')],
            },
        ),
    ]
