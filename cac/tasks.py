"""Tasks of the shared core: thin, they take ids and call services."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="cac.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Beat's proof of life: logged once a minute so operators see beat and worker are running."""
    now = timezone.now().isoformat()
    logger.info("CAC worker heartbeat at %s", now)
    return now


@shared_task(name="cac.tasks.ping")
def ping(token: str) -> str:
    """Echo a token; used by the health check of a running worker and by tests."""
    return token


def enqueue_on_commit(task, **kwargs) -> None:
    """Send `task` once the transaction commits. A broker that is down must not turn a saved change into an
    error page: the failure is logged, and the deadline sweeps catch up from the database."""

    def send() -> None:
        try:
            task.apply_async(kwargs=kwargs)
        except Exception:  # noqa: BLE001 - any broker failure: log it, never fail the committed request
            logger.exception("Could not enqueue %s with %s", task.name, kwargs)

    transaction.on_commit(send)
