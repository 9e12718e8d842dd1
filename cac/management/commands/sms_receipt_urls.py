"""`python manage.py sms_receipt_urls`: the delivery-receipt URL of each SMS gateway, to register in its console."""

from django.core.management.base import BaseCommand

from cac.deadlines.sms_receipts import VENDORS, receipt_path
from cac.platform.site import absolute_url


class Command(BaseCommand):
    help = "Print the URL each SMS gateway pushes its delivery receipts to (they carry a secret: keep them private)."

    def handle(self, *args, **options):
        for vendor in VENDORS:
            self.stdout.write(f"{vendor}: {absolute_url(receipt_path(vendor))}")
