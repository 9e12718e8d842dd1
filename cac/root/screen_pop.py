"""The screen pop: a short-lived Server-Sent Events stream of the calls ringing for the agent.

Why short-lived: the web workers are synchronous (gunicorn threads, `runserver` under `make run`), so an open
stream holds a thread. Each stream polls the database (one indexed query every `CTI_POLL_SECONDS`) for at most
`CTI_STREAM_SECONDS` and then ends; the browser's EventSource reconnects by itself after the `retry` it was given.
With the connection pool (DATABASE_POOL_MAX_SIZE) the connection goes back to the pool between polls.
No broker or channel layer is needed, so it works the same on the embedded SQLite default and in docker-compose.

It belongs to the composition root because the pop shows the caller's open complaints and follow-ups owed."""

import json
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from cac.cti.selectors import screen_pop_calls
from cac.models import CtiCall, User
from cac.platform.views import role_required
from cac.security.privacy import phone_for
from callbacks import selectors as callback_selectors
from complaints import selectors as complaint_selectors


def _summary(*, user: User, call: CtiCall) -> dict:
    customer = call.customer
    if customer is None:
        url = reverse("call_new") + "?" + urlencode({"phone": call.phone, "cti": call.pk})
        return {"customer": _("Unknown caller"), "details": [], "url": url, "action": _("Log the new caller")}
    vehicles = [" ".join(filter(None, [v.model, v.plate])) for v in customer.vehicles.all()]
    details = vehicles[:3]
    if user.has_perm("complaints.view_complaint"):
        open_complaints = complaint_selectors.customer_open_complaints(user=user, customer_id=customer.pk).count()
        details.append(
            ngettext("%(n)d open complaint", "%(n)d open complaints", open_complaints) % {"n": open_complaints}
        )
    if user.has_perm("callbacks.view_callback"):
        owed = len(callback_selectors.customer_follow_ups(user=user, customer_id=customer.pk, recent=0).pending)
        details.append(ngettext("%(n)d follow-up owed", "%(n)d follow-ups owed", owed) % {"n": owed})
    url = reverse("customer_detail", args=[customer.pk]) + "?" + urlencode({"cti": call.pk})
    return {"customer": customer.name, "details": details, "url": url, "action": _("Open the customer")}


def _state(call: CtiCall) -> str:
    if call.ended_at is not None:
        return _("Ended: log the call")
    if call.answered_at is not None:
        return _("Answered")
    return _("Ringing")


def screen_pop_payload(*, user: User, call: CtiCall) -> dict:
    title = _("Incoming call") if call.direction != CtiCall.Direction.OUTBOUND else _("Outgoing call")
    return {
        "id": call.pk,
        "title": title,
        "state": _state(call),
        "phone": phone_for(call.phone, user),
        **_summary(user=user, call=call),
    }


class _Stream:
    """One stream's state between polls: what it showed last, and the payloads already made (a payload is made once
    per call and state, so an unchanged call costs no query beyond the poll's own)."""

    def __init__(self, user: User, language: str):
        self.user, self.language = user, language
        self.shown, self.payloads = None, {}

    def poll(self) -> str | None:
        """The next event to send, a heartbeat comment when nothing changed, or None when the database is gone
        (a restart, a failover): the stream ends and the browser reconnects after `retry`."""
        try:
            with translation.override(self.language):
                calls = screen_pop_calls(user=self.user)
                key = [(call.pk, call.answered_at is not None, call.ended_at is not None) for call in calls]
                if key == self.shown:
                    return ":\n\n"  # a comment the browser ignores: writing it is how a closed page ends the stream
                for call, state in zip(calls, key, strict=True):
                    if state not in self.payloads:
                        self.payloads[state] = screen_pop_payload(user=self.user, call=call)
                data = [self.payloads[state] for state in key]
        except DatabaseError:
            return None
        finally:
            if connection.settings_dict.get("OPTIONS", {}).get("pool"):
                connection.close()  # back to the pool between polls: a waiting stream holds no connection
        self.shown = key
        return f"event: calls\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _events(user: User, language: str):
    seconds, poll = settings.CTI_STREAM_SECONDS, settings.CTI_POLL_SECONDS
    deadline = time.monotonic() + seconds
    yield f"retry: {settings.CTI_RETRY_MS}\n\n"
    stream = _Stream(user, language)
    while (event := stream.poll()) is not None:
        yield event
        if time.monotonic() + poll > deadline:
            return
        time.sleep(poll)


@role_required("cac.add_calllog")
@require_GET
def screen_pop_stream(request):
    response = StreamingHttpResponse(
        _events(request.user, translation.get_language()), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    return response
