"""Write one monthly complaint analysis PDF from the command line."""

import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cac.models import Dealer
from reports.pdf import MissingCJKFont, render_report_pdf


class Command(BaseCommand):
    help = "Write the monthly complaint analysis of a dealer as a PDF (Chinese by default)."

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True, action="append", help="Dealer code; repeat for several.")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--language", default="zh-hans", choices=[code for code, _name in settings.LANGUAGES])
        parser.add_argument("--output", required=True, help="The PDF file to write.")

    def handle(self, *args, dealer, month, language, output, **options):
        try:
            year, number = (int(part) for part in month.split("-"))
            first = date(year, number, 1)
        except ValueError as exc:
            raise CommandError(f"--month must be YYYY-MM, not {month!r}") from exc
        dealers = dict(Dealer.objects.filter(code__in=dealer).values_list("code", "pk"))
        unknown = sorted(set(dealer) - set(dealers))
        if unknown:
            raise CommandError(f"Unknown dealer code(s): {', '.join(unknown)}")
        started = time.perf_counter()
        try:
            pdf = render_report_pdf(dealer_ids=list(dealers.values()), month=first, language=language)
        except MissingCJKFont as exc:
            raise CommandError(str(exc)) from exc
        Path(output).write_bytes(pdf)
        self.stdout.write(f"Wrote {output} ({len(pdf)} bytes) in {time.perf_counter() - started:.1f} s")
