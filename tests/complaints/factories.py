"""Complaint factories for the tests of the complaints app.

`ComplaintFactory` writes rows directly (fast, any state, chosen deadlines) for lists and query counts;
`open_complaint` and `walk` go through the services, as a user would, for flows that need real history."""

from datetime import timedelta

import factory
from django.utils import timezone

from complaints.models import Category, Channel, Complaint, Department, Severity, Status
from complaints.services import complaint_close_after_follow_up, complaint_create, complaint_transition
from tests.cac.factories import CustomerFactory


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    customer = factory.SubFactory(CustomerFactory)
    dealer = factory.SelfAttribute("customer.dealer")
    number = factory.Sequence(lambda n: f"TS-209901-{n:04d}")
    channel = Channel.DEALER_HOTLINE
    category = Category.SERVICE_ATTITUDE
    severity = Severity.NORMAL
    department = Department.AFTER_SALES
    description = "服务顾问态度冷淡"
    status = Status.NEW
    received_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    acknowledge_due_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(hours=8))
    resolve_due_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=3))


# The steps that take a new complaint to each state, the satisfied way.
PATHS = {
    Status.NEW: [],
    Status.ACKNOWLEDGED: ["acknowledge"],
    Status.INVESTIGATING: ["acknowledge", "investigate"],
    Status.COUNTERMEASURE_PROPOSED: ["acknowledge", "investigate", "propose_countermeasure"],
    Status.IN_PROGRESS: ["acknowledge", "investigate", "propose_countermeasure", "start"],
    Status.RESOLVED: ["acknowledge", "investigate", "propose_countermeasure", "start", "resolve"],
    Status.REOPENED: ["acknowledge", "investigate", "propose_countermeasure", "start", "resolve", "reopen"],
    Status.CLOSED: ["acknowledge", "investigate", "propose_countermeasure", "start", "resolve", "close_satisfied"],
    Status.CANCELLED: ["cancel"],
}
STEP_DATA = {
    "acknowledge": {"note": "已向客户致歉并告知答复时间"},
    "propose_countermeasure": {"root_cause": "技师漏检", "root_cause_class": "people", "countermeasure": "免费返修"},
    "resolve": {"resolution_type": "rework", "note": "已返修，客户试车确认"},
    "cancel": {"note": "重复登记"},
    "reopen": {"note": "回访不满意"},
}


def open_complaint(*, customer, acting_user, **fields) -> Complaint:
    """A complaint opened through the service: numbered, routed, with deadlines and its first history row."""
    defaults = {
        "channel": Channel.DEALER_HOTLINE,
        "category": Category.SERVICE_ATTITUDE,
        "description": "服务顾问态度冷淡，等候两小时无人理会",
        "demand": "要求道歉",
    }
    return complaint_create(customer=customer, acting_user=acting_user, **{**defaults, **fields})


def walk(complaint: Complaint, *, to: str, user) -> Complaint:
    """Take a complaint through the real steps up to `to`; `user` must be allowed every step (a manager)."""
    for action in PATHS[to]:
        if action == "close_satisfied":
            complaint = close_after_follow_up(complaint, user=user)
            continue
        complaint = complaint_transition(
            complaint_id=complaint.pk, action=action, acting_user=user, **STEP_DATA.get(action, {})
        )
    complaint.refresh_from_db()
    return complaint


def close_after_follow_up(complaint: Complaint, *, user, satisfaction: int = 5) -> Complaint:
    """Close a resolved complaint the one way it closes as satisfied: its follow-up call found the customer so."""
    return complaint_close_after_follow_up(
        complaint_id=complaint.pk, satisfaction=satisfaction, remarks="满意", acting_user=user
    )
