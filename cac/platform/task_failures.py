"""Record every task that fails for good, so that administrators see it in the admin and not only in a log."""

import logging

from celery.signals import task_failure

logger = logging.getLogger(__name__)


def record_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **extra) -> None:
    from cac.models import FailedTask

    try:
        FailedTask.objects.create(
            task_name=getattr(sender, "name", str(sender))[:200],
            task_id=str(task_id or "")[:100],
            arguments=repr({"args": args, "kwargs": kwargs})[:5000],
            exception=repr(exception)[:5000],
            traceback=str(einfo or "")[:20000],
        )
    except Exception:  # noqa: BLE001 - the database may be what failed; the log still has it
        logger.exception("Could not record the failure of task %s", task_id)


def connect() -> None:
    task_failure.connect(record_failure, dispatch_uid="cac.record_task_failure", weak=False)
