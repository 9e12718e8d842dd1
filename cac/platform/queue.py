"""The one way a service hands work to the workers: after its transaction commits."""

import logging

from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: str, **kwargs) -> None:
    """Send the Celery task at the dotted path `task` (say "complaints.tasks.complaint_notify_director") once the
    transaction commits. Named by its path, so a service never imports the tasks module that calls it back. A
    broker that is down must not turn a saved change into an error page: the failure is logged, and the deadline
    sweeps catch up from the database."""

    def send() -> None:
        try:
            import_string(task).apply_async(kwargs=kwargs)
        except Exception:  # noqa: BLE001 - any broker failure: log it, never fail the committed request
            logger.exception("Could not enqueue %s with %s", task, kwargs)

    transaction.on_commit(send)
