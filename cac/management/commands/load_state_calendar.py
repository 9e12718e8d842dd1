"""Load China's official calendar (public holidays, make-up working days) into the business calendar."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cac.platform.state_calendar import StateCalendarUnknown, state_calendar_load, state_calendar_prepare


class Command(BaseCommand):
    help = (
        "Load the public holidays and make-up working days (调休) of a year from the chinesecalendar library. "
        "Without --year: this year and the next, when the library knows them and they are not loaded yet; the "
        "administrators are warned when the next year is still unknown in December."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="Load (or reload) this year; repeatable.")

    def handle(self, *args, year: list[int] | None = None, **options):
        if not year:
            outcome = state_calendar_prepare(today=timezone.localdate())
            for each, what in outcome.items():
                self.stdout.write(f"{each}: {what}")
            return
        for each in year:
            try:
                days = state_calendar_load(year=each)
            except StateCalendarUnknown:
                raise CommandError(
                    f"chinesecalendar does not know {each} yet: install its newer release, then run this again."
                ) from None
            self.stdout.write(self.style.SUCCESS(f"{each}: {days} days apart from the plain week loaded."))
