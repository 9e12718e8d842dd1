"""Create the day's care calls (maintenance, insurance renewal, warranty end, birthdays) and run the 三包 watch."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cac.models import Dealer
from callbacks.care import care_callbacks_create


class Command(BaseCommand):
    help = "Create the care calls owed on a day (default: today). Running it twice creates nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today, in the dealer's time zone).")
        parser.add_argument("--dealer", help="Dealer code (default: every dealer).")

    def handle(self, *args, date: str | None = None, dealer: str | None = None, **options):
        today = timezone.localdate()
        if date:
            try:
                today = _parse(date)
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD.") from exc
        the_dealer = None
        if dealer:
            the_dealer = Dealer.objects.filter(code=dealer).first()
            if the_dealer is None:
                raise CommandError(f"No dealer with the code {dealer}.")
        created = care_callbacks_create(today=today, dealer=the_dealer)
        self.stdout.write(self.style.SUCCESS(f"{created} care calls created for {today:%Y-%m-%d}."))


def _parse(value: str) -> date:
    return date.fromisoformat(value)
