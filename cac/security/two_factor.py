"""Two-factor sign-in for administrators (django-otp, TOTP).

Superusers, staff and the `admin` role verify a TOTP device (an authenticator app on their phone) once per session
before any path of `CAC_TWO_FACTOR_PATHS` (/admin/) opens to them. Without a confirmed device they enrol first: the
page shows a QR code of the device's key (drawn here as SVG, nothing fetched from outside) and the key itself, and
the first right code confirms the device and verifies the session.
"""

from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from cac.models import User
from cac.roles import ADMIN

DEVICE_NAME = "authenticator"


def two_factor_required(*, user: User) -> bool:
    """Whether a user must verify a TOTP device to use the administration."""
    return user.is_superuser or user.is_staff or user.groups.filter(name=ADMIN).exists()


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def totp_device_enrol(*, user: User) -> TOTPDevice:
    """The user's device being enrolled: created once with a fresh key, kept until a right code confirms it."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_verify(*, device: TOTPDevice, token: str) -> bool:
    """Check a code; the first right one confirms a device being enrolled. A code is good once (django-otp)."""
    if not device.verify_token(token):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def qr_code_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return token


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


@login_required
def two_factor(request):
    """Verify a code, or enrol the first device and verify with it."""
    next_url = _next_url(request)
    if request.user.is_verified() or not two_factor_required(user=request.user):
        return redirect(next_url)
    device = totp_device_confirmed(user=request.user)
    enrolling = device is None
    if enrolling:
        device = totp_device_enrol(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_verify(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("token", _("This code is not right, or was used already. Enter the code shown now."))
    context = {"form": form, "next": next_url, "enrolling": enrolling}
    if enrolling:
        context["qr_code"] = qr_code_svg(device.config_url)
        context["secret"] = _base32(device.bin_key)
    response = render(request, "registration/two_factor.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _base32(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


class AdminTwoFactorMiddleware:
    """Sends an administrator who has not verified a device in this session to the two-factor page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(tuple(settings.CAC_TWO_FACTOR_PATHS))
            and not user.is_verified()
            and two_factor_required(user=user)
        ):
            return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
