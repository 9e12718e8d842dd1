"""The benchmark data set (see bench/data.py): `python manage.py seed_bench --scale 1` fills PostgreSQL with a
large dealer group after two years of use. It empties the CAC's tables first, so it refuses to run on a database
that holds anything but an earlier benchmark data set."""

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench import data as bench_data
from cac import roles
from cac.deadlines.engine import sweep_deadlines
from cac.models import CallLog, Customer, Dealer, User
from callbacks.models import Callback
from complaints.models import Complaint
from prospects.models import Prospect

# The users `make bench` works as, all of the first dealer.
BENCH_USERS = {
    "bench-agent": roles.AGENT,
    "bench-service": roles.SERVICE_MANAGER,
    "bench-sales": roles.SALES_MANAGER,
    "bench-director": roles.DIRECTOR,
    "bench-executive": roles.EXECUTIVE,
}
# The users of the whole group `make bench` also works as: staff of every dealer of the data set.
GROUP_USERS = {
    "bench-group-service": roles.SERVICE_MANAGER,
    "bench-group-director": roles.DIRECTOR,
}


class Command(BaseCommand):
    help = "Fill PostgreSQL with the benchmark data set (scale 1: 50 dealers, 1,000,000 customers, ...)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 is the full size; 0.01 and 0.1 for quick runs")
        parser.add_argument("--seed", type=int, default=1, help="the same seed, scale and day give the same data")
        parser.add_argument(
            "--force", action="store_true", help="empty the database even though it holds other data than the set"
        )
        parser.add_argument(
            "--report", type=Path, help="where to write the sizes and timings (bench/results/data-scale<N>.json)"
        )

    def handle(self, *args, scale: float, seed: int, force: bool, report: Path | None = None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark data set needs PostgreSQL: set DATABASE_URL.")
        if not 0 < scale <= 10:
            raise CommandError("The scale must be above 0 and at most 10.")
        foreign = Dealer.objects.exclude(code__startswith="BD").exists() or (
            Customer.objects.exists() and not Dealer.objects.filter(code="BD001").exists()
        )
        if foreign and not force:
            raise CommandError(
                "This database holds dealers that are not the benchmark's; seed_bench empties every table. "
                "Use a database of its own (make bench-data uses BENCH_DATABASE_URL), or --force."
            )
        self.stdout.write(f"Benchmark data set, scale {scale:g}, seed {seed}:")
        result = bench_data.seed(scale=scale, seed=seed, log=self.stdout.write)

        dealer = Dealer.objects.get(code="BD001")
        users = {}
        for username, role in BENCH_USERS.items():
            user = User.objects.create_user(
                username=username, password=bench_data.BENCH_PASSWORD, first_name=username[6:]
            )
            user.dealers.add(dealer)
            user.groups.add(Group.objects.get(name=role))
            users[role] = user
        every_dealer = list(Dealer.objects.all())
        for username, role in GROUP_USERS.items():
            user = User.objects.create_user(username=username, password=bench_data.BENCH_PASSWORD, first_name="group")
            user.dealers.add(*every_dealer)
            user.groups.add(Group.objects.get(name=role))
        # The benchmark agent takes over the work of the dealer's first agent: calls, complaints, follow-ups, prospects.
        first_agent = User.objects.get(username="bd001-agent01")
        agent = users[roles.AGENT]
        CallLog.objects.filter(handled_by=first_agent).update(handled_by=agent)
        Complaint.objects.filter(owner=first_agent).update(owner=agent)
        Callback.objects.filter(agent=first_agent).update(agent=agent)
        Prospect.objects.filter(owner=first_agent).update(owner=agent)

        # What a running CAC would have done already: the data set is left as the sweep leaves it.
        started = time.monotonic()
        counts = sweep_deadlines()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # statistics and visibility as a running CAC's autovacuum keeps them
        result["timings"]["first sweep"] = round(time.monotonic() - started, 1)
        result["first_sweep"] = counts
        self.stdout.write(f"  first sweep: {result['timings']['first sweep']} s {counts}")
        result["timings"]["total"] = round(result["timings"]["total"] + result["timings"]["first sweep"], 1)

        result.update(scale=scale, cores=os.cpu_count(), finished=datetime.now(UTC).isoformat())
        out = report or Path(settings.BASE_DIR) / "bench" / "results" / f"data-scale{scale:g}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        sizes = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in result["sizes"].items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {result['timings']['total']} s: {sizes}. Users bench-agent ... and bench-group-service, bench-group-director of all dealers. {out}"
            )
        )
