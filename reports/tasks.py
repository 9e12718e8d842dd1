"""Report tasks: thin, ids in, one service called."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone


@shared_task(
    name="reports.monthly_report_generate",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
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
