"""Tasks of the shared core: thin, they take ids and call services."""

import logging

from celery import shared_task
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
