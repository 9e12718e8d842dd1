"""`python manage.py sweep_deadlines`: the deadline sweep once, as beat runs it every minute."""

from django.core.management.base import BaseCommand

from cac.deadlines.engine import deadline_digest, sweep_deadlines


class Command(BaseCommand):
    help = "Act once on every due or breached deadline and print what was done. Safe to run at any time."

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="Also send today's morning digest.")

    def handle(self, *args, digest: bool = False, **options):
        counts = sweep_deadlines()
        if digest:
            counts["digests"] = deadline_digest()
        if not counts:
            self.stdout.write("nothing due")
        for name, count in sorted(counts.items()):
            self.stdout.write(f"{name}: {count}")
