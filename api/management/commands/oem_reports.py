"""`python manage.py oem_reports [--send-now]`: make the OEM reports that are ready (what beat does every minute);
with --send-now, send the unsent ones here instead of through the workers."""

from django.core.management.base import BaseCommand

from api.models import OemReport
from api.oem import OemDeliveryFailed, oem_report_deliver, oem_reports_queue


class Command(BaseCommand):
    help = "Queue the reports to the OEM that are ready; optionally send them at once."

    def add_arguments(self, parser):
        parser.add_argument("--send-now", action="store_true", help="Send the unsent reports in this process.")

    def handle(self, *args, **options):
        made = oem_reports_queue()
        self.stdout.write(f"Reports made: {made}")
        if not options["send_now"]:
            return
        for report in OemReport.objects.exclude(state=OemReport.State.SENT).order_by("pk"):
            try:
                oem_report_deliver(report_id=report.pk)
                self.stdout.write(f"Sent {report.key}")
            except OemDeliveryFailed as exc:
                self.stdout.write(f"Failed {report.key}: {exc}")
