"""The speed benchmark of the monthly report (not a test): a month of N complaints, figures and PDF timed.

DATABASE_URL=postgres://... python manage.py migrate
DATABASE_URL=postgres://... python -m tests.reports.benchmark 20000
"""

import os
import random
import sys
import time
from datetime import timedelta

import django


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings")
    django.setup()
    from datetime import date

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from cac.models import Customer, Dealer, User, Vehicle
    from cac.platform.zones import dealers_zone
    from complaints.models import Category, Channel, Complaint, Department, Severity, Status
    from reports.pdf import render_report_pdf
    from reports.selectors import complaint_figures, month_bounds

    dealer, _ = Dealer.objects.get_or_create(code=f"B{count}", defaults={"name": "基准测试经销商"})
    month = date(2026, 3, 1)
    start, _end = month_bounds(month, dealers_zone([dealer.pk]))
    if not Complaint.objects.filter(dealer=dealer).exists():
        rng = random.Random(7)
        handlers = [
            User.objects.get_or_create(username=f"bench{count}-{i}", first_name=f"{i}", last_name="王")[0]
            for i in range(12)
        ]
        customers = Customer.objects.bulk_create(
            Customer(dealer=dealer, name=f"客户{i}", mobile=f"1{count % 100:02d}{i:08d}") for i in range(count // 2)
        )
        vehicles = Vehicle.objects.bulk_create(
            Vehicle(
                dealer=dealer,
                customer=c,
                vin=f"B{count:06d}{i:010d}"[:17],
                model=rng.choice(["凯美瑞", "雷凌", "汉兰达", "卡罗拉", "RAV4"]),
            )
            for i, c in enumerate(customers)
        )
        rows = []
        for i in range(count):
            received = start + timedelta(minutes=rng.randrange(31 * 24 * 60 - 1))
            resolved = received + timedelta(hours=rng.randrange(2, 200)) if rng.random() < 0.7 else None
            status = (
                Status.CLOSED
                if resolved and rng.random() < 0.8
                else (Status.RESOLVED if resolved else Status.INVESTIGATING)
            )
            index = rng.randrange(len(customers))
            rows.append(
                Complaint(
                    dealer=dealer,
                    number=f"B{count}-{i:06d}",
                    customer=customers[index],
                    vehicle=vehicles[index],
                    owner=rng.choice(handlers),
                    channel=rng.choice(Channel.values),
                    category=rng.choice(Category.values),
                    severity=rng.choice([Severity.NORMAL] * 8 + [Severity.MAJOR, Severity.EMERGENCY])
                    if i % 50 == 0
                    else Severity.NORMAL,
                    department=rng.choice(Department.values),
                    description="基准",
                    status=status,
                    received_at=received,
                    acknowledge_due_at=received + timedelta(hours=8),
                    acknowledged_at=received + timedelta(hours=rng.randrange(1, 12)),
                    resolve_due_at=received + timedelta(days=3),
                    resolved_at=resolved,
                    closed_at=resolved + timedelta(days=1) if status == Status.CLOSED else None,
                    root_cause=rng.choice(["", "", "技师漏检", "配件缺货", "接待流程不规范"]),
                    prevention_measure="交车前增加质检复核",
                )
            )
        Complaint.objects.bulk_create(rows, batch_size=2000)
    reset_queries()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        complaint_figures(dealer_ids=[dealer.pk], month=month)
    figures_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pdf = render_report_pdf(dealer_ids=[dealer.pk], month=month, language="zh-hans")
    total = time.perf_counter() - started
    print(
        f"{Complaint.objects.filter(dealer=dealer).count()} complaints on {connection.vendor}: figures "
        f"{figures_seconds:.2f} s in {len(queries)} queries; whole PDF {total:.2f} s ({len(pdf) // 1024} KiB)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
