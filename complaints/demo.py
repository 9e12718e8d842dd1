"""Demo complaints for `seed_demo`: every state, channel and category over the last 13 months, some breached,
some escalated, a few major and one emergency. Made through the services, so each has its history."""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from cac.models import Customer, Dealer, User
from cac.platform.attempts import latest_slot_moment
from complaints.models import (
    MANAGE,
    AuthorityRequest,
    Category,
    Channel,
    Complaint,
    Escalation,
    EscalationLevel,
    ResolutionType,
    Severity,
    Status,
)
from complaints.services import (
    authority_request_create,
    complaint_create,
    complaint_escalate,
    complaint_transition,
    complaint_update_details,
)

COUNT = 160
DESCRIPTIONS = {
    Category.PRODUCT_QUALITY: ("空调出风口异响，高速行驶时明显", "要求免费检修"),
    Category.REPAIR_QUALITY: ("保养后发动机故障灯亮，第二次进站仍未修好", "要求彻底修好并赔偿误工"),
    Category.REPAIR_COST: ("更换刹车片报价比其他店高出 40%", "要求解释收费明细"),
    Category.SERVICE_ATTITUDE: ("服务顾问接待态度冷淡，等候两个小时无人理会", "要求道歉"),
    Category.PURCHASE: ("交车时承诺的赠品没有兑现", "要求补发赠品"),
    Category.PARTS: ("配件等待已超过三周仍未到货", "要求给出确切到货时间"),
    Category.USER_ISSUE: ("不会使用自适应巡航，以为是故障", "希望有人讲解"),
    Category.MULTIPLE: ("维修慢且收费不透明", "要求减免工时费"),
    Category.OTHER: ("停车场收费不合理", "希望客户停车免费"),
}
# Where a complaint ends, by how old it is: old ones are mostly closed, recent ones spread over the workflow.
PATHS = {
    Status.NEW: [],
    Status.ACKNOWLEDGED: ["acknowledge"],
    Status.INVESTIGATING: ["acknowledge", "investigate"],
    Status.COUNTERMEASURE_PROPOSED: ["acknowledge", "investigate", "propose_countermeasure"],
    Status.IN_PROGRESS: ["acknowledge", "investigate", "propose_countermeasure", "start"],
    Status.RESOLVED: ["acknowledge", "investigate", "propose_countermeasure", "start", "resolve"],
    Status.REOPENED: ["acknowledge", "investigate", "propose_countermeasure", "start", "resolve", "follow_up_unhappy"],
    # Closed through its follow-up call, as in the CAC: the satisfied answer closes the complaint.
    Status.CLOSED: ["acknowledge", "investigate", "propose_countermeasure", "start", "resolve", "follow_up"],
    Status.CANCELLED: ["cancel"],
}
STEP_DATA = {
    "propose_countermeasure": {
        "root_cause": "技师未按标准流程检查",
        "root_cause_class": "people",
        "countermeasure": "安排技术经理复检并返修",
    },
    "resolve": {"resolution_type": ResolutionType.REWORK, "note": "已返修，客户试车确认"},
    "cancel": {"note": "客户撤回，重复登记"},
}

PREVENTION_MEASURES = ("交车前增加质检复核环节", "每周例会通报同类问题", "技师上岗前复训维修标准")


def _target_status(rng: random.Random, age_days: int) -> str:
    if age_days > 45:
        return rng.choices([Status.CLOSED, Status.CANCELLED, Status.RESOLVED], weights=[90, 6, 4])[0]
    return rng.choice(list(PATHS))


def seed_complaints(*, dealer: Dealer, users: dict[str, User], follow_up: Callable[..., None]) -> int:
    """Create the demo complaints once; a dealer that already has complaints is left as it is. `follow_up` makes
    the follow-up call of a resolved complaint (the follow-up app's, given by seed_demo)."""
    if Complaint.objects.filter(dealer=dealer).exists():
        return 0
    customers = list(Customer.objects.filter(dealer=dealer).prefetch_related("vehicles").order_by("pk"))
    if not customers:
        return 0
    now = timezone.now()
    channels, categories = list(Channel), list(Category)
    for index in range(COUNT):
        rng = random.Random(f"cac-demo-complaint-{index}")
        customer = customers[index * 7 % len(customers)]
        vehicles = list(customer.vehicles.all())
        age_days = rng.randrange(0, 395) if index >= 12 else rng.randrange(0, 6)
        received_at = (now - timedelta(days=age_days)).replace(hour=rng.randrange(1, 10), minute=rng.randrange(60))
        received_at = min(received_at, now - timedelta(minutes=30))
        category = categories[index % len(categories)]
        severity = Severity.NORMAL
        if index % 19 == 5:
            severity = Severity.MAJOR
        if index == 3:
            severity = Severity.EMERGENCY
        description, demand = DESCRIPTIONS[category]
        complaint = complaint_create(
            customer=customer,
            acting_user=users["agent"],
            channel=channels[index % len(channels)],
            category=category,
            severity=severity,
            description=description,
            demand=demand,
            vehicle=vehicles[0] if vehicles and category != Category.PURCHASE else None,
            received_at=received_at,
            oem_reference=f"OEM-{received_at:%y%m}-{index:04d}"
            if channels[index % len(channels)].startswith("oem")
            else "",
        )
        manager = complaint.owner or users["service_manager"]
        times = _timeline(received_at, rng, now, ZoneInfo(dealer.time_zone))
        target = _target_status(rng, age_days)
        if "follow_up" not in times and target in (Status.CLOSED, Status.REOPENED):
            target = Status.RESOLVED  # resolved too recently for a call in a slot before now: the call is still owed
        for action in PATHS[target]:
            if action == "follow_up":  # the prevention measure, written before the satisfied call closes it
                complaint_update_details(
                    complaint_id=complaint.pk, acting_user=manager, prevention_measure=PREVENTION_MEASURES[index % 3]
                )
            if action in ("follow_up", "follow_up_unhappy"):
                follow_up(
                    complaint=complaint,
                    agent=users["agent"],
                    called_at=times["follow_up"],
                    rng=rng,
                    satisfied=action == "follow_up",
                )
                continue
            data = dict(STEP_DATA.get(action, {}))
            note = data.pop("note", "")
            complaint_transition(complaint_id=complaint.pk, action=action, acting_user=manager, note=note, **data)
        _backdate(complaint.pk, times, target)
        if target in (Status.INVESTIGATING, Status.IN_PROGRESS) and index % 4 == 0:
            if Complaint.objects.get(pk=complaint.pk).escalation_level < EscalationLevel.DIRECTOR:
                complaint_escalate(
                    complaint_id=complaint.pk,
                    reason=Escalation.Reason.DEADLINE,
                    note="处理超时，上报",
                    acting_user=manager,
                )
            else:  # with the director already: what exceeds the dealer's authority is asked of the OEM region
                authority_request_create(
                    complaint_id=complaint.pk,
                    kind=AuthorityRequest.Kind.RENTAL_CAR,
                    request="待件超过一周，申请客户代步车费用（5天）的授权",
                    acting_user=manager if manager.has_perm(MANAGE) else users["service_manager"],
                )
    return COUNT


def _timeline(received_at: datetime, rng: random.Random, now: datetime, zone: ZoneInfo) -> dict[str, datetime]:
    """Plausible times of a complaint's steps, in order and never after `now`; the follow-up call falls in a call
    slot (at the latest one before `now` when its planned day is still to come), and is left out when no slot lies
    between the resolution and `now`."""
    acknowledged = min(received_at + timedelta(hours=rng.choice((1, 2, 3, 5, 30))), now)
    resolved = min(received_at + timedelta(days=rng.choice((1, 2, 2, 3, 3, 4, 6)), hours=rng.randrange(8)), now)
    resolved = max(resolved, acknowledged)
    planned_call = timezone.localtime(resolved + timedelta(days=rng.choice((1, 2, 3, 3))), zone)
    call = min(planned_call.replace(hour=10, minute=30, second=0, microsecond=0), latest_slot_moment(now, zone))
    times = {"acknowledged": acknowledged, "resolved": resolved}
    if call > resolved:
        times["follow_up"] = call
    return times


def _backdate(complaint_id: int, times: dict[str, datetime], target: str) -> None:
    """Give the walked complaint its planned times instead of all of them 'now' (demo data only)."""
    updates = {}
    if target != Status.NEW and target != Status.CANCELLED:
        updates["acknowledged_at"] = times["acknowledged"]
    if target in (Status.RESOLVED, Status.CLOSED):
        updates["resolved_at"] = times["resolved"]
    if target == Status.CLOSED:
        updates["closed_at"] = times["follow_up"]
        updates["prevention_measure_at"] = times["follow_up"]
    if target == Status.CANCELLED:
        updates["closed_at"] = times["acknowledged"]
    if updates:
        Complaint.objects.filter(pk=complaint_id).update(**updates)
