"""Texts the app writes kept as data (cac.texts), and each user's language for their e-mails.

Rows written before keep their words: with no data, a notice, a call's summary or a key-attention reason is shown
as it was written."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cac', '0018_user_is_integration'),
    ]

    operations = [
        migrations.AddField(
            model_name='calllog',
            name='summary_text',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='summary as data'),
        ),
        migrations.AddField(
            model_name='historicalcalllog',
            name='summary_text',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='summary as data'),
        ),
        migrations.AddField(
            model_name='historicaluser',
            name='language',
            field=models.CharField(choices=[('zh-hans', 'Simplified Chinese'), ('en', 'English')], default='zh-hans', help_text='The language of the e-mails sent to this user.', max_length=10, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='notification',
            name='texts',
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name='texts as data'),
        ),
        migrations.AddField(
            model_name='user',
            name='language',
            field=models.CharField(choices=[('zh-hans', 'Simplified Chinese'), ('en', 'English')], default='zh-hans', help_text='The language of the e-mails sent to this user.', max_length=10, verbose_name='language'),
        ),
    ]
