"""The Alibaba Cloud and Tencent Cloud backends, through their official SDKs, against the local fake gateway over
HTTP: what each sends (signed), the message id each returns, and which failures are temporary."""

import json

import pytest

from cac.deadlines.sms import SmsError, SmsRequest, SmsTemporaryError
from cac.deadlines.sms_gateways import AlibabaSmsBackend, TencentSmsBackend
from tests.sms_gateway import ALIBABA_KEY, TENCENT_KEY, start_fake_gateway


@pytest.fixture
def gateway(settings):
    fake = start_fake_gateway()
    settings.CAC_SMS_PROTOCOL = "http"
    settings.CAC_SMS_TIMEOUT = 1.0
    fake.slow_seconds = 2.5
    settings.CAC_SMS_ALIBABA_ENDPOINT = fake.endpoint
    settings.CAC_SMS_ALIBABA_ACCESS_KEY_ID, settings.CAC_SMS_ALIBABA_ACCESS_KEY_SECRET = ALIBABA_KEY
    settings.CAC_SMS_TENCENT_ENDPOINT = fake.endpoint
    settings.CAC_SMS_TENCENT_SECRET_ID, settings.CAC_SMS_TENCENT_SECRET_KEY = TENCENT_KEY
    settings.CAC_SMS_TENCENT_SDK_APP_ID = "1400000001"
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def request(code="SMS_0001") -> SmsRequest:
    return SmsRequest(
        message_id=42,
        phone="13800138000",
        signature="顾客服务中心",
        template_code=code,
        parameters=[("dealer", "广州一店"), ("phone", "020-12345678")],
        text="【顾客服务中心】广州一店感谢您的选择！",
    )


def test_alibaba_sends_the_signature_the_template_code_and_its_parameters(gateway):
    reference = AlibabaSmsBackend().send(request())
    [sent] = gateway.sent("alibaba")
    assert sent.params["Action"] if "Action" in sent.params else sent.headers["x-acs-action"] == "SendSms"
    assert sent.params["PhoneNumbers"] == "13800138000"
    assert sent.params["SignName"] == "顾客服务中心"
    assert sent.params["TemplateCode"] == "SMS_0001"
    assert json.loads(sent.params["TemplateParam"]) == {"dealer": "广州一店", "phone": "020-12345678"}
    assert sent.params["OutId"] == "42"
    assert "^" in reference  # the BizId the gateway answered


def test_tencent_sends_the_app_the_signature_the_template_id_and_the_parameters_in_order(gateway):
    reference = TencentSmsBackend().send(request(code="1234567"))
    [sent] = gateway.sent("tencent")
    assert sent.headers["X-TC-Action"] == "SendSms"
    assert sent.params["SmsSdkAppId"] == "1400000001"
    assert sent.params["SignName"] == "顾客服务中心"
    assert sent.params["TemplateId"] == "1234567"
    assert sent.params["TemplateParamSet"] == ["广州一店", "020-12345678"]
    assert sent.params["PhoneNumberSet"] == ["+8613800138000"]
    assert reference.startswith("2028:")


@pytest.mark.parametrize("backend", [AlibabaSmsBackend, TencentSmsBackend])
def test_a_wrong_secret_is_refused_by_the_gateway_and_nothing_is_sent(gateway, settings, backend):
    settings.CAC_SMS_ALIBABA_ACCESS_KEY_SECRET = settings.CAC_SMS_TENCENT_SECRET_KEY = "not-the-secret"
    with pytest.raises(SmsError) as refused:
        backend().send(request())
    assert not isinstance(refused.value, SmsTemporaryError)
    assert "Signature" in str(refused.value)
    assert gateway.requests == []


@pytest.mark.parametrize("backend", [AlibabaSmsBackend, TencentSmsBackend])
@pytest.mark.parametrize("outcome", ["5xx", "timeout"])
def test_a_5xx_or_a_timeout_is_temporary(gateway, backend, outcome):
    gateway.script = [outcome]
    with pytest.raises(SmsTemporaryError):
        backend().send(request())
    assert len(gateway.requests) == 1  # the SDK does not retry on its own: the task does, with its backoff


@pytest.mark.parametrize("backend", [AlibabaSmsBackend, TencentSmsBackend])
def test_a_gateway_that_is_down_is_temporary(settings, backend):
    settings.CAC_SMS_PROTOCOL = "http"
    settings.CAC_SMS_TIMEOUT = 1.0
    settings.CAC_SMS_ALIBABA_ENDPOINT = settings.CAC_SMS_TENCENT_ENDPOINT = "127.0.0.1:9"  # nothing listens there
    settings.CAC_SMS_ALIBABA_ACCESS_KEY_ID, settings.CAC_SMS_ALIBABA_ACCESS_KEY_SECRET = ALIBABA_KEY
    settings.CAC_SMS_TENCENT_SECRET_ID, settings.CAC_SMS_TENCENT_SECRET_KEY = TENCENT_KEY
    with pytest.raises(SmsTemporaryError):
        backend().send(request())


@pytest.mark.parametrize("backend", [AlibabaSmsBackend, TencentSmsBackend])
def test_a_refused_number_is_final(gateway, backend):
    gateway.script = ["refuse"]
    with pytest.raises(SmsError) as refused:
        backend().send(request())
    assert not isinstance(refused.value, SmsTemporaryError)


@pytest.mark.parametrize("backend", [AlibabaSmsBackend, TencentSmsBackend])
def test_a_template_without_the_gateways_code_is_refused_before_sending(gateway, backend):
    with pytest.raises(SmsError, match="template code"):
        backend().send(request(code=""))
    assert gateway.requests == []
