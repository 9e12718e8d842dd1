"""A dealer's day, hand-built for the homes' tests: complaints of both departments at every deadline state and age,
escalations, overdue follow-up calls of two agents, the agent's calls and missed calls; and the same at another
dealer, which no figure may count. `size` copies of each, to check that the number of queries does not grow."""

import itertools
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from cac.models import CallLog, CtiCall, CtiLine, User
from cac.platform.attempts import AttemptResult, slot_of
from callbacks.models import Callback, CallbackAttempt, Kind
from callbacks.models import Status as CallbackStatus
from complaints.models import Complaint, Department, Escalation, EscalationLevel, Status
from tests.cac.factories import CallLogFactory, CustomerFactory
from tests.complaints.factories import ComplaintFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def start_of_local_day(now: datetime, days_ago: int = 0) -> datetime:
    day = timezone.localtime(now, SHANGHAI).date() - timedelta(days=days_ago)
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


@dataclass
class Staff:
    agent: User
    agent_2: User
    service_manager: User
    sales_manager: User


def complaint(dealer, *, received_at, status=Status.ACKNOWLEDGED, owner=None, department=Department.AFTER_SALES, **f):
    return ComplaintFactory(
        customer=CustomerFactory(dealer=dealer),
        received_at=received_at,
        status=status,
        owner=owner,
        department=department,
        **f,
    )


def escalate(item: Complaint, *, at: datetime, to_level=EscalationLevel.DEPARTMENT_MANAGER) -> None:
    Escalation.objects.create(
        complaint=item, from_level=to_level - 1, to_level=to_level, reason=Escalation.Reason.DEADLINE, escalated_at=at
    )


def callback(dealer, *, agent, due_at, status=CallbackStatus.DUE, **fields) -> Callback:
    return Callback.objects.create(
        dealer=dealer,
        customer=CustomerFactory(dealer=dealer),
        kind=Kind.AFTER_SERVICE,
        status=status,
        due_at=due_at,
        agent=agent,
        **fields,
    )


_CALL_IDS = itertools.count(1)


def missed_call(dealer, *, at: datetime, phone: str) -> CtiCall:
    line = CtiLine.objects.filter(dealer=dealer).first() or CtiLine.objects.create(
        dealer=dealer, number=f"020{dealer.pk:08d}", token_hash=f"{dealer.pk:064d}"
    )
    return CtiCall.objects.create(
        line=line,
        dealer=dealer,
        call_id=f"c-{next(_CALL_IDS)}",  # the phone alone repeats once the dealers' ids grow past 3 digits
        direction=CtiCall.Direction.INBOUND,
        phone=phone,
        started_at=at - timedelta(minutes=1),
        ended_at=at,
        cause=CtiCall.Cause.NO_ANSWER,
    )


def build(*, dealer, staff: Staff, size: int = 1, now: datetime | None = None, serial: int = 0) -> None:
    """`size` copies of the day at `dealer`. Per copy, after-sales: one breached (5 days old, the agent's), one due
    soon (2 days, agent 2's), one new without a handler (today), one on time (10 days, the agent's), one closed;
    sales: one acknowledged (yesterday, agent 2's), escalated today. Follow-up calls: one overdue of each agent, one
    due later today of the agent (left to call in the slot), one the agent already tried in this slot. The agent's
    calls: one today, one follow-up call in this slot, one yesterday; one missed call."""
    now = now or timezone.now()
    today = start_of_local_day(now)
    slot = slot_of(now, SHANGHAI)
    in_slot = now - timedelta(minutes=1) if slot_of(now - timedelta(minutes=1), SHANGHAI) == slot else now
    for copy in range(size):
        breached = complaint(
            dealer,
            received_at=now - timedelta(days=5),
            owner=staff.agent,
            resolve_due_at=now - timedelta(hours=1),
            acknowledged_at=now - timedelta(days=5),
        )
        escalate(breached, at=today - timedelta(seconds=30))  # yesterday, by the dealer's clock
        complaint(
            dealer,
            received_at=now - timedelta(days=2),
            status=Status.INVESTIGATING,
            owner=staff.agent_2,
            resolve_due_at=now + timedelta(hours=3),
        )
        new = complaint(
            dealer, received_at=max(today + timedelta(seconds=30), now - timedelta(minutes=20)), status=Status.NEW
        )
        escalate(new, at=max(today + timedelta(seconds=30), now - timedelta(minutes=10)))
        complaint(
            dealer,
            received_at=now - timedelta(days=10),
            status=Status.IN_PROGRESS,
            owner=staff.agent,
            resolve_due_at=now + timedelta(days=2),
        )
        complaint(dealer, received_at=now - timedelta(days=1), status=Status.CLOSED, owner=staff.agent)
        sales = complaint(dealer, received_at=now - timedelta(days=1), owner=staff.agent_2, department=Department.SALES)
        escalate(sales, at=max(today + timedelta(seconds=30), now - timedelta(minutes=5)))

        callback(dealer, agent=staff.agent, due_at=now - timedelta(hours=2))
        callback(dealer, agent=staff.agent_2, due_at=today - timedelta(days=1))
        callback(dealer, agent=staff.agent, due_at=now + timedelta(minutes=1), status=CallbackStatus.SCHEDULED)
        tried = callback(dealer, agent=staff.agent, due_at=now + timedelta(minutes=2))
        if slot is not None:
            CallbackAttempt.objects.create(
                callback=tried, attempted_at=in_slot, slot=slot, result=AttemptResult.NO_ANSWER, agent=staff.agent
            )

        CallLogFactory(dealer=dealer, customer=CustomerFactory(dealer=dealer), handled_by=staff.agent, started_at=now)
        if slot is not None:
            CallLogFactory(
                dealer=dealer,
                customer=CustomerFactory(dealer=dealer),
                handled_by=staff.agent,
                started_at=in_slot,
                purpose=CallLog.Purpose.FOLLOW_UP,
                direction=CallLog.Direction.OUTBOUND,
            )
        CallLogFactory(
            dealer=dealer,
            customer=CustomerFactory(dealer=dealer),
            handled_by=staff.agent,
            started_at=today - timedelta(seconds=30),
        )
        missed_call(dealer, at=now - timedelta(seconds=20), phone=f"1390{dealer.pk:03d}{serial:02d}{copy:02d}"[:11])
