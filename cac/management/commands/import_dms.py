"""Import a CSV export of the dealer's DMS: the day's deliveries or repair orders (columns: README.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cac.events.imports import KINDS, MAX_BYTES, ImportRefused, import_apply
from cac.models import Dealer, User


class Command(BaseCommand):
    help = "Import deliveries or repair orders from a DMS CSV file. A file with bad rows imports nothing, unless --good-rows-only."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dealer", required=True, help="Dealer code, e.g. GZ01.")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("--good-rows-only", action="store_true", help="Import the good rows of a file with errors.")
        parser.add_argument("--user", help="User name recorded in the history (default: the system).")

    def handle(self, *args, file: Path, dealer: str, kind: str, good_rows_only: bool, user: str | None, **options):
        try:
            the_dealer = Dealer.objects.get(code=dealer)
        except Dealer.DoesNotExist as exc:
            raise CommandError(f"No dealer with the code {dealer}.") from exc
        acting_user = None
        if user:
            acting_user = User.objects.filter(username=user, is_active=True).first()
            if acting_user is None:
                raise CommandError(f"No active user {user}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(f"{file} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        try:
            result = import_apply(
                dealer=the_dealer,
                kind=kind,
                content=file.read_bytes(),
                acting_user=acting_user,
                today=timezone.localdate(),
                good_rows_only=good_rows_only,
            )
        except ImportRefused as refused:
            for error in refused.check.errors:
                self.stderr.write(f"line {error.line}: {error.message}")
            raise CommandError(
                f"{refused.check.bad} bad rows: nothing imported. Correct the file, or import the "
                f"{len(refused.check.rows)} good rows with --good-rows-only."
            ) from refused
        for error in result.errors:
            self.stderr.write(f"line {error.line}: {error.message}")
        self.stdout.write(
            self.style.SUCCESS(f"created {result.created}, already present {result.present}, bad {result.bad}")
        )
