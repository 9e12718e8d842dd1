"""The customer 360 shows the SMS sent to the customer with their delivery state."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cac import roles
from cac.deadlines.sms import SmsReceipt, sms_deliver, sms_receipt_record, sms_send
from tests.cac.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _sms(customer, reference: str):
    message = sms_send(
        dealer=customer.dealer,
        customer=customer,
        phone=customer.mobile,
        purpose="follow_up_unreachable",
        parameters={"dealer": "广州一店", "phone": "13912345678"},
    )
    return sms_deliver(message_id=message.pk)


def test_delivered_and_failed_sms_are_on_the_customers_history(client, agent, dealer):
    customer = CustomerFactory(dealer=dealer)
    delivered, failed, queued = _sms(customer, "a"), _sms(customer, "b"), None
    sms_receipt_record(
        gateway="memory",
        receipts=[
            SmsReceipt(reference=delivered.gateway_reference, delivered=True, code="DELIVRD", at=timezone.now()),
            SmsReceipt(reference=failed.gateway_reference, delivered=False, code="MK:0001", description="停机"),
        ],
    )
    queued = sms_send(
        dealer=dealer, customer=customer, phone=customer.mobile, purpose="follow_up_declined", parameters={}
    )
    client.force_login(agent)
    response = client.get(reverse("customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    for message, label in ((delivered, "Delivered"), (failed, "Failed"), (queued, "Queued")):
        section = page.split(f'id="sms-{message.pk}"', 1)[1].split('class="list-group-item', 1)[0]
        assert label in section
    assert "停机" in page
    assert "【顾客服务中心】广州一店感谢您的选择" in page


def test_an_executive_reads_the_sms_with_numbers_masked(client, make_user, dealer):
    customer = CustomerFactory(dealer=dealer)
    _sms(customer, "a")
    client.force_login(make_user(roles.EXECUTIVE, dealer))
    page = client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert 'id="sms-history"' in page
    assert "13912345678" not in page and "139****5678" in page
