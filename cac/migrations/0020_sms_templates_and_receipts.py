
import django.db.models.deletion
import django_fsm
import simple_history.models
from django.conf import settings
from django.db import migrations, models

# The group's templates of the SMS the workflows send; an administrator registers them with the gateways and types
# in their codes (a dealer may have its own).
SURVEY = "${dealer}感谢您的选择！您对我们的服务满意吗？请回复1-5分（5分为非常满意），或致电${phone}。"
DEFAULTS = [("follow_up_declined", SURVEY), ("follow_up_unreachable", SURVEY)]


def roles(apps, schema_editor):
    from cac.roles import sync_roles

    sync_roles(apps)


def group_templates(apps, schema_editor):
    SmsTemplate = apps.get_model("cac", "SmsTemplate")
    for purpose, body in DEFAULTS:
        SmsTemplate.objects.get_or_create(
            dealer=None,
            purpose=purpose,
            defaults={"signature": "顾客服务中心", "body": body, "parameters": ["dealer", "phone"]},
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cac', '0018_user_is_integration'),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalSmsMessage',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('phone', models.CharField(max_length=20, verbose_name='phone number')),
                ('text', models.CharField(max_length=500, verbose_name='text')),
                ('purpose', models.CharField(max_length=40, verbose_name='purpose')),
                ('signature', models.CharField(blank=True, max_length=30, verbose_name='signature')),
                ('parameters', models.JSONField(blank=True, default=dict, verbose_name='parameters')),
                ('status', django_fsm.FSMField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='queued', max_length=10, protected=True, verbose_name='status')),
                ('gateway', models.CharField(blank=True, max_length=20, verbose_name='gateway')),
                ('gateway_reference', models.CharField(blank=True, max_length=100, verbose_name='gateway message id')),
                ('error', models.CharField(blank=True, max_length=300, verbose_name='error')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('sent_at', models.DateTimeField(blank=True, editable=False, verbose_name='sent at')),
                ('handed_over_at', models.DateTimeField(blank=True, null=True, verbose_name='handed to the gateway at')),
                ('reported_at', models.DateTimeField(blank=True, null=True, verbose_name='receipt at')),
                ('receipt_code', models.CharField(blank=True, max_length=60, verbose_name='receipt code')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical SMS',
                'verbose_name_plural': 'historical SMS messages',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalSmsTemplate',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('purpose', models.CharField(choices=[('follow_up_declined', 'Follow-up declined: SMS survey'), ('follow_up_unreachable', 'Follow-up unreachable: SMS survey')], max_length=40, verbose_name='purpose')),
                ('signature', models.CharField(help_text='The SMS signature (短信签名) registered with the gateway.', max_length=30, verbose_name='signature')),
                ('body', models.CharField(help_text='The registered template text, with its parameters written ${name}.', max_length=500, verbose_name='text')),
                ('parameters', models.JSONField(blank=True, default=list, help_text='The parameter names in the template\'s order, e.g. ["dealer", "phone"].', verbose_name='parameters')),
                ('alibaba_template_code', models.CharField(blank=True, help_text='e.g. SMS_123456789', max_length=40, verbose_name='Alibaba Cloud template code')),
                ('tencent_template_id', models.CharField(blank=True, help_text='e.g. 1234567', max_length=40, verbose_name='Tencent Cloud template ID')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical SMS template',
                'verbose_name_plural': 'historical SMS templates',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='SmsTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(choices=[('follow_up_declined', 'Follow-up declined: SMS survey'), ('follow_up_unreachable', 'Follow-up unreachable: SMS survey')], max_length=40, verbose_name='purpose')),
                ('signature', models.CharField(help_text='The SMS signature (短信签名) registered with the gateway.', max_length=30, verbose_name='signature')),
                ('body', models.CharField(help_text='The registered template text, with its parameters written ${name}.', max_length=500, verbose_name='text')),
                ('parameters', models.JSONField(blank=True, default=list, help_text='The parameter names in the template\'s order, e.g. ["dealer", "phone"].', verbose_name='parameters')),
                ('alibaba_template_code', models.CharField(blank=True, help_text='e.g. SMS_123456789', max_length=40, verbose_name='Alibaba Cloud template code')),
                ('tencent_template_id', models.CharField(blank=True, help_text='e.g. 1234567', max_length=40, verbose_name='Tencent Cloud template ID')),
            ],
            options={
                'verbose_name': 'SMS template',
                'verbose_name_plural': 'SMS templates',
                'ordering': ['purpose', 'dealer__code'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='smsmessage',
            name='smsmessage_status_choice',
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='attempts'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='gateway',
            field=models.CharField(blank=True, max_length=20, verbose_name='gateway'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='handed_over_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='handed to the gateway at'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='parameters',
            field=models.JSONField(blank=True, default=dict, verbose_name='parameters'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='receipt_code',
            field=models.CharField(blank=True, max_length=60, verbose_name='receipt code'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='reported_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='receipt at'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='signature',
            field=models.CharField(blank=True, max_length=30, verbose_name='signature'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='smsmessage',
            name='gateway_reference',
            field=models.CharField(blank=True, max_length=100, verbose_name='gateway message id'),
        ),
        migrations.AlterField(
            model_name='smsmessage',
            name='status',
            field=django_fsm.FSMField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='queued', max_length=10, protected=True, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='historicalsmsmessage',
            name='customer',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cac.customer', verbose_name='customer'),
        ),
        migrations.AddField(
            model_name='historicalsmsmessage',
            name='dealer',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cac.dealer', verbose_name='dealer'),
        ),
        migrations.AddField(
            model_name='historicalsmsmessage',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalsmsmessage',
            name='sent_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by'),
        ),
        migrations.AddField(
            model_name='historicalsmstemplate',
            name='dealer',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Empty: applies to every dealer without a template of its own.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cac.dealer', verbose_name='dealer'),
        ),
        migrations.AddField(
            model_name='historicalsmstemplate',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='smstemplate',
            name='dealer',
            field=models.ForeignKey(blank=True, help_text='Empty: applies to every dealer without a template of its own.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sms_templates', to='cac.dealer', verbose_name='dealer'),
        ),
        migrations.AddField(
            model_name='historicalsmsmessage',
            name='template',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cac.smstemplate', verbose_name='template'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='template',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cac.smstemplate', verbose_name='template'),
        ),
        migrations.AddIndex(
            model_name='smsmessage',
            index=models.Index(fields=['customer', 'sent_at'], name='sms_customer_sent'),
        ),
        migrations.AddConstraint(
            model_name='smsmessage',
            constraint=models.UniqueConstraint(condition=models.Q(('gateway_reference', ''), _negated=True), fields=('gateway', 'gateway_reference'), name='sms_gateway_reference_unique'),
        ),
        migrations.AddConstraint(
            model_name='smsmessage',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'sent', 'delivered', 'failed'])), name='smsmessage_status_choice'),
        ),
        migrations.AddConstraint(
            model_name='smstemplate',
            constraint=models.UniqueConstraint(fields=('dealer', 'purpose'), name='sms_template_one_per_dealer_purpose'),
        ),
        migrations.AddConstraint(
            model_name='smstemplate',
            constraint=models.UniqueConstraint(condition=models.Q(('dealer__isnull', True)), fields=('purpose',), name='sms_template_one_group_default'),
        ),
        migrations.AddConstraint(
            model_name='smstemplate',
            constraint=models.CheckConstraint(condition=models.Q(('purpose__in', ['follow_up_declined', 'follow_up_unreachable'])), name='smstemplate_purpose_choice'),
        ),
        migrations.RunPython(group_templates, migrations.RunPython.noop),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
