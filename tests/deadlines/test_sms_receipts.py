"""The gateways' delivery receipts through the real endpoints: delivered and failed, once; a wrong token is a 404 and
a bad body a 400, with nothing written."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from cac.deadlines.sms import sms_deliver, sms_send
from cac.deadlines.sms_receipts import receipt_path
from cac.models import SmsMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(dealer, settings):
    """A message handed to the gateway `vendor` (the memory backend standing in for it)."""

    def make(vendor: str) -> SmsMessage:
        settings.CAC_SMS_BACKEND = f"tests.deadlines.test_sms_receipts.{vendor.title()}Standin"
        message = sms_send(
            dealer=dealer,
            phone="13800138000",
            purpose="follow_up_unreachable",
            parameters={"dealer": "广州一店", "phone": "020-1"},
        )
        return sms_deliver(message_id=message.pk)

    return make


class AlibabaStandin:
    vendor = "alibaba"

    def send(self, request):
        return f"900619{request.message_id}^0"


class TencentStandin:
    vendor = "tencent"

    def send(self, request):
        return f"2028:{request.message_id}"


def alibaba_receipt(message, *, success=True, **extra):
    return {
        "phone_number": message.phone,
        "send_time": "2026-12-03 10:00:00",
        "report_time": "2026-12-03 10:00:05",
        "success": success,
        "err_code": "DELIVERED" if success else "MK:0001",
        "err_msg": "用户接收成功" if success else "停机",
        "sms_size": "1",
        "biz_id": message.gateway_reference,
        "out_id": str(message.pk),
        **extra,
    }


def tencent_receipt(message, *, success=True):
    return {
        "user_receive_time": "2026-12-03 10:00:05",
        "nationcode": "86",
        "mobile": message.phone,
        "report_status": "SUCCESS" if success else "FAIL",
        "errmsg": "DELIVRD" if success else "MK:0001",
        "description": "用户短信送达成功" if success else "停机",
        "sid": message.gateway_reference,
    }


def post(client, vendor, body, *, path=None):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(path or receipt_path(vendor), data=data, content_type="application/json")


def test_an_alibaba_receipt_marks_the_message_delivered_and_answers_as_alibaba_expects(client, sent):
    message = sent("alibaba")
    response = post(client, "alibaba", [alibaba_receipt(message)])
    assert response.status_code == 200
    assert response.json() == {"code": 0, "msg": "成功"}
    message.refresh_from_db()
    assert (message.status, message.receipt_code) == ("delivered", "DELIVERED")
    assert message.reported_at == datetime(2026, 12, 3, 10, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert message.history.latest("history_id").history_change_reason == "receipt: DELIVERED"


def test_a_tencent_receipt_of_failure_marks_the_message_failed(client, sent):
    message = sent("tencent")
    response = post(client, "tencent", [tencent_receipt(message, success=False)])
    assert response.json() == {"result": 0, "errmsg": "OK"}
    message.refresh_from_db()
    assert (message.status, message.receipt_code, message.error) == ("failed", "MK:0001", "停机")


def test_a_receipt_pushed_again_changes_nothing(client, sent):
    message = sent("tencent")
    post(client, "tencent", [tencent_receipt(message)])
    history = message.history.count()
    response = post(client, "tencent", [tencent_receipt(message, success=False)])
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered"
    assert message.history.count() == history


def test_a_receipt_of_another_gateway_or_an_unknown_message_changes_nothing(client, sent):
    message = sent("alibaba")
    assert post(client, "tencent", [{**tencent_receipt(message), "sid": message.gateway_reference}]).status_code == 200
    assert post(client, "alibaba", [{**alibaba_receipt(message), "biz_id": "unknown^1"}]).status_code == 200
    message.refresh_from_db()
    assert message.status == "sent"


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_a_wrong_token_is_a_404_and_writes_nothing(client, sent, vendor):
    message = sent(vendor)
    receipt = alibaba_receipt(message) if vendor == "alibaba" else tencent_receipt(message)
    other = "tencent" if vendor == "alibaba" else "alibaba"
    for path in (f"/sms/receipts/{vendor}/{'0' * 40}/", receipt_path(other).replace(other, vendor)):
        assert post(client, vendor, [receipt], path=path).status_code == 404
    assert post(client, vendor, [receipt], path=f"/sms/receipts/other/{'0' * 40}/").status_code == 404
    message.refresh_from_db()
    assert message.status == "sent"


def test_only_post_is_accepted(client):
    assert client.get(receipt_path("alibaba")).status_code == 405


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'"a string"',
        b"[1, 2]",
        json.dumps([{"biz_id": "x", "success": "yes"}]).encode(),
        json.dumps([{"success": True}]).encode(),
        json.dumps([{"biz_id": "x" * 1000, "success": True}]).encode(),
        json.dumps([{"biz_id": "x", "success": True, "report_time": "yesterday"}]).encode(),
    ],
)
def test_a_bad_body_is_a_400_and_writes_nothing(client, sent, body):
    message = sent("alibaba")
    response = post(client, "alibaba", body)
    assert response.status_code == 400
    assert "error" in response.json()
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_batch_with_one_bad_receipt_applies_none(client, sent):
    message = sent("alibaba")
    response = post(client, "alibaba", [alibaba_receipt(message), {"biz_id": "y", "success": "maybe"}])
    assert response.status_code == 400
    message.refresh_from_db()
    assert message.status == "sent"


def test_the_command_prints_each_gateways_receipt_url(capsys):
    call_command("sms_receipt_urls")
    out = capsys.readouterr().out
    assert receipt_path("alibaba") in out and receipt_path("tencent") in out
