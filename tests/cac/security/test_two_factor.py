"""Two-factor sign-in for administrators, with real TOTP codes computed here (RFC 6238) from the key the
enrolment page shows."""

import hashlib
import hmac
import re
import struct
import time
from base64 import b32decode
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cac.models import User

PASSWORD = "pw-for-tests-only"
NOW = datetime(2026, 6, 30, 23, 59, 40, tzinfo=ZoneInfo("Asia/Shanghai"))


def totp(secret: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for a base32 key at a moment (RFC 6238, SHA-1, 30 s)."""
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


@pytest.fixture
def administrator(make_user, dealer):
    return make_user("admin", dealer, username="gz-admin", is_staff=True)


def _log_in(client: Client, username: str) -> None:
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302


def _enrol(client: Client) -> str:
    page = client.get(reverse("two_factor"), {"next": "/admin/"}).content.decode()
    assert re.search(r'id="totp-qr"><svg', page)  # the QR code, drawn on the server
    return re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1)


def test_the_administration_asks_an_administrator_for_a_second_factor(client, administrator):
    _log_in(client, "gz-admin")
    response = client.get("/admin/cac/customer/")
    assert response.status_code == 302
    assert response.url == reverse("two_factor") + "?next=%2Fadmin%2Fcac%2Fcustomer%2F"


def test_enrolment_confirms_the_device_with_a_real_code_and_opens_the_administration(client, administrator):
    with time_machine.travel(NOW, tick=False) as clock:
        _log_in(client, "gz-admin")
        secret = _enrol(client)
        assert not TOTPDevice.objects.filter(user=administrator, confirmed=True).exists()
        wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"
        response = client.post(reverse("two_factor"), {"token": wrong, "next": "/admin/"})
        assert response.status_code == 200
        assert "token" in response.context["form"].errors
        assert _enrol(client) == secret  # the same device until it is confirmed
        clock.shift(timedelta(seconds=2))  # django-otp makes one wait a little after a wrong code
        response = client.post(reverse("two_factor"), {"token": totp(secret), "next": "/admin/"})
        assert response.status_code == 302 and response.url == "/admin/"
        assert client.get("/admin/").status_code == 200
        assert TOTPDevice.objects.get(user=administrator).confirmed


def test_the_next_sign_in_asks_for_a_code_and_a_code_is_good_once(client, administrator):
    with time_machine.travel(NOW, tick=False) as clock:
        _log_in(client, "gz-admin")
        secret = _enrol(client)
        used = totp(secret)
        client.post(reverse("two_factor"), {"token": used})
        client.post(reverse("logout"))

        _log_in(client, "gz-admin")
        page = client.get(reverse("two_factor")).content.decode()
        assert "totp-qr" not in page and "totp-secret" not in page  # no new key once enrolled
        response = client.post(reverse("two_factor"), {"token": used, "next": "/admin/"})
        assert response.status_code == 200  # replayed
        assert client.get("/admin/").status_code == 302
        clock.shift(timedelta(seconds=30))  # past midnight and into July: the next code
        response = client.post(reverse("two_factor"), {"token": totp(secret), "next": "/admin/"})
        assert response.status_code == 302
        assert client.get("/admin/").status_code == 200


def test_a_superuser_needs_it_too(client, db):
    User.objects.create_superuser("operator", "op@example.com", PASSWORD)
    _log_in(client, "operator")
    assert client.get("/admin/").url.startswith(reverse("two_factor"))


def test_the_code_must_be_six_digits(client, administrator):
    _log_in(client, "gz-admin")
    _enrol(client)
    response = client.post(reverse("two_factor"), {"token": "abc"})
    assert "token" in response.context["form"].errors


def test_the_page_sends_back_only_to_this_site(client, administrator):
    with time_machine.travel(NOW, tick=False):
        _log_in(client, "gz-admin")
        secret = _enrol(client)
        response = client.post(reverse("two_factor"), {"token": totp(secret), "next": "https://evil.example/"})
        assert response.url == reverse("admin:index")


def test_the_two_factor_page_needs_a_signed_in_user(client):
    response = client.get(reverse("two_factor"))
    assert response.status_code == 302 and reverse("login") in response.url
