"""Tasks of the shared core: thin, they take ids and call services."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError
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


@shared_task(
    name="cac.sweep_deadlines",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def sweep_deadlines_task() -> dict[str, int]:
    """Beat, every minute: act on every due or breached deadline, and fail the work a killed worker left running
    (cac/platform/reaper.py). Safe to run twice, at once, or after a crash."""
    from cac.deadlines.engine import sweep_deadlines
    from cac.platform.reaper import reap_stuck

    counts = sweep_deadlines()
    return {**counts, **reap_stuck(now=timezone.now())}


@shared_task(
    name="cac.deadline_digest",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def deadline_digest_task() -> int:
    """Beat, 08:30: each agent's and manager's digest of unclosed and unreplied cases; once per user per day."""
    from cac.deadlines.engine import deadline_digest

    return deadline_digest()


@shared_task(
    name="cac.notification_email",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def notification_email(*, notification_id: int) -> int:
    """E-mail one notification to its recipient. Returns the mails sent."""
    from cac.models import Notification

    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or not notification.recipient.email:
        return 0
    from cac.deadlines.notifications import notification_mail

    subject, body = notification_mail(notification)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])


@shared_task(name="cac.notification_emails", ignore_result=True)
def notification_emails(*, notification_ids: list[int]) -> int:
    """E-mail a batch of notifications (one message per batch of the deadline sweep, not one per notice). A mail
    that fails goes on as its own `notification_email` task with its retries, so no mail of the batch is sent
    twice. Returns the mails sent now."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += notification_email.run(notification_id=notification_id)
        except (SMTPException, ConnectionError):
            logger.warning("E-mail of notification %s failed; it is retried on its own", notification_id)
            notification_email.apply_async(kwargs={"notification_id": notification_id})
    return sent


@shared_task(
    name="cac.submit_tokens_sweep",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def submit_tokens_sweep_task() -> int:
    """Beat, hourly: forget the expired one-time tokens of create forms. Safe to run twice."""
    from cac.security.once import submit_tokens_sweep

    return submit_tokens_sweep()


@shared_task(name="cac.state_calendar_prepare", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def state_calendar_prepare_task() -> dict[int, str]:
    """Beat, every morning: the state calendar of this year and the next loaded as soon as the library knows them;
    in December, the administrators are warned while the next year is unknown."""
    from cac.platform.state_calendar import state_calendar_prepare

    return state_calendar_prepare(today=timezone.localdate())


@shared_task(
    name="cac.dms_import",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
    time_limit=settings.CAC_IMPORT_TIME_LIMIT,
    soft_time_limit=settings.CAC_IMPORT_TIME_LIMIT - 30,
)
def dms_import_task(*, import_id: int) -> str | None:
    """Import one queued DMS file (cac/events/import_jobs.py)."""
    from cac.events.import_jobs import dms_import_run

    job = dms_import_run(import_id=import_id)
    return None if job is None else job.status


@shared_task(
    name="cac.sms_deliver",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=settings.CAC_SMS_MAX_RETRIES,
    ignore_result=True,
)
def sms_deliver_task(self, *, message_id: int) -> str | None:
    """Hand one queued SMS to the gateway (cac/deadlines/sms.py); a temporary failure is retried with backoff, the
    last one marks it failed. Safe to run twice: a message no longer queued is left alone."""
    from celery.utils.time import get_exponential_backoff_interval

    from cac.deadlines.sms import SmsTemporaryError, sms_deliver

    try:
        message = sms_deliver(message_id=message_id, final_attempt=self.request.retries >= self.max_retries)
    except SmsTemporaryError as exc:
        countdown = get_exponential_backoff_interval(
            factor=settings.CAC_SMS_RETRY_BACKOFF, retries=self.request.retries, maximum=3600, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    return None if message is None else message.status
