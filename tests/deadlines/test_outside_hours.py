"""What the clock rules do outside hours, at the moments where the UTC date and the Shanghai date differ
(00:00-08:00 in Shanghai is the previous day in UTC): a complaint received at night is due the next working
morning, a sweep at 03:00 acts on what fell due overnight and schedules nothing into the night, and the 08:30
digest counts what fell due overnight. March 2025: Friday the 14th, Saturday the 15th, Monday the 17th; the
dealer opens 08:30-18:00 on weekdays."""

from datetime import time

import pytest

from cac.deadlines.engine import deadline_digest, sweep_deadlines
from cac.models import Notification
from cac.platform.business_time import BusinessCalendar
from callbacks.models import Callback, Kind
from callbacks.models import Status as CallbackStatus
from complaints.deadlines import deadlines_for
from complaints.models import Channel, ComplaintSLA, EscalationLevel, Severity, Status
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import ComplaintFactory
from tests.deadlines.conftest import at, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_working_hours():
    ComplaintSLA.objects.all().delete()
    ComplaintSLA.objects.create(
        channel="", severity="", acknowledge_rule=ComplaintSLA.AcknowledgeRule.WORKING_HOURS, acknowledge_hours=4,
        resolve_days=3,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("received", "acknowledge_by"),
    [
        pytest.param(local(2025, 3, 15, 20, 0), local(2025, 3, 17, 12, 30), id="saturday-evening"),
        pytest.param(local(2025, 3, 14, 23, 30), local(2025, 3, 17, 12, 30), id="friday-night"),
        pytest.param(local(2025, 3, 14, 3, 0), local(2025, 3, 14, 12, 30), id="03:00-utc-date-behind"),
        pytest.param(local(2025, 3, 31, 22, 0), local(2025, 4, 1, 12, 30), id="month-end-night"),
        pytest.param(local(2025, 12, 31, 23, 59), local(2026, 1, 1, 12, 30), id="new-year-eve"),
    ],
)
def test_a_complaint_received_outside_hours_is_due_on_the_next_working_morning(
    weekday_dealer, four_working_hours, received, acknowledge_by
):
    acknowledge, resolve = deadlines_for(
        dealer=weekday_dealer, channel=Channel.DEALER_HOTLINE, severity=Severity.NORMAL, received_at=received
    )
    assert acknowledge == acknowledge_by
    calendar = BusinessCalendar.for_dealer(weekday_dealer)
    local_resolve = resolve.astimezone(calendar.zone)
    assert local_resolve.time() == time(18, 0) and calendar.is_working_day(local_resolve.date())


def test_a_sweep_at_three_acts_on_what_fell_due_and_schedules_nothing_into_the_night(weekday_dealer, staff):
    late = ComplaintFactory(
        customer=CustomerFactory(dealer=weekday_dealer),
        owner=None,
        received_at=local(2025, 3, 13, 9, 0),
        acknowledge_due_at=local(2025, 3, 13, 18, 0),
        resolve_due_at=local(2025, 3, 18, 18, 0),
    )
    call = Callback.objects.create(
        dealer=weekday_dealer,
        customer=CustomerFactory(dealer=weekday_dealer),
        kind=Kind.MAINTENANCE,
        due_at=local(2025, 3, 14, 2, 0),
    )
    with at(2025, 3, 14, 3, 0):
        counts = sweep_deadlines()
    assert counts["complaints_escalated"] == 1
    late.refresh_from_db()
    assert late.escalation_level == EscalationLevel.DEPARTMENT_MANAGER
    call.refresh_from_db()
    assert call.status == CallbackStatus.DUE
    calendar = BusinessCalendar.for_dealer(weekday_dealer)
    # What the sweep raised is announced now; nothing it computed falls into the night.
    assert Notification.objects.filter(kind="complaint_escalated").exists()
    for due in (late.acknowledge_due_at, late.resolve_due_at):
        assert calendar.opens_at <= due.astimezone(calendar.zone).time() <= calendar.closes_at, due


def test_the_morning_digest_counts_what_fell_due_overnight(weekday_dealer, agent, staff):
    customer = CustomerFactory(dealer=weekday_dealer)
    ComplaintFactory(
        customer=customer,
        owner=agent,
        status=Status.INVESTIGATING,
        received_at=local(2025, 3, 13, 22, 0),
        resolve_due_at=local(2025, 3, 14, 6, 0),  # fell due at night
    )
    Callback.objects.create(
        dealer=weekday_dealer, customer=customer, kind=Kind.MAINTENANCE, agent=agent, due_at=local(2025, 3, 14, 2, 0)
    )
    with at(2025, 3, 14, 8, 30):
        assert deadline_digest() >= 1
    digest = Notification.objects.get(kind="digest", recipient=agent)
    assert digest.key == f"digest:{agent.pk}:20250314"
    # In the CAC's language (Chinese): the complaint overdue since 06:00, the call due since 02:00.
    assert digest.body.splitlines()[:2] == ["未结案投诉：1（已超时：1）", "待回访：1"]


def test_a_digest_before_eight_in_shanghai_is_of_the_shanghai_day(weekday_dealer, agent):
    """07:00 on the 14th in Shanghai is still the 13th in UTC: the digest is the 14th's."""
    ComplaintFactory(customer=CustomerFactory(dealer=weekday_dealer), owner=agent, status=Status.INVESTIGATING)
    with at(2025, 3, 14, 7, 0):
        deadline_digest()
    assert Notification.objects.get(kind="digest", recipient=agent).key == f"digest:{agent.pk}:20250314"
