"""The gateways' delivery receipts (短信状态报告): one endpoint per vendor, `POST /sms/receipts/<vendor>/<token>/`.

Neither gateway signs its receipt pushes, so the URL registered in the vendor's console carries a secret token:
HMAC-SHA256 of the vendor's name with CAC_SMS_RECEIPT_SECRET (SECRET_KEY when unset), compared in constant time
(`python manage.py sms_receipt_urls` prints the URLs). A wrong vendor or token is a 404 with nothing read; a body
that is not the vendor's receipt list is a 400 with nothing written; a good one is applied in one transaction
(`sms_receipt_record`, idempotent: the gateways push again until they are answered) and answered as the vendor
expects.

- Alibaba Cloud (HTTP batch push of SmsReport): a JSON list of `{"phone_number", "send_time", "report_time",
  "success", "err_code", "err_msg", "sms_size", "biz_id", "out_id"}`; answered `{"code": 0, "msg": "成功"}`.
- Tencent Cloud (短信回执): a JSON list of `{"user_receive_time", "nationcode", "mobile", "report_status"
  ("SUCCESS" | "FAIL"), "errmsg", "description", "sid"}`; answered `{"result": 0, "errmsg": "OK"}`."""

import hashlib
import hmac
import json
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cac.deadlines.sms import SmsReceipt, sms_receipt_record

logger = logging.getLogger(__name__)

# The gateways write their times in Beijing time.
GATEWAY_ZONE = ZoneInfo("Asia/Shanghai")
MAX_BODY = 1024 * 1024
MAX_RECEIPTS = 1000


class BadReceipt(ValueError):
    pass


def receipt_token(vendor: str) -> str:
    secret = (settings.CAC_SMS_RECEIPT_SECRET or settings.SECRET_KEY).encode()
    return hmac.new(secret, f"sms-receipt:{vendor}".encode(), hashlib.sha256).hexdigest()[:40]


def receipt_path(vendor: str) -> str:
    return reverse("sms_receipt", kwargs={"vendor": vendor, "token": receipt_token(vendor)})


def _time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=GATEWAY_ZONE)
    except ValueError as exc:
        raise BadReceipt(f"bad time {value!r}") from exc


def _text(item: dict, key: str, *, required: bool = False, limit: int = 300) -> str:
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise BadReceipt(f"{key} is missing")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool) or len(str(value)) > limit:
        raise BadReceipt(f"bad {key}")
    return str(value)


def _alibaba(item: dict) -> SmsReceipt:
    success = item.get("success")
    if not isinstance(success, bool):
        raise BadReceipt("success must be true or false")
    return SmsReceipt(
        reference=_text(item, "biz_id", required=True, limit=100),
        delivered=success,
        code=_text(item, "err_code", limit=60) or ("DELIVERED" if success else "UNKNOWN"),
        description=_text(item, "err_msg"),
        at=_time(item.get("report_time")),
    )


def _tencent(item: dict) -> SmsReceipt:
    status = _text(item, "report_status", required=True)
    if status not in ("SUCCESS", "FAIL"):
        raise BadReceipt("report_status must be SUCCESS or FAIL")
    return SmsReceipt(
        reference=_text(item, "sid", required=True, limit=100),
        delivered=status == "SUCCESS",
        code=_text(item, "errmsg", limit=60) or status,
        description=_text(item, "description"),
        at=_time(item.get("user_receive_time")),
    )


VENDORS = {
    "alibaba": (_alibaba, {"code": 0, "msg": "成功"}),
    "tencent": (_tencent, {"result": 0, "errmsg": "OK"}),
}


def parse_receipts(vendor: str, body: bytes) -> list[SmsReceipt]:
    """The receipts of a push body, all of them or a BadReceipt: a body is applied whole or not at all."""
    parse, _answer = VENDORS[vendor]
    if len(body) > MAX_BODY:
        raise BadReceipt("body too large")
    try:
        items = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadReceipt("malformed JSON") from exc
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items or len(items) > MAX_RECEIPTS:
        raise BadReceipt("expected a list of receipts")
    if not all(isinstance(item, dict) for item in items):
        raise BadReceipt("every receipt is an object")
    return [parse(item) for item in items]


@csrf_exempt
@require_POST
def sms_receipt(request, vendor: str, token: str):
    if vendor not in VENDORS or not hmac.compare_digest(token.encode(), receipt_token(vendor).encode()):
        raise Http404
    try:
        receipts = parse_receipts(vendor, request.body)
    except BadReceipt as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    changed = sms_receipt_record(gateway=vendor, receipts=receipts)
    logger.info("SMS receipts from %s: %s received, %s applied", vendor, len(receipts), changed)
    return JsonResponse(VENDORS[vendor][1], json_dumps_params={"ensure_ascii": False})
