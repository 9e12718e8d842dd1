"""Demo data: one dealer, a user per role, about 200 customers with vehicles and three months of calls.

Running it twice changes nothing: every row is looked up by a natural key before it is created, and the
random choices come from a fixed seed.
"""

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cac.cti.lines import cti_line_create
from cac.deadlines.sms import SmsReceipt, get_backend, sms_deliver, sms_receipt_record
from cac.desk.phones import normalize_mobile
from cac.desk.vin import vin_check_digit
from cac.models import CallLog, CtiLine, Customer, Dealer, DealerHoliday, SmsMessage, User, Vehicle
from cac.platform.attempts import latest_slot_moment
from cac.roles import ROLE_PERMISSIONS, sync_roles
from callbacks.demo import backdate_after_complaint_calls, follow_up_after_complaint, seed_callbacks
from complaints.demo import seed_complaints
from complaints.models import Complaint
from prospects.demo import seed_prospects
from prospects.models import Prospect
from reports.demo import DEMO_REPORT_MONTHS, seed_monthly_reports

DEMO_LINE = "02088880000"  # the demo dealer's phone line: `cti_simulate --line 02088880000 ...`
DEMO_PASSWORD = "cac-demo-2026"  # noqa: S105 - documented demo password, refused when DEBUG is off
DEALER = {
    "code": "GZ01",
    "name": "广州天河汽车销售服务有限公司",
    "phone": "020-38881234",
    "address": "广州市天河区黄埔大道西 668 号",
}
STAFF = {
    "agent": ("王", "芳"),
    "service_manager": ("李", "强"),
    "sales_manager": ("陈", "静"),
    "director": ("张", "伟"),
    "executive": ("刘", "洋"),
    "admin": ("赵", "敏"),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞斌宇浩凯晨欣怡佳琪子涵雨轩思远志鑫"
PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "186", "187", "188", "189", "177"]
DISTRICTS = ["天河区", "越秀区", "海珠区", "白云区", "番禺区"]
MODELS = ["凯美瑞 2.0G", "卡罗拉 1.2T", "RAV4 荣放 2.0L", "汉兰达 2.0T", "雷凌 双擎", "威兰达 2.5L", "亚洲龙 2.5L"]
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXY"
HOLIDAYS = [("2026-10-01", "国庆节"), ("2026-10-02", "国庆节"), ("2026-10-03", "国庆节"), ("2027-01-01", "元旦")]
CALL_SUMMARIES = {
    CallLog.Purpose.INQUIRY: ["询问首保时间和费用", "咨询保险续保优惠", "询问新款车型到店时间", "咨询延保政策"],
    CallLog.Purpose.COMPLAINT: ["反映空调制冷效果差，上次维修后仍未解决", "抱怨保养等待时间太长", "对维修报价有异议"],
    CallLog.Purpose.APPOINTMENT: ["预约周六上午保养", "预约试驾", "预约钣喷维修"],
    CallLog.Purpose.FOLLOW_UP: ["维修后回访，客户满意", "交车三日回访，客户对销售顾问很满意", "回访未接通"],
    CallLog.Purpose.OTHER: ["询问门店营业时间", "咨询二手车置换"],
}


def _demo_vin(rng: random.Random) -> str:
    """A VIN with a Chinese manufacturer prefix and a correct check digit."""
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    body = (
        "LVG" + "".join(rng.choice(alphabet) for _ in range(5)) + "0" + "".join(rng.choice(alphabet) for _ in range(2))
    )
    body += "".join(rng.choice("0123456789") for _ in range(6))
    return body[:8] + vin_check_digit(body) + body[9:]


class Command(BaseCommand):
    help = (
        "Create the demo dealer, one user per role (password cac-demo-2026), customers, vehicles, calls and complaints."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off (never in production).")
        parser.add_argument("--customers", type=int, default=200)

    def handle(self, *args, force: bool = False, customers: int = 200, **options):
        # Checked before touching the database: a production database never gets the demo users.
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a published password; it runs only with DEBUG on or --force."
            )
        with transaction.atomic():
            self._seed(customers)
        # After the data commits: each report's figures are read from it, and its PDF stored with its row.
        dealer = Dealer.objects.get(code=DEALER["code"])
        reports = seed_monthly_reports(dealer=dealer)
        self.stdout.write(
            self.style.SUCCESS(f"Monthly reports of the last {DEMO_REPORT_MONTHS} months: {reports} new.")
        )

    def _seed(self, customers: int) -> None:
        sync_roles()
        dealer, _ = Dealer.objects.get_or_create(code=DEALER["code"], defaults=DEALER)
        for day, name in HOLIDAYS:
            DealerHoliday.objects.get_or_create(dealer=dealer, date=date.fromisoformat(day), defaults={"name": name})
        users = {role: self._user(role, dealer) for role in ROLE_PERMISSIONS}
        created = self._customers(dealer, users, customers)
        complaints = seed_complaints(dealer=dealer, users=users, follow_up=follow_up_after_complaint)
        backdate_after_complaint_calls(dealer=dealer)
        events = seed_callbacks(dealer=dealer, users=users)
        if not CtiLine.objects.filter(number=DEMO_LINE).exists():
            cti_line_create(dealer=dealer, number=DEMO_LINE, name="服务热线")  # cti_simulate gives it a token
        self._sms_receipts(dealer)
        prospects = 0
        if not Prospect.objects.filter(dealer=dealer).exists():
            prospects = len(seed_prospects(dealer=dealer, users=list(users.values())))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: dealer {dealer.code}, {len(users)} users, "
                f"{Customer.objects.filter(dealer=dealer).count()} customers ({created} new), "
                f"{CallLog.objects.filter(dealer=dealer).count()} calls, "
                f"{Complaint.objects.filter(dealer=dealer).count()} complaints ({complaints} new), "
                f"{events} new deliveries and repair orders with their follow-up calls, {prospects} new prospects."
            )
        )

    def _sms_receipts(self, dealer: Dealer) -> None:
        """The demo's SMS handed to the log (never to a real gateway) and given receipts, so that the 360 shows
        delivered and failed ones: one in five failed. Messages already past `queued` are left as they are."""
        if get_backend().vendor not in ("log", "memory"):
            return
        queued = SmsMessage.objects.filter(dealer=dealer, status=SmsMessage.Status.QUEUED).order_by("pk")
        for message_id in queued.values_list("pk", flat=True):
            sms_deliver(message_id=message_id)
        sent = SmsMessage.objects.filter(dealer=dealer, status=SmsMessage.Status.SENT).order_by("pk")
        for gateway in {message.gateway for message in sent}:
            receipts = [
                SmsReceipt(
                    reference=message.gateway_reference, delivered=True, code="DELIVRD", at=message.handed_over_at
                )
                if index % 5 != 4
                else SmsReceipt(
                    reference=message.gateway_reference, delivered=False, code="MK:0001", description="用户停机"
                )
                for index, message in enumerate(sent.filter(gateway=gateway))
            ]
            sms_receipt_record(gateway=gateway, receipts=receipts)

    def _user(self, role: str, dealer: Dealer) -> User:
        last, first = STAFF[role]
        user, created = User.objects.get_or_create(
            username=role,
            defaults={"first_name": first, "last_name": last, "email": f"{role}@demo.cac.local"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == "admin"
            user.save()
        if user.is_superuser:
            # The demo's administrator is the dealer's: the admin role with its dealer, never the platform's operator.
            user.is_superuser = False
            user.save(update_fields=["is_superuser"])
        user.dealers.add(dealer)
        user.groups.add(Group.objects.get(name=role))
        if role == "agent" and not user.extension:
            user.extension = "801"  # the phone system names the demo agent by this extension
            user.save(update_fields=["extension"])
        return user

    def _customers(self, dealer: Dealer, users: dict[str, User], count: int) -> int:
        now = timezone.now()
        zone = ZoneInfo(dealer.time_zone)
        handlers = [users["agent"], users["agent"], users["service_manager"], users["sales_manager"]]
        owners = [users["agent"], users["sales_manager"], users["service_manager"]]
        created_count = 0
        for index in range(count):
            # One seed per customer: the same index always gives the same person.
            rng = random.Random(f"cac-demo-{index}")
            mobile = normalize_mobile(rng.choice(PREFIXES) + f"{rng.randrange(10**8):08d}")
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            birthday = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
            channel = rng.choices(["phone", "sms", "mail", "none"], weights=[80, 12, 5, 3])[0]
            customer, created = Customer.objects.get_or_create(
                dealer=dealer,
                mobile=mobile,
                defaults={
                    "name": name,
                    "preferred_channel": channel,
                    "consents_to_calls": channel != "none",
                    "birthday": birthday,
                    "address": f"广州市{rng.choice(DISTRICTS)}{rng.randrange(1, 300)}号",
                    "owner": owners[index % len(owners)],
                },
            )
            if not created:
                continue  # this customer, their vehicles and calls were made by an earlier run
            created_count += 1
            for _ in range(rng.choice((1, 1, 1, 2))):
                vin = _demo_vin(rng)
                bought = (now - timedelta(days=rng.randrange(30, 365 * 6))).date()
                Vehicle.objects.get_or_create(
                    dealer=dealer,
                    vin=vin,
                    defaults={
                        "customer": customer,
                        "model": rng.choice(MODELS),
                        "plate": f"粤A{rng.choice(PLATE_LETTERS)}{rng.randrange(10000):04d}",
                        "purchase_date": bought,
                        "warranty_end": bought + timedelta(days=365 * 3),
                        "insurance_expiry": bought + timedelta(days=365 * ((now.date() - bought).days // 365 + 1)),
                        "mileage": rng.randrange(500, 160000),
                    },
                )
            # Calls in the line's hours (the call slots), the latest at most an hour before now, whatever its hour.
            call_times = sorted(
                latest_slot_moment(now - timedelta(minutes=rng.randrange(60, 90 * 24 * 60)), zone)
                for _ in range(rng.randrange(1, 5))
            )
            for started_at in call_times:
                purpose = rng.choice(list(CALL_SUMMARIES))
                CallLog.objects.get_or_create(
                    dealer=dealer,
                    phone=mobile,
                    started_at=started_at,
                    defaults={
                        "customer": customer,
                        "direction": "out" if purpose == CallLog.Purpose.FOLLOW_UP else "in",
                        "purpose": purpose,
                        "summary": rng.choice(CALL_SUMMARIES[purpose]),
                        "outcome": rng.choice(["已解答", "已转服务经理", "已预约", "客户满意", ""]),
                        "handled_by": rng.choice(handlers),
                        "duration_seconds": rng.randrange(30, 900),
                        "callback_owed": purpose == CallLog.Purpose.COMPLAINT and rng.random() < 0.5,
                    },
                )
        return created_count
