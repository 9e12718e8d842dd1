"""How long a signed-in session lasts: CAC_SESSION_IDLE_SECONDS without a request (a sliding expiry: each request
extends it), and CAC_SESSION_MAX_SECONDS after signing in, whatever the activity. A password change ends every
other session of the user by itself (Django's session auth hash, checked by AuthenticationMiddleware)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext as _

STARTED = "cac_signed_in_at"
SEEN = "cac_seen_at"
# The session row is written again at most this often, not on every request: the expiry slides by the minute.
REFRESH_SECONDS = 60


def _start(sender, request, user, **kwargs):
    now = time.time()
    request.session[STARTED] = now
    request.session[SEEN] = now


def connect() -> None:
    user_logged_in.connect(_start, dispatch_uid="cac-session-start")


def _background(request) -> bool:
    """A request the page makes by itself (the screen pop's stream reconnecting): it is no sign of a person."""
    return request.path == reverse("screen_pop_stream")


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            started = session.get(STARTED)
            seen = session.get(SEEN, started)
            if started is None:
                session[STARTED] = session[SEEN] = now
            elif now - seen > settings.CAC_SESSION_IDLE_SECONDS or now - started > settings.CAC_SESSION_MAX_SECONDS:
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect_to_login(request.get_full_path())
            elif now - seen > REFRESH_SECONDS and not _background(request):
                session[SEEN] = now
        return self.get_response(request)
