"""Webhooks for other systems (optional per dealer): a DMS or a BI tool hears when a complaint is created, changes
status or closes, by the same signed JSON and retries as the reports to the OEM.

The complaints workflow sends `cac.seams.complaint_changed` inside the transaction of the step; `complaint_changed`
here writes one delivery row per subscribed endpoint in that transaction (so a refused step leaves none) with the
body as it was at the event, and a worker sends it after the commit. The body carries no personal data: a receiver
that needs the customer reads `GET /api/v1/complaints/{id}/` with its key. A row is sent once: the task holds it
locked while it posts, and a 2xx marks it sent.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint
from api.signing import DELIVERY_HEADER, DeliveryFailed, post_signed
from cac.platform.queue import enqueue_on_commit

logger = logging.getLogger(__name__)


def _body(*, complaint, event: str, previous_status: str, key: str, at: datetime) -> dict:
    return {
        "event_id": key,
        "event": event,
        "at": at.isoformat(),
        "dealer": complaint.dealer.code,
        "complaint": {
            "id": complaint.pk,
            "number": complaint.number,
            "status": complaint.status,
            "previous_status": previous_status,
            "channel": complaint.channel,
            "category": complaint.category,
            "severity": complaint.severity,
            "oem_reference": complaint.oem_reference,
            "escalation_level": complaint.escalation_level,
            "received_at": complaint.received_at.isoformat(),
        },
    }


def complaint_changed(sender, *, complaint, event: str, previous_status: str = "", **kwargs) -> list[int]:
    """Receiver of `cac.seams.complaint_changed`: a delivery for each active endpoint of the dealer that wants the
    event, sent after the commit."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(dealer_id=complaint.dealer_id, is_active=True)
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    now = timezone.now()
    deliveries = []
    for endpoint in endpoints:
        key = f"complaint:{complaint.pk}:{event}:{uuid.uuid4().hex}"
        deliveries.append(
            WebhookDelivery(
                dealer_id=complaint.dealer_id,
                endpoint=endpoint,
                complaint=complaint,
                event=event,
                key=key,
                payload=_body(complaint=complaint, event=event, previous_status=previous_status, key=key, at=now),
            )
        )
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        enqueue_on_commit("api.tasks.webhook_delivery_send", delivery_id=delivery.pk)
    return [delivery.pk for delivery in deliveries]


def webhook_delivery_deliver(*, delivery_id: int) -> bool:
    """Send one delivery unless it was sent. Returns True when sent now or before; raises DeliveryFailed (kept on
    the row) when the receiver did not take it, so that the task retries."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery_id)
        if delivery.state == WebhookDelivery.State.SENT:
            return True
        endpoint = delivery.endpoint
        error = ""
        try:
            post_signed(
                url=endpoint.url,
                secret=endpoint.secret,
                payload=delivery.payload,
                id_header=DELIVERY_HEADER,
                delivery_id=delivery.key,
            )
        except DeliveryFailed as exc:
            error = str(exc)
        delivery.attempts += 1
        fields = ["attempts", "state", "last_error", "updated_at"]
        if not error:
            delivery.state, delivery.sent_at, delivery.last_error = WebhookDelivery.State.SENT, timezone.now(), ""
            delivery.save(update_fields=[*fields, "sent_at"])
            return True
        delivery.state, delivery.last_error = WebhookDelivery.State.FAILED, error[:500]
        delivery.save(update_fields=fields)
    logger.warning("Webhook delivery %s failed (attempt %s): %s", delivery.key, delivery.attempts, error)
    raise DeliveryFailed(error)


@transaction.atomic
def webhook_delivery_resend(*, delivery_id: int, acting_user) -> WebhookDelivery:
    """A manager sends a failed delivery again (their dealers only; a sent one is not sent twice)."""
    from cac.desk.selectors import dealer_ids

    delivery = WebhookDelivery.objects.select_for_update().get(
        pk=delivery_id, dealer_id__in=dealer_ids(user=acting_user)
    )
    if delivery.state != WebhookDelivery.State.SENT:
        delivery.state = WebhookDelivery.State.PENDING
        delivery.save(update_fields=["state", "updated_at"])
        enqueue_on_commit("api.tasks.webhook_delivery_send", delivery_id=delivery.pk)
    return delivery


def webhook_deliveries_requeue(*, now: datetime | None = None) -> int:
    """Send again the deliveries a lost task left pending. Returns how many."""
    stale = (now or timezone.now()) - timedelta(seconds=settings.OEM_REPORT_STALE_SECONDS)
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, updated_at__lt=stale)
            .order_by("pk")
            .values_list("pk", flat=True)[:500]
        )
        for delivery_id in ids:
            enqueue_on_commit("api.tasks.webhook_delivery_send", delivery_id=delivery_id)
    return len(ids)


def connect() -> None:
    from cac.seams import complaint_changed as seam

    seam.connect(complaint_changed, dispatch_uid="api.outbound.complaint_changed")
