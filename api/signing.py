"""Signed JSON over HTTP, the one way this project posts to another system (the OEM's report webhook and the
dealer's webhooks for other systems): HMAC-SHA256 of "timestamp.body" in a header, the timestamp against replay,
an id the receiver uses to take a repeated delivery as the same one."""

import hashlib
import hmac
import json
import time

import requests
from django.conf import settings

SIGNATURE_HEADER = "X-CAC-Signature"
TIMESTAMP_HEADER = "X-CAC-Timestamp"
REPORT_HEADER = "X-CAC-Report-Id"
DELIVERY_HEADER = "X-CAC-Delivery-Id"


class DeliveryFailed(Exception):
    """The receiver did not take it (not a 2xx, a timeout, a refused connection, a failed mail)."""


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of `timestamp.body`: the receiver recomputes it and refuses old timestamps (replay)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def post_signed(*, url: str, secret: str, payload: dict, id_header: str, delivery_id: str) -> None:
    """POST the payload as signed JSON; raises DeliveryFailed unless the answer is a 2xx."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret=secret, timestamp=timestamp, body=body),
        id_header: delivery_id,
    }
    try:
        response = requests.post(url, data=body, headers=headers, timeout=settings.OEM_WEBHOOK_TIMEOUT)
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:500]) from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"HTTP {response.status_code}: {response.text[:200]}")
