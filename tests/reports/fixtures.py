"""A hand-computed month (March 2026, Asia/Shanghai) for the figures and the PDF.

March at GZ01: c1 closed, c2 resolved late, c3 new emergency, c4 cancelled; February: c5 alone; January: c6 still
open. Another dealer's complaint in March must never count. The expected figures are worked out by hand in
test_figures.py."""

from datetime import datetime
from zoneinfo import ZoneInfo

from callbacks.models import Callback, Kind
from callbacks.models import Status as CallbackStatus
from complaints.models import (
    Category,
    Channel,
    Department,
    Escalation,
    KeyAttentionVehicle,
    Severity,
    Status,
)
from tests.cac.factories import CustomerFactory, VehicleFactory
from tests.complaints.factories import ComplaintFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def build_month(*, dealer, other_dealer, handler) -> dict:
    customer_a = CustomerFactory(dealer=dealer, name="张伟")
    customer_b = CustomerFactory(dealer=dealer, name="李娜")
    camry = VehicleFactory(customer=customer_a, model="凯美瑞")
    levin = VehicleFactory(customer=customer_a, model="雷凌")
    c1 = ComplaintFactory(
        customer=customer_a,
        vehicle=camry,
        owner=handler,
        channel=Channel.DEALER_HOTLINE,
        category=Category.REPAIR_QUALITY,
        department=Department.AFTER_SALES,
        status=Status.CLOSED,
        received_at=at(3, 2),
        acknowledge_due_at=at(3, 2, 18),
        acknowledged_at=at(3, 2, 10),
        resolve_due_at=at(3, 5, 18),
        resolved_at=at(3, 3),
        closed_at=at(3, 4, 10),
        reopen_count=1,
        close_kind="satisfied",
        root_cause="技师漏检",
        root_cause_class="people",
        prevention_measure="交车前增加质检复核",
        prevention_measure_at=at(3, 4, 10),
        resolution_type="rework",
        resolution_note="已返修",
    )
    c2 = ComplaintFactory(
        customer=customer_a,
        vehicle=levin,
        owner=handler,
        channel=Channel.OEM_HOTLINE,
        category=Category.REPAIR_QUALITY,
        severity=Severity.MAJOR,
        department=Department.AFTER_SALES,
        status=Status.RESOLVED,
        received_at=at(3, 10),
        acknowledge_due_at=at(3, 10, 18),
        acknowledged_at=at(3, 11),
        resolve_due_at=at(3, 13, 18),
        resolved_at=at(3, 16),
        root_cause="技师漏检",
        root_cause_class="people",
        # Recorded after c1's: the latest by date, though Max() of the text would pick c1's.
        prevention_measure="上岗前复训",
        prevention_measure_at=at(3, 16),
        resolution_type="part_replacement",
        resolution_note="更换刹车片",
    )
    c3 = ComplaintFactory(
        customer=customer_b,
        channel=Channel.WALK_IN,
        category=Category.SERVICE_ATTITUDE,
        severity=Severity.EMERGENCY,
        department=Department.SALES,
        status=Status.NEW,
        received_at=at(3, 20),
        acknowledge_due_at=at(3, 20, 18),
        resolve_due_at=at(3, 23, 18),
    )
    ComplaintFactory(
        customer=customer_b,
        channel=Channel.EMAIL,
        category=Category.OTHER,
        status=Status.CANCELLED,
        received_at=at(3, 25),
        acknowledge_due_at=at(3, 25, 18),
        resolve_due_at=at(3, 28, 18),
        closed_at=at(3, 26),
    )
    c5 = ComplaintFactory(
        customer=customer_b,
        status=Status.CLOSED,
        received_at=at(2, 15),
        acknowledge_due_at=at(2, 15, 18),
        acknowledged_at=at(2, 15, 11),
        resolve_due_at=at(2, 18, 18),
        resolved_at=at(2, 16),
        closed_at=at(2, 17),
        close_kind="unreachable",
        close_reason="三次未接通",
    )
    ComplaintFactory(
        customer=CustomerFactory(dealer=dealer),
        status=Status.INVESTIGATING,
        received_at=at(1, 10),
        acknowledge_due_at=at(1, 10, 18),
        acknowledged_at=at(1, 10, 12),
        resolve_due_at=at(1, 13, 18),
    )
    ComplaintFactory(customer=CustomerFactory(dealer=other_dealer), received_at=at(3, 5), status=Status.NEW)

    Escalation.objects.create(complaint=c2, from_level=0, to_level=1, reason="deadline", escalated_at=at(3, 11))
    Escalation.objects.create(complaint=c3, from_level=0, to_level=2, reason="major", escalated_at=at(3, 20, 10))

    def callback(kind, complaint, customer, due, status, completed=None, satisfaction=None):
        return Callback.objects.create(
            dealer=dealer,
            customer=customer,
            kind=kind,
            complaint=complaint,
            due_at=due,
            status=status,
            completed_at=completed,
            satisfaction=satisfaction,
        )

    callback(Kind.AFTER_COMPLAINT, c1, customer_a, at(3, 6), CallbackStatus.COMPLETED, at(3, 4, 15), 5)
    callback(Kind.AFTER_COMPLAINT, c2, customer_a, at(3, 19), CallbackStatus.COMPLETED, at(3, 18), 2)
    callback(Kind.AFTER_SALE, None, customer_b, at(3, 10), CallbackStatus.UNREACHABLE, at(3, 12))
    callback(Kind.AFTER_SALE, None, customer_b, at(3, 12), CallbackStatus.COMPLETED, at(3, 14), 4)
    callback(Kind.AFTER_SALE, None, customer_b, at(3, 13), CallbackStatus.CANCELLED, at(3, 13, 12))

    entry = KeyAttentionVehicle.objects.create(dealer=dealer, vehicle=camry, reason="维修质量投诉", since=at(3, 3))
    entry.complaints.add(c1)
    KeyAttentionVehicle.objects.create(
        dealer=dealer, vehicle=levin, reason="已释放", since=at(2, 1), released_at=at(3, 10)
    )
    KeyAttentionVehicle.objects.create(
        dealer=dealer, vehicle=VehicleFactory(customer=customer_b), reason="四月才加入", since=at(4, 2)
    )
    return {"c1": c1, "c2": c2, "c3": c3, "c5": c5}
