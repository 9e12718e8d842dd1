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
from django.db import connection
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


def _events(user: User, language: str):
    seconds, poll = settings.CTI_STREAM_SECONDS, settings.CTI_POLL_SECONDS
    deadline = time.monotonic() + seconds
    yield f"retry: {settings.CTI_RETRY_MS}\n\n"
    shown, payloads = None, {}
    pooled = bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))
    with translation.override(language):
        while True:
            calls = screen_pop_calls(user=user)
            key = [(call.pk, call.answered_at is not None, call.ended_at is not None) for call in calls]
            if key != shown:
                for call, state in zip(calls, key, strict=True):
                    if state not in payloads:
                        payloads[state] = screen_pop_payload(user=user, call=call)
                data = [payloads[state] for state in key]
                yield f"event: calls\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
                shown = key
            if time.monotonic() + poll > deadline:
                return
            if pooled:
                connection.close()  # back to the pool between polls: a waiting stream holds no connection
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
