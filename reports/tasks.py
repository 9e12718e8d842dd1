"""Report tasks: thin, ids in, one service called."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone


@shared_task(
    name="reports.monthly_report_generate",
    # A worker killed mid-render gives the message back; the report it left running is failed by the reaper.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
    time_limit=settings.CAC_REPORT_TIME_LIMIT,
    soft_time_limit=settings.CAC_REPORT_TIME_LIMIT - 60,
)
def monthly_report_generate_task(*, report_id: int) -> str | None:
    from reports.services import monthly_report_generate

    report = monthly_report_generate(report_id=report_id)
    return None if report is None else report.status


@shared_task(
    name="reports.monthly_reports_schedule",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def monthly_reports_schedule_task() -> int:
    """Beat, 02:00 on the 1st: the previous month's report of each dealer, in the CAC's default language."""
    from reports.services import monthly_reports_schedule

    return len(monthly_reports_schedule(today=timezone.localdate(), language=settings.LANGUAGE_CODE))
