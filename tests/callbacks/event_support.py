"""Helpers shared by the tests of deliveries, repair orders, the CSV import, care calls and the 三包 watch."""

import csv
import io
from datetime import date, timedelta

from django.utils import timezone

from cac.models import Sale, ServiceVisit
from tests.cac.factories import CustomerFactory, VehicleFactory, make_vin

DELIVERY_HEADER = ["delivery_date", "customer_name", "mobile", "vin", "plate", "model", "consultant"]
REPAIR_HEADER = [
    "order_number",
    "date_in",
    "date_out",
    "mobile",
    "customer_name",
    "vin",
    "plate",
    "model",
    "mileage",
    "advisor",
    "fault",
    "fault_code",
    "work_done",
    "warranty",
    "rework",
    "safety_fault",
]


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def at_test_clock(values: dict) -> dict:
    """Parameters are collected before the test clock starts, and a run may cross midnight: dates come as callables."""
    return {key: value() if callable(value) else value for key, value in values.items()}


def csv_bytes(header: list[str], rows: list[list], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def delivery_row(serial: int, *, mobile: str | None = None, day: date | None = None, **overrides) -> list[str]:
    row = {
        "delivery_date": (day or days_ago(1)).isoformat(),
        "customer_name": f"客户{serial}",
        "mobile": mobile or f"1380013{serial:04d}",
        "vin": make_vin(900000 + serial),
        "plate": f"粤A{serial:05d}",
        "model": "凯美瑞",
        "consultant": "陈静",
    }
    row.update(overrides)
    return [row[column] for column in DELIVERY_HEADER]


def repair_row(serial: int, *, mobile: str | None = None, **overrides) -> list[str]:
    row = {
        "order_number": f"RO{serial:05d}",
        "date_in": days_ago(3).isoformat(),
        "date_out": days_ago(2).isoformat(),
        "mobile": mobile or f"1390013{serial:04d}",
        "customer_name": f"车主{serial}",
        "vin": make_vin(800000 + serial),
        "plate": f"粤B{serial:05d}",
        "model": "卡罗拉",
        "mileage": "12000",
        "advisor": "",
        "fault": "刹车异响",
        "fault_code": "BRK-1",
        "work_done": "更换刹车片",
        "warranty": "否",
        "rework": "0",
        "safety_fault": "N",
    }
    row.update(overrides)
    return [row[column] for column in REPAIR_HEADER]


def vehicle_under_warranty(dealer, **fields):
    customer = fields.pop("customer", None) or CustomerFactory(dealer=dealer)
    fields.setdefault("warranty_end", timezone.localdate() + timedelta(days=400))
    return VehicleFactory(customer=customer, **fields)


_order = iter(range(1, 10**6))


def visit(vehicle, *, date_in: date, days: int = 1, **fields) -> ServiceVisit:
    """A repair order written directly (the 三包 figures only read rows). `days` in the workshop, both ends counted."""
    fields.setdefault("is_warranty", True)
    return ServiceVisit.objects.create(
        dealer_id=vehicle.dealer_id,
        customer_id=vehicle.customer_id,
        vehicle=vehicle,
        order_number=fields.pop("order_number", f"T{next(_order):06d}"),
        date_in=date_in,
        date_out=date_in + timedelta(days=days - 1) if days else None,
        **fields,
    )


def sale(vehicle, *, delivered_on: date | None = None) -> Sale:
    return Sale.objects.create(
        dealer_id=vehicle.dealer_id,
        customer_id=vehicle.customer_id,
        vehicle=vehicle,
        delivered_on=delivered_on or days_ago(5),
    )
