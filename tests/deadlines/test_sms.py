"""SMS: the template of the purpose, queued in the sender's transaction and sent after its commit, at most once,
with the task's retries on temporary failures; the message's state machine."""

import pytest
from django.db import transaction
from django_fsm import TransitionNotAllowed

from cac.deadlines.sms import MemorySmsBackend, SmsTemporaryError, sms_deliver, sms_render, sms_send
from cac.models import SmsMessage, SmsTemplate
from cac.tasks import sms_deliver_task
from tests.sms_gateway import ALIBABA_KEY, start_fake_gateway

PURPOSE = "follow_up_unreachable"
PARAMETERS = {"dealer": "广州一店", "phone": "020-12345678"}


@pytest.fixture
def outbox():
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def send(dealer, **kwargs):
    return sms_send(dealer=dealer, phone="13800138000", purpose=PURPOSE, parameters=PARAMETERS, **kwargs)


@pytest.mark.django_db
def test_the_text_is_rendered_from_the_groups_template(dealer):
    message = send(dealer)
    assert message.status == SmsMessage.Status.QUEUED
    assert (
        message.text
        == "【顾客服务中心】广州一店感谢您的选择！您对我们的服务满意吗？请回复1-5分（5分为非常满意），或致电020-12345678。"
    )
    assert message.signature == "顾客服务中心"
    assert message.parameters == PARAMETERS


@pytest.mark.django_db
def test_a_dealers_own_template_beats_the_groups(dealer, other_dealer):
    own = SmsTemplate.objects.create(
        dealer=dealer, purpose=PURPOSE, signature="广州一店", body="您好，请致电${phone}", parameters=["phone"]
    )
    assert send(dealer).text == "【广州一店】您好，请致电020-12345678"
    assert send(dealer).template == own
    assert send(other_dealer).template.dealer is None


def test_a_missing_parameter_stays_visible_in_the_text():
    template = SmsTemplate(signature="店", body="${dealer}：${missing}")
    assert sms_render(template=template, parameters={"dealer": "广州一店"}) == "【店】广州一店：${missing}"


@pytest.mark.django_db
def test_without_a_template_the_message_is_recorded_failed_and_nothing_is_queued(dealer, outbox):
    SmsTemplate.objects.filter(purpose=PURPOSE).delete()
    message = send(dealer)
    assert message.status == SmsMessage.Status.FAILED
    assert "No SMS template" in message.error
    assert sms_deliver(message_id=message.pk) is None
    assert outbox == []


@pytest.mark.django_db
def test_it_is_handed_to_a_worker_only_after_the_commit(dealer, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(sms_deliver_task, "apply_async", lambda kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        message = send(dealer)
        assert queued == []
    assert queued == [{"message_id": message.pk}]


@pytest.mark.django_db
def test_nothing_is_sent_when_the_step_rolls_back(dealer, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(sms_deliver_task, "apply_async", lambda kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                send(dealer)
                raise RuntimeError("the step fails after queueing its SMS")
        except RuntimeError:
            pass
    assert queued == []
    assert SmsMessage.objects.count() == 0


@pytest.mark.django_db
def test_it_is_sent_once_however_often_the_task_runs(dealer, outbox):
    message = send(dealer)
    sent = sms_deliver(message_id=message.pk)
    assert (sent.status, sent.gateway, sent.gateway_reference, sent.attempts) == (
        "sent",
        "memory",
        f"memory-{message.pk}",
        1,
    )
    assert sent.handed_over_at is not None
    assert sms_deliver(message_id=message.pk) is None
    assert sms_deliver_task.apply(kwargs={"message_id": message.pk}).get() is None
    assert len(outbox) == 1
    assert outbox[0].signature == "顾客服务中心"
    assert outbox[0].parameters == [("dealer", "广州一店"), ("phone", "020-12345678")]
    assert [row.history_change_reason for row in sent.history.order_by("history_id")] == [
        f"queued: {PURPOSE}",
        "handed to the gateway",
    ]


@pytest.mark.django_db
def test_a_temporary_failure_keeps_it_queued_until_the_last_attempt(dealer, settings):
    settings.CAC_SMS_BACKEND = "tests.deadlines.test_sms.DownBackend"
    message = send(dealer)
    with pytest.raises(SmsTemporaryError):
        sms_deliver(message_id=message.pk, final_attempt=False)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == ("queued", 1, "503")
    failed = sms_deliver(message_id=message.pk, final_attempt=True)
    assert (failed.status, failed.attempts, failed.gateway) == ("failed", 2, "down")


class DownBackend:
    vendor = "down"

    def send(self, request):
        raise SmsTemporaryError("503")


@pytest.fixture
def alibaba(settings):
    fake = start_fake_gateway()
    fake.slow_seconds = 2.0
    settings.CAC_SMS_BACKEND = "cac.deadlines.sms_gateways.AlibabaSmsBackend"
    settings.CAC_SMS_PROTOCOL = "http"
    settings.CAC_SMS_TIMEOUT = 1.0
    settings.CAC_SMS_ALIBABA_ENDPOINT = fake.endpoint
    settings.CAC_SMS_ALIBABA_ACCESS_KEY_ID, settings.CAC_SMS_ALIBABA_ACCESS_KEY_SECRET = ALIBABA_KEY
    SmsTemplate.objects.filter(purpose=PURPOSE).update(alibaba_template_code="SMS_0001")
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.mark.django_db
def test_the_task_retries_a_5xx_and_a_timeout_then_sends_once(dealer, alibaba):
    alibaba.script = ["5xx", "timeout"]
    message = send(dealer)
    sms_deliver_task.apply(kwargs={"message_id": message.pk})
    message.refresh_from_db()
    assert (message.status, message.attempts, message.gateway) == ("sent", 3, "alibaba")
    assert len(alibaba.requests) == 3
    assert message.gateway_reference.startswith(f"{3:06d}^")


@pytest.mark.django_db
def test_the_task_gives_up_after_its_retries(dealer, alibaba):
    alibaba.script = ["5xx"] * (sms_deliver_task.max_retries + 1)
    message = send(dealer)
    sms_deliver_task.apply(kwargs={"message_id": message.pk})
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", sms_deliver_task.max_retries + 1)
    assert "ServiceUnavailable" in message.error


@pytest.mark.django_db
def test_a_refusal_is_not_retried(dealer, alibaba):
    alibaba.script = ["refuse"]
    message = send(dealer)
    sms_deliver_task.apply(kwargs={"message_id": message.pk})
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "isv.MOBILE_NUMBER_ILLEGAL" in message.error


# --- The state machine -------------------------------------------------------------------------------------------

TRANSITIONS = {
    "hand_over": {"gateway": "g", "reference": "r", "at": None},
    "refuse": {"gateway": "g", "error": "e"},
    "deliver": {"at": None, "code": "DELIVRD"},
    "undeliverable": {"at": None, "code": "UNDELIV", "error": "e"},
}
ALLOWED = {
    ("queued", "hand_over"): "sent",
    ("queued", "refuse"): "failed",
    ("sent", "deliver"): "delivered",
    ("sent", "undeliverable"): "failed",
}


@pytest.mark.parametrize("source", ["queued", "sent", "delivered", "failed"])
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_the_transition_table(source, name):
    message = SmsMessage(status=source)
    if (source, name) in ALLOWED:
        getattr(message, name)(**TRANSITIONS[name])
        assert message.status == ALLOWED[(source, name)]
    else:
        with pytest.raises(TransitionNotAllowed):
            getattr(message, name)(**TRANSITIONS[name])
        assert message.status == source


def test_the_status_is_protected():
    message = SmsMessage()
    with pytest.raises(AttributeError):
        message.status = SmsMessage.Status.DELIVERED


@pytest.mark.parametrize(
    ("body", "parameters", "ok"),
    [
        ("${dealer}：请致电${phone}", ["dealer", "phone"], True),
        ("${dealer}：请致电${phone}", ["phone", "dealer"], True),  # Tencent's {1}, {2} follow the list's order
        ("${dealer}：请致电${phone}", ["dealer"], False),
        ("${dealer}", ["dealer", "phone"], False),
        ("${dealer}", "dealer", False),
    ],
)
def test_a_templates_parameters_are_those_its_text_names(body, parameters, ok):
    from django.core.exceptions import ValidationError

    template = SmsTemplate(purpose=PURPOSE, signature="店", body=body, parameters=parameters)
    if ok:
        template.clean()
    else:
        with pytest.raises(ValidationError) as refused:
            template.clean()
        assert "parameters" in refused.value.message_dict
