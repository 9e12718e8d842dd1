"""Webhooks for other systems: a complaint created, moved or closed is posted, signed, to each endpoint of its
dealer that wants the event; retried on a 500 and a timeout, sent once, a failure shown and sent again."""

import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse

from api.models import WebhookDelivery, WebhookEndpoint
from api.outbound import webhook_deliveries_requeue, webhook_delivery_deliver
from api.signing import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, DeliveryFailed, sign
from api.tasks import webhook_delivery_send
from tests.api.receiver import Receiver
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import open_complaint, walk

pytestmark = pytest.mark.django_db

SECRET = "dms-secret"


@pytest.fixture
def fast_timeout(settings):
    settings.OEM_WEBHOOK_TIMEOUT = 0.5


def _run_after_commit(capture):
    """The tasks enqueued after the commit run here, in this process."""
    return mock.patch.object(
        webhook_delivery_send, "apply_async", lambda kwargs: webhook_delivery_send.apply(kwargs=kwargs)
    ), capture(execute=True)


def _headers(request):
    return {name.lower(): value for name, value in request["headers"].items()}


def test_created_moved_and_closed_reach_the_endpoint_signed(
    dealer, managers, agent, django_capture_on_commit_callbacks
):
    with Receiver([]) as receiver:
        WebhookEndpoint.objects.create(dealer=dealer, name="DMS", url=receiver.url, secret=SECRET)
        patch, capture = _run_after_commit(django_capture_on_commit_callbacks)
        with patch, capture:
            complaint = open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent)
        patch, capture = _run_after_commit(django_capture_on_commit_callbacks)
        with patch, capture:
            walk(complaint, to="closed", user=managers["service_manager"])
    events = [json.loads(request["body"]) for request in receiver.requests]
    assert [(e["event"], e["complaint"]["previous_status"], e["complaint"]["status"]) for e in events] == [
        ("created", "", "new"),
        ("status_changed", "new", "acknowledged"),
        ("status_changed", "acknowledged", "investigating"),
        ("status_changed", "investigating", "countermeasure_proposed"),
        ("status_changed", "countermeasure_proposed", "in_progress"),
        ("status_changed", "in_progress", "resolved"),
        ("closed", "resolved", "closed"),
    ]
    assert "customer" not in events[0]["complaint"]  # no personal data: the receiver reads it with its key
    for request in receiver.requests:
        headers = _headers(request)
        assert headers[SIGNATURE_HEADER.lower()] == sign(
            secret=SECRET, timestamp=headers[TIMESTAMP_HEADER.lower()], body=request["body"]
        )
        assert abs(int(headers[TIMESTAMP_HEADER.lower()]) - time.time()) < 60
        assert headers[DELIVERY_HEADER.lower()] == json.loads(request["body"])["event_id"]
    assert set(WebhookDelivery.objects.values_list("state", "attempts")) == {("sent", 1)}


def test_an_endpoint_hears_only_its_events_and_dealer(dealer, other_dealer, make_user, managers, agent):
    WebhookEndpoint.objects.create(
        dealer=dealer, name="BI", url="http://127.0.0.1:9/x", secret=SECRET, events=["closed"]
    )
    WebhookEndpoint.objects.create(dealer=other_dealer, name="SZ", url="http://127.0.0.1:9/y", secret=SECRET)
    WebhookEndpoint.objects.create(
        dealer=dealer, name="Off", url="http://127.0.0.1:9/z", secret=SECRET, is_active=False
    )
    complaint = open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent)
    assert not WebhookDelivery.objects.exists()
    walk(complaint, to="closed", user=managers["service_manager"])
    assert list(WebhookDelivery.objects.values_list("endpoint__name", "event")) == [("BI", "closed")]


def test_a_refused_step_leaves_no_delivery(dealer, agent):
    WebhookEndpoint.objects.create(dealer=dealer, name="DMS", url="http://127.0.0.1:9/x", secret=SECRET)
    with pytest.raises(RuntimeError), transaction.atomic():
        open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent)
        raise RuntimeError("the step fails after the signal")
    assert not WebhookDelivery.objects.exists()


def test_a_500_and_a_timeout_are_retried_then_sent_once(dealer, agent, fast_timeout):
    with Receiver([500, "sleep", 200]) as receiver:
        WebhookEndpoint.objects.create(dealer=dealer, name="DMS", url=receiver.url, secret=SECRET)
        open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent)
        delivery = WebhookDelivery.objects.get()
        webhook_delivery_send.apply(kwargs={"delivery_id": delivery.pk})
        webhook_delivery_send.apply(kwargs={"delivery_id": delivery.pk})  # a second run sends nothing
    assert len(receiver.requests) == 3
    assert len({request["body"] for request in receiver.requests}) == 1  # the body of the event, each time
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 3, "")


def test_a_failure_shows_on_the_complaint_and_in_the_outbox_and_is_sent_again(
    dealer, agent, managers, client, make_user, other_dealer, django_capture_on_commit_callbacks
):
    with Receiver([503, 200]) as receiver:
        WebhookEndpoint.objects.create(dealer=dealer, name="DMS", url=receiver.url, secret=SECRET)
        complaint = open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent)
        delivery = WebhookDelivery.objects.get()
        with pytest.raises(DeliveryFailed, match="HTTP 503"):
            webhook_delivery_deliver(delivery_id=delivery.pk)
        client.force_login(managers["service_manager"])
        assert "HTTP 503" in client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
        outbox = client.get(reverse("oem_reports:list"), {"outbox": "webhooks", "state": "failed"})
        assert outbox.status_code == 200 and "HTTP 503" in outbox.content.decode()
        patch, capture = _run_after_commit(django_capture_on_commit_callbacks)
        with patch, capture:
            response = client.post(reverse("oem_reports:resend_webhook", args=[delivery.pk]))
        assert response.status_code == 302
        delivery.refresh_from_db()
        assert delivery.state == "sent"
        patch, capture = _run_after_commit(django_capture_on_commit_callbacks)
        with patch, capture:
            client.post(reverse("oem_reports:resend_webhook", args=[delivery.pk]))  # sent: nothing goes
    assert len(receiver.requests) == 2
    client.force_login(make_user("service_manager", other_dealer))
    assert client.post(reverse("oem_reports:resend_webhook", args=[delivery.pk])).status_code == 404
    assert "DMS" not in client.get(reverse("oem_reports:list"), {"outbox": "webhooks"}).content.decode()


def test_a_delivery_a_lost_task_left_pending_goes_again(dealer, agent, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(dealer=dealer, name="DMS", url="http://127.0.0.1:9/x", secret=SECRET)
    open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent)
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks() as callbacks:
        assert webhook_deliveries_requeue() == 0
        assert webhook_deliveries_requeue(now=delivery.updated_at + timedelta(hours=1)) == 1
    assert len(callbacks) == 1
