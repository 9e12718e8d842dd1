"""Demo deliveries, repair orders and their follow-up calls for `seed_demo`: four months of events recorded through
the services, their calls in every state with attempts across the time slots, a few dissatisfied answers that
opened complaints, and one vehicle near a 三包 threshold."""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from cac.desk.vin import vin_check_digit
from cac.events.services import sale_record, service_visit_record
from cac.models import Customer, Dealer, Sale, User, Vehicle
from cac.platform.zones import dealer_zone
from callbacks.models import Callback, Kind, Question
from callbacks.services import callback_cancel, callback_record_attempt, callbacks_make_due, due_after

SALES = 36
VISITS = 54
DAYS_BACK = 120
MODELS = ["凯美瑞 2.0G", "卡罗拉 1.2T", "RAV4 荣放 2.0L", "汉兰达 2.0T", "威兰达 2.5L"]
CONSULTANTS = ["陈静", "吴磊", "郑佳琪"]
ADVISORS = ["黄志明", "林海", "周洁"]
REPAIRS = [
    ("空调不制冷", "AC-102", "更换空调压缩机继电器"),
    ("刹车异响", "BRK-210", "更换前刹车片，打磨刹车盘"),
    ("发动机故障灯亮", "ENG-033", "清洗节气门，更新发动机程序"),
    ("定期保养", "", "更换机油、机滤，常规检查"),
    ("中控屏黑屏", "INF-007", "升级车机软件"),
]
# What happened to the follow-up call of an event older than a week, in turn (completed calls dominate).
OUTCOMES = [
    "satisfied",
    "satisfied",
    "in_progress",
    "satisfied",
    "unreachable",
    "satisfied",
    "declined",
    "satisfied",
    "cancelled",
    "satisfied",
    "due",
    "satisfied",
]
DISSATISFIED_EVERY = 17  # every 17th event older than a week: the customer is unhappy and a complaint opens


def _vin(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    body = "LVG" + "".join(rng.choice(alphabet) for _ in range(6)) + "".join(rng.choice("0123456789") for _ in range(8))
    return body[:8] + vin_check_digit(body) + body[9:]


def _at(dealer: Dealer, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(dealer.time_zone))


def _answers(kind: str, *, happy: bool) -> dict[str, str]:
    answers = {}
    for question in Question.objects.filter(dealer__isnull=True, kind=kind):
        if question.answer_type == Question.AnswerType.SCORE:
            answers[str(question.pk)] = "5" if happy else "2"
        elif question.answer_type == Question.AnswerType.YES_NO:
            answers[str(question.pk)] = "yes" if happy else "no"
        else:
            answers[str(question.pk)] = "" if happy else "希望店里尽快给个说法"
    return answers


def _play(callback: Callback, outcome: str, event_day: date, users: dict[str, User], rng: random.Random) -> None:
    """Walk one follow-up call to its demo outcome through the services, attempts in the past and in a slot."""
    agent = callback.agent or users["agent"]
    dealer = callback.dealer
    day1, day2 = event_day + timedelta(days=1), event_day + timedelta(days=2)
    if outcome == "due":
        return
    if outcome == "cancelled":
        callback_cancel(callback_id=callback.pk, reason="客户已到店当面回访", acting_user=users["service_manager"])
        return
    if outcome in ("in_progress", "unreachable"):
        callback_record_attempt(
            callback_id=callback.pk, acting_user=agent, result="no_answer", at=_at(dealer, day1, 10, 5)
        )
        callback_record_attempt(callback_id=callback.pk, acting_user=agent, result="busy", at=_at(dealer, day1, 15, 20))
        if outcome == "unreachable":
            callback_record_attempt(
                callback_id=callback.pk, acting_user=agent, result="no_answer", at=_at(dealer, day1, 19, 30)
            )
        return
    if outcome == "declined":
        callback_record_attempt(
            callback_id=callback.pk,
            acting_user=agent,
            result="declined",
            remarks="客户表示不需要电话回访，可发短信",
            at=_at(dealer, day1, 11, 0),
        )
        return
    happy = outcome == "satisfied"
    if rng.random() < 0.4:  # first try missed in the morning, reached in the afternoon
        callback_record_attempt(callback_id=callback.pk, acting_user=agent, result="no_answer", at=_at(dealer, day1, 9))
        reached_at = _at(dealer, day1, 14, 30)
    else:
        reached_at = _at(dealer, day2, 10, 15)
    callback_record_attempt(
        callback_id=callback.pk,
        acting_user=agent,
        result="reached",
        satisfaction=rng.choice((4, 5, 5)) if happy else 2,
        answers=_answers(callback.kind, happy=happy),
        remarks="客户满意，无其他意见" if happy else "客户对处理结果不满意，要求店里给说法",
        # The caller picks what the dissatisfied customer complains of (the complaints' categories).
        complaint_category="" if happy else rng.choice(DISSATISFIED_WITH.get(callback.kind, ("other",))),
        at=reached_at,
    )


DISSATISFIED_WITH = {
    Kind.AFTER_SALE: ("purchase", "service_attitude", "product_quality"),
    Kind.AFTER_SERVICE: ("repair_quality", "repair_cost", "service_attitude", "parts"),
}


def _outcome(age_days: int, index: int) -> str:
    if age_days < 6:
        return "scheduled_or_due"  # its 3 days have not run out: nobody called yet
    if index % DISSATISFIED_EVERY == 5:
        return "dissatisfied"
    return OUTCOMES[index % len(OUTCOMES)]


def seed_callbacks(*, dealer: Dealer, users: dict[str, User]) -> int:
    """Create the demo events and their follow-up calls once; a dealer that already has sales is left as it is.
    Returns the number of events created."""
    if Sale.objects.filter(dealer=dealer).exists():
        return 0
    customers = list(
        Customer.objects.filter(dealer=dealer, consents_to_calls=True)
        .exclude(preferred_channel=Customer.ContactChannel.NONE)
        .prefetch_related("vehicles")
        .order_by("pk")
    )
    if not customers:
        return 0
    today = timezone.localdate()
    created = 0
    plays: list[tuple[Callback, str, date, random.Random]] = []
    sold: list[Vehicle] = []
    for index in range(SALES):
        rng = random.Random(f"cac-demo-sale-{index}")
        customer = customers[(index * 11 + 3) % len(customers)]
        age = 1 + index * (DAYS_BACK - 1) // SALES if index >= 4 else index  # a few within the last 3 days
        delivered_on = today - timedelta(days=age)
        vehicle = Vehicle(
            dealer=dealer,
            customer=customer,
            vin=_vin(rng),
            model=rng.choice(MODELS),
            plate=f"粤A{rng.choice('BCDFGHJKLM')}{rng.randrange(10000):04d}",
            purchase_date=delivered_on,
            warranty_end=delivered_on + timedelta(days=365 * 3),
            insurance_expiry=delivered_on + timedelta(days=365),
            mileage=rng.randrange(5, 30),
        )
        vehicle._history_user = users["sales_manager"]
        vehicle.save()
        sold.append(vehicle)
        sale, _new = sale_record(
            dealer=dealer,
            customer=customer,
            vehicle=vehicle,
            delivered_on=delivered_on,
            consultant_name=rng.choice(CONSULTANTS),
            acting_user=users["sales_manager"],
        )
        created += 1
        callback = Callback.objects.filter(sale=sale, kind=Kind.AFTER_SALE).first()
        if callback is not None:
            plays.append((callback, _outcome(age, index), delivered_on, rng))
    vehicles = [vehicle for customer in customers[:120] for vehicle in customer.vehicles.all()]
    for index in range(VISITS):
        rng = random.Random(f"cac-demo-visit-{index}")
        vehicle = vehicles[(index * 7) % len(vehicles)]
        age = 1 + index * (DAYS_BACK - 1) // VISITS if index >= 5 else index
        date_out = today - timedelta(days=age)
        date_in = date_out - timedelta(days=rng.choice((0, 0, 1, 2)))
        fault, code, work = rng.choice(REPAIRS)
        visit, _new = service_visit_record(
            dealer=dealer,
            order_number=f"RO{date_in:%Y%m%d}{index:03d}",
            customer=vehicle.customer,
            vehicle=vehicle,
            date_in=date_in,
            date_out=date_out,
            mileage=(vehicle.mileage or 10000) + rng.randrange(100, 3000),
            advisor_name=rng.choice(ADVISORS),
            fault=fault,
            fault_code=code,
            work_done=work,
            is_warranty=bool(code) and rng.random() < 0.4,
            is_rework=rng.random() < 0.08,
            acting_user=users["service_manager"],
        )
        created += 1
        callback = Callback.objects.filter(service_visit=visit, kind=Kind.AFTER_SERVICE).first()
        if callback is not None:
            plays.append((callback, _outcome(age, index + 1), date_out, rng))
    created += _sanbao_vehicle(dealer, sold, users)
    for callback, outcome, event_day, rng in plays:
        if outcome == "scheduled_or_due":
            continue
        _play(callback, outcome, event_day, users, rng)
    # Events whose 3 days ran out without a call: what the beat's sweep would have made due by now.
    callbacks_make_due(now=timezone.now())
    return created


def _sanbao_vehicle(dealer: Dealer, sold: list[Vehicle], users: dict[str, User]) -> int:
    """One car sold four months ago back four times for the same steering noise, 26 days in the workshop: the
    三包 watch puts it on the key-attention list (limit: 30 days, the same fault more than 4 times)."""
    vehicle = min(sold, key=lambda v: v.purchase_date)
    stays = [(10, 5), (30, 7), (55, 8), (80, 6)]  # (days after delivery, days in the workshop)
    for number, (after, days) in enumerate(stays, start=1):
        date_in = vehicle.purchase_date + timedelta(days=after)
        service_visit_record(
            dealer=dealer,
            order_number=f"RO-SB-{vehicle.vin[-6:]}-{number}",
            customer=vehicle.customer,
            vehicle=vehicle,
            date_in=date_in,
            date_out=min(date_in + timedelta(days=days - 1), timezone.localdate()),
            mileage=800 * number,
            advisor_name=ADVISORS[0],
            fault="转向时方向机异响",
            fault_code="EPS-015",
            work_done="检查转向机，更换转向管柱" if number > 1 else "润滑转向机",
            is_warranty=True,
            is_rework=number > 1,
            acting_user=users["service_manager"],
        )
    return len(stays)


def follow_up_after_complaint(*, complaint, agent: User, called_at, rng: random.Random, satisfied: bool) -> None:
    """The demo's follow-up call of a resolved complaint at `called_at` (in a call slot): satisfied closes it,
    dissatisfied reopens it."""
    callback = Callback.objects.get(complaint=complaint, status__in=["scheduled", "due"])
    answers = {
        str(q.pk): ("5" if q.answer_type == Question.AnswerType.SCORE else "yes")
        for q in Question.objects.filter(dealer__isnull=True, kind=callback.kind)
    }
    callback_record_attempt(
        callback_id=callback.pk,
        acting_user=agent,
        result="reached",
        satisfaction=rng.choice((4, 5, 5)) if satisfied else 2,
        answers=answers if satisfied else {key: "no" if value == "yes" else "2" for key, value in answers.items()},
        remarks="问题已解决，客户满意" if satisfied else "客户表示问题仍然存在，不满意",
        at=called_at,
    )


def backdate_after_complaint_calls(*, dealer: Dealer) -> int:
    """Give the after-complaint calls the times of the complaints they follow (demo data only): the complaints are
    walked through the services today and then dated back over the months, and their calls go with them, so the
    statistics of every month have their follow-ups. Each call becomes due when the rule makes it due after its
    complaint's resolution (`due_after`: the dealer's closing time, within its hours). Returns the calls moved."""
    moved = 0
    calls = Callback.objects.filter(
        dealer=dealer, kind=Kind.AFTER_COMPLAINT, complaint__resolved_at__isnull=False
    ).select_related("complaint")
    for callback in calls:
        resolved_at = callback.complaint.resolved_at
        if callback.created_at <= resolved_at + timedelta(minutes=1):
            continue  # resolved today, or moved by an earlier run
        resolved_day = timezone.localtime(resolved_at, dealer_zone(dealer)).date()
        due_at = due_after(dealer=dealer, event_day=resolved_day)
        Callback.objects.filter(pk=callback.pk).update(created_at=resolved_at, due_at=due_at)
        moved += 1
    return moved
