"""The demo's monthly reports: the last three closed months of the demo dealer, so that the executive's report list
is not empty on a fresh demo and the dashboard's closed months can be compared with their PDFs."""

from datetime import date

from django.utils import timezone

from cac.models import Dealer
from cac.platform.zones import dealer_zone
from reports.models import MonthlyReport
from reports.selectors import add_months
from reports.services import monthly_report_generate, monthly_report_request

DEMO_REPORT_MONTHS = 3


def seed_monthly_reports(*, dealer: Dealer, language: str = "zh-hans") -> int:
    """Request and generate (here, not on a worker: the demo must show them at once, with or without a broker) the
    reports of the three months before the dealer's current one, each once: a second run makes none. Returns how
    many were made."""
    today = timezone.localtime(timezone.now(), dealer_zone(dealer)).date()
    this_month = date(today.year, today.month, 1)
    made = 0
    for back in range(1, DEMO_REPORT_MONTHS + 1):
        month = add_months(this_month, -back)
        if MonthlyReport.objects.filter(month=month, requested_by=None, dealers=dealer, language=language).exists():
            continue
        report = monthly_report_request(dealer_ids=[dealer.pk], month=month, language=language, requested_by=None)
        monthly_report_generate(report_id=report.pk)  # the queued task then finds it generated and does nothing
        made += 1
    return made
