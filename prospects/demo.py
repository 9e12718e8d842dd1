"""Demo prospects for `seed_demo`: every state and grade, contact attempts across the time slots, a campaign
that picked up the archive pool, and some conversions; all written through prospects.services."""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from cac.desk.vin import vin_check_digit
from cac.models import Dealer, User
from prospects import services
from prospects.models import Grade, Prospect, Source, Status

MODELS = ["凯美瑞 2.0G", "卡罗拉 1.2T", "RAV4 荣放 2.0L", "汉兰达 2.0T", "威兰达 2.5L"]
NAMES = "赵敏 钱进 孙丽 李强 周涛 吴芳 郑凯 王欣 冯雪 陈晨 褚明 卫东 蒋琳 沈浩 韩梅 杨帆 朱莉 秦川 许诺 何静 吕峰 施雨 张扬 孔亮"
# The path each demo prospect takes, in turn.
PATHS = [
    "new",
    "contacting",
    "following",
    "appointment",
    "won",
    "lost",
    "unreachable",
    "archived",
    "following",
    "won",
    "archived",
    "lost",
]


def _at(dealer: Dealer, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 10), tzinfo=ZoneInfo(dealer.time_zone))


def _vin(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    body = "LFM" + "".join(rng.choice(alphabet) for _ in range(6)) + "".join(rng.choice("0123456789") for _ in range(8))
    return body[:8] + vin_check_digit(body) + body[9:]


def seed_prospects(*, dealer: Dealer, users: list[User], count: int = 24, seed: int = 5) -> list[Prospect]:
    """Create `count` prospects for the dealer, adopted in turn by the users who may work prospects."""
    rng = random.Random(seed + dealer.pk)
    owners = [user for user in users if user.has_perm("prospects.work_prospect")]
    managers = [user for user in users if user.has_perm("prospects.manage_prospect")]
    if not owners:
        return []
    today = timezone.localdate()
    names = NAMES.split()
    prospects = []
    for number in range(count):
        owner = owners[number % len(owners)]
        path = PATHS[number % len(PATHS)]
        prospect = services.prospect_create(
            dealer=dealer,
            acting_user=owner,
            name=names[number % len(names)],
            phone=f"{rng.choice(['136', '138', '139', '158'])}{rng.randrange(10**8):08d}",
            source=list(Source.values)[number % len(Source.values)],
            grade=list(Grade.values)[number % len(Grade.values)],
            model_of_interest=MODELS[number % len(MODELS)],
            budget=rng.choice([120000, 160000, 200000, 260000]),
        )
        day = today - timedelta(days=rng.randrange(3, 80))
        Prospect.objects.filter(pk=prospect.pk).update(created_at=_at(dealer, day, 8))
        if path != "new":
            _walk(prospect, path, owner=owner, day=day, rng=rng)
        prospects.append(prospect)
    if managers:
        # Some of the pool is picked up; the rest stays archived or lost, as in a real pool.
        pool = [
            *Prospect.objects.filter(dealer=dealer, status=Status.LOST).order_by("pk")[:2],
            *Prospect.objects.filter(dealer=dealer, status=Status.ARCHIVED).order_by("pk")[:1],
        ]
        services.campaign_create(
            dealer=dealer,
            acting_user=managers[0],
            name="春季试驾周",
            models_text=MODELS[0],
            starts_on=today,
            ends_on=today + timedelta(days=14),
            message="到店试驾送保养",
            prospects=pool,
        )
    return prospects


def _walk(prospect: Prospect, path: str, *, owner: User, day: date, rng: random.Random) -> None:
    pk = prospect.pk
    if path == "unreachable":
        for offset, hour in enumerate((9, 14, 19)):
            services.prospect_record_attempt(
                prospect_id=pk,
                acting_user=owner,
                result="no_answer",
                at=_at(prospect.dealer, day + timedelta(offset), hour),
            )
        return
    services.prospect_record_attempt(prospect_id=pk, acting_user=owner, result="busy", at=_at(prospect.dealer, day, 10))
    if path == "contacting":
        return
    reached_at = _at(prospect.dealer, day, 15)
    interested = path != "lost" or rng.random() < 0.5
    services.prospect_record_attempt(
        prospect_id=pk, acting_user=owner, result="reached", interested=interested, at=reached_at
    )
    if path == "lost" and interested:
        services.prospect_transition(prospect_id=pk, action="lose", acting_user=owner, reason="bought_elsewhere")
    if path == "archived":
        services.prospect_transition(prospect_id=pk, action="archive", acting_user=owner, note="明年再考虑")
    if path in ("appointment", "won"):
        services.prospect_transition(
            prospect_id=pk,
            action="book_appointment",
            acting_user=owner,
            kind=rng.choice(["visit", "test_drive"]),
            at=reached_at + timedelta(days=2),
        )
    if path == "won":
        services.prospect_transition(
            prospect_id=pk, action="win", acting_user=owner, vin=_vin(rng), model=prospect.model_of_interest
        )
