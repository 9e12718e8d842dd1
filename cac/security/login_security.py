"""Login throttling (django-axes): which address a request comes from, what a locked-out person sees, and the log.

Axes counts failures per username and address (`AXES_LOCKOUT_PARAMETERS`) and refuses the pair for the cool-off
once `AXES_FAILURE_LIMIT` is reached; the right password is refused too until the cool-off has passed.
"""

import logging

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render
from django.utils.translation import ngettext

logger = logging.getLogger("cac.security")


def client_ip(request) -> str:
    """The client's address: the connection's, or with `CAC_TRUSTED_PROXY_COUNT` proxies in front, the address the
    outermost trusted proxy saw (counted from the right of X-Forwarded-For, so a client cannot choose its own)."""
    proxies = settings.CAC_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[max(len(hops) - proxies, 0)]
    return request.META.get("REMOTE_ADDR", "")


def lockout_message() -> str:
    minutes = max(int(settings.AXES_COOLOFF_TIME.total_seconds() // 60), 1)
    return ngettext(
        "Too many failed sign-ins for this user from this address. Try again in %(minutes)d minute, "
        "or ask your administrator to unlock the account.",
        "Too many failed sign-ins for this user from this address. Try again in %(minutes)d minutes, "
        "or ask your administrator to unlock the account.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the lockout explained in the user's language (HTTP 429)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    form.cleaned_data = {}
    form.add_error(None, lockout_message())
    context = {"form": form, "next": request.POST.get("next", request.GET.get("next", "")), "locked_out": True}
    return render(request, "registration/login.html", context, status=429)


def _log_login_failure(sender, credentials, request=None, **kwargs):
    logger.warning(
        "Login failed for %r from %s", credentials.get("username", ""), client_ip(request) if request else "-"
    )


def _log_lockout(sender, request, username, ip_address, **kwargs):
    logger.warning("Login locked out for %r from %s", username, ip_address)


def connect() -> None:
    from axes.signals import user_locked_out

    user_login_failed.connect(_log_login_failure, dispatch_uid="cac-log-login-failure")
    user_locked_out.connect(_log_lockout, dispatch_uid="cac-log-lockout")
