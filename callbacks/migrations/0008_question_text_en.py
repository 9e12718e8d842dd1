from django.db import migrations, models

# The default call scripts of 0002 in English, matched by their Chinese text (a dealer's own questions keep theirs).
ENGLISH = {
    "您对销售顾问的接待和讲解满意吗？": "Are you satisfied with how the sales consultant received you and explained the car?",
    "交车时是否为您讲解了车辆功能和保养知识？": "At delivery, were the car's functions and its maintenance explained to you?",
    "您还有什么意见或建议？": "Do you have any other comments or suggestions?",
    "车辆问题是否已经一次修好？": "Was the problem fixed on the first visit?",
    "您对维修质量和服务顾问的服务满意吗？": "Are you satisfied with the quality of the repair and with your service advisor?",
    "交车时间和费用是否与预估一致？": "Were the time of delivery and the cost as estimated?",
    "您反映的问题是否已经解决？": "Has the problem you reported been solved?",
    "您对我们的处理过程满意吗？": "Are you satisfied with how we handled it?",
}


def forwards(apps, schema_editor):
    Question = apps.get_model("callbacks", "Question")
    for chinese, english in ENGLISH.items():
        Question.objects.filter(dealer=None, text=chinese, text_en="").update(text_en=english)


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0007_sanbao_warnings")]

    operations = [
        migrations.AddField(
            model_name="question",
            name="text_en",
            field=models.CharField(
                blank=True,
                help_text="What users working in English read; empty: the question above.",
                max_length=300,
                verbose_name="question in English",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
