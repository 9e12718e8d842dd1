"""Tasks of the API: thin, ids in."""

from celery import shared_task
from django.db import OperationalError

from api.signing import DeliveryFailed


@shared_task(name="api.oem_reports_queue", ignore_result=True, autoretry_for=(OperationalError,), max_retries=3)
def oem_reports_queue_task() -> int:
    """Beat, every minute: the OEM reports that are ready go into the outbox and out; the webhook deliveries a lost
    task left pending go out again."""
    from api.oem import oem_reports_queue
    from api.outbound import webhook_deliveries_requeue

    webhook_deliveries_requeue()
    return oem_reports_queue()


@shared_task(
    name="api.oem_report_send",
    acks_late=True,
    autoretry_for=(DeliveryFailed, OperationalError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=10,
    ignore_result=True,
)
def oem_report_send(*, report_id: int) -> bool:
    from api.oem import oem_report_deliver

    return oem_report_deliver(report_id=report_id)


@shared_task(
    name="api.webhook_delivery_send",
    acks_late=True,
    autoretry_for=(DeliveryFailed, OperationalError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=10,
    ignore_result=True,
)
def webhook_delivery_send(*, delivery_id: int) -> bool:
    from api.outbound import webhook_delivery_deliver

    return webhook_delivery_deliver(delivery_id=delivery_id)
