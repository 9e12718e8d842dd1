from django.db import migrations

# The default call scripts (seed 000: satisfaction with the sale, the repair, the handling of a complaint).
DEFAULT_QUESTIONS = {
    "after_sale": [
        ("您对销售顾问的接待和讲解满意吗？", "score"),
        ("交车时是否为您讲解了车辆功能和保养知识？", "yes_no"),
        ("您还有什么意见或建议？", "text"),
    ],
    "after_service": [
        ("车辆问题是否已经一次修好？", "yes_no"),
        ("您对维修质量和服务顾问的服务满意吗？", "score"),
        ("交车时间和费用是否与预估一致？", "yes_no"),
    ],
    "after_complaint": [
        ("您反映的问题是否已经解决？", "yes_no"),
        ("您对我们的处理过程满意吗？", "score"),
    ],
}


def forwards(apps, schema_editor):
    from cac.roles import sync_roles

    Question = apps.get_model("callbacks", "Question")
    for kind, questions in DEFAULT_QUESTIONS.items():
        for position, (text, answer_type) in enumerate(questions):
            Question.objects.get_or_create(
                dealer=None,
                kind=kind,
                position=position,
                defaults={"text": text, "answer_type": answer_type, "required": answer_type != "text"},
            )
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0001_initial"), ("complaints", "0002_defaults_and_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
