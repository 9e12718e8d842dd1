"""The CAC at every clock: at each moment of the matrix, in Asia/Shanghai, the demo data goes into an empty
database, one deadline sweep runs, an agent works through the day in the browser's place (look up a caller, log a
call, open a complaint, acknowledge and resolve it, then make its follow-up call, or see it refused with the next
slot named), and the previous month's report is written. The clock ticks from the moment, as it would."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from cac.deadlines.engine import sweep_deadlines
from cac.models import CallLog, Customer, Dealer, User
from cac.platform.attempts import next_slot_start, slot_of
from cac.platform.business_time import BusinessCalendar
from callbacks.models import Callback, Kind
from callbacks.models import Status as CallbackStatus
from callbacks.services import questions_for
from complaints.models import Complaint, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")

CLOCKS = {
    "weekday 03:00": datetime(2026, 12, 2, 3, 0),
    "weekday 08:29": datetime(2026, 12, 2, 8, 29),
    "weekday 12:00": datetime(2026, 12, 2, 12, 0),
    "weekday 21:30": datetime(2026, 12, 2, 21, 30),
    "weekday 23:59": datetime(2026, 12, 2, 23, 59),
    "Saturday 10:00": datetime(2026, 12, 5, 10, 0),
    "dealer holiday 10:00": datetime(2026, 10, 2, 10, 0),  # one of the demo dealer's National Day holidays
    "1st of the month 00:05": datetime(2026, 12, 1, 0, 5),
    "1 January 00:30": datetime(2027, 1, 1, 0, 30),
    "29 February 12:00": datetime(2028, 2, 29, 12, 0),
}


def _previous_month(day: date) -> str:
    first = day.replace(day=1) - timedelta(days=1)
    return f"{first:%Y-%m}"


def _local_input(moment: datetime) -> str:
    return timezone.localtime(moment, SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def _within_hours(calendar: BusinessCalendar, moment: datetime) -> bool:
    local = moment.astimezone(calendar.zone)
    return calendar.opens_at <= local.time() <= calendar.closes_at


@pytest.mark.django_db
@pytest.mark.parametrize("clock", CLOCKS.values(), ids=CLOCKS.keys())
def test_the_cac_holds_at_every_clock(client, clock, tmp_path):
    start = clock.replace(tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=True), translation.override("zh-hans"):
        # The demo data, into an empty database, twice: the second run changes nothing.
        assert not Dealer.objects.exists()
        with open(tmp_path / "seed.log", "w") as log:
            call_command("seed_demo", force=True, customers=60, stdout=log)
        counts = (
            Customer.objects.count(),
            CallLog.objects.count(),
            Complaint.objects.count(),
            Callback.objects.count(),
        )
        with open(tmp_path / "seed.log", "a") as log:
            call_command("seed_demo", force=True, customers=60, stdout=log)
        assert counts == (
            Customer.objects.count(),
            CallLog.objects.count(),
            Complaint.objects.count(),
            Callback.objects.count(),
        )
        now = timezone.now()
        assert not CallLog.objects.filter(started_at__gt=now).exists()
        assert not Complaint.objects.filter(received_at__gt=now).exists()
        assert not Complaint.objects.filter(resolved_at__gt=now).exists()
        assert not Complaint.objects.filter(closed_at__gt=now).exists()
        for started_at in CallLog.objects.filter(purpose=CallLog.Purpose.FOLLOW_UP).values_list(
            "started_at", flat=True
        ):
            assert slot_of(started_at, SHANGHAI) is not None, started_at

        # One sweep acts on what fell due; every deadline it leaves lies within the dealer's hours.
        sweep_deadlines()
        assert sweep_deadlines() == {}  # and a second one finds nothing left to do
        dealer = Dealer.objects.get(code="GZ01")
        calendar = BusinessCalendar.for_dealer(dealer)
        for acknowledge_due, resolve_due in Complaint.objects.values_list("acknowledge_due_at", "resolve_due_at"):
            for due in (acknowledge_due, resolve_due):
                assert due is None or (
                    _within_hours(calendar, due) and calendar.is_working_day(due.astimezone(SHANGHAI).date())
                ), due
        assert all(_within_hours(calendar, due) for due in Callback.objects.values_list("due_at", flat=True))

        # The agent's day.
        agent = User.objects.get(username="agent")
        client.force_login(agent)
        customer = Customer.objects.filter(dealer=dealer, consents_to_calls=True).order_by("pk").first()
        response = client.get(reverse("customer_lookup"), {"q": customer.mobile[:7]})
        assert response.status_code == 200
        assert customer.name in response.content.decode()
        response = client.post(
            reverse("customer_call_create", args=[customer.pk]),
            {
                "direction": "in",
                "purpose": "complaint",
                "started_at": _local_input(timezone.now()),
                "duration": "3:25",
                "summary": "保养后异响",
                "outcome": "已登记抱怨",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        call = CallLog.objects.filter(customer=customer).latest("pk")
        response = client.post(
            reverse("complaints:create") + f"?customer={customer.pk}&call={call.pk}",
            {
                "channel": "dealer_hotline",
                "category": "service_attitude",
                "severity": "normal",
                "received_at": _local_input(call.started_at),
                "description": "接待态度差",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        complaint = Complaint.objects.filter(customer=customer).latest("pk")
        assert _within_hours(calendar, complaint.acknowledge_due_at)
        assert calendar.is_working_day(complaint.acknowledge_due_at.astimezone(SHANGHAI).date())
        assert complaint.acknowledge_due_at > complaint.received_at
        steps = [
            ("acknowledge", {"acknowledge-note": "已致歉"}),
            ("investigate", {}),
            (
                "propose_countermeasure",
                {
                    "propose_countermeasure-root_cause": "接待流程缺失",
                    "propose_countermeasure-root_cause_class": "organisation",
                    "propose_countermeasure-countermeasure": "培训",
                },
            ),
            ("start", {}),
            ("resolve", {"resolve-resolution_type": "apology", "resolve-note": "已道歉，客户接受"}),
        ]
        for action, data in steps:
            response = client.post(reverse("complaints:transition", args=[complaint.pk, action]), data)
            assert response.status_code == 302, (action, response.content.decode()[:3000])
        complaint.refresh_from_db()
        assert complaint.status == Status.RESOLVED

        # Its follow-up call: made inside a call slot, refused outside with the next slot named.
        callback = Callback.objects.get(complaint=complaint, kind=Kind.AFTER_COMPLAINT)
        assert callback.agent == agent
        values = {"score": "5", "yes_no": "yes", "text": "服务很好"}
        answers = {f"q_{q.pk}": values[q.answer_type] for q in questions_for(dealer=dealer, kind=callback.kind)}
        moment = timezone.now()
        response = client.post(
            reverse("callbacks:attempt", args=[callback.pk]),
            {"result": "reached", "satisfaction": "5", "remarks": "满意", **answers},
        )
        callback.refresh_from_db()
        if slot_of(moment, SHANGHAI) is not None and slot_of(timezone.now(), SHANGHAI) is not None:
            assert response.status_code == 302, response.content.decode()[:3000]
            assert callback.status == CallbackStatus.COMPLETED
            complaint.refresh_from_db()
            assert complaint.status == Status.CLOSED
        elif slot_of(moment, SHANGHAI) is None and slot_of(timezone.now(), SHANGHAI) is None:
            assert response.status_code == 200
            errors = " ".join(response.context["attempt_form"].non_field_errors())
            next_slot = next_slot_start(moment, SHANGHAI)
            assert f"{next_slot:%H:%M}" in errors and f"{next_slot.day}日" in errors, errors
            assert callback.status in (CallbackStatus.SCHEDULED, CallbackStatus.DUE)

        # The previous month's report.
        month = _previous_month(timezone.localdate(timezone=SHANGHAI))
        output = tmp_path / "report.pdf"
        with open(tmp_path / "report.log", "w") as log:
            call_command("monthly_report", dealer=["GZ01"], month=month, output=str(output), stdout=log)
        assert output.read_bytes().startswith(b"%PDF")
