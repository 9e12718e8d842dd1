"""The screen pop: a short-lived Server-Sent Events stream of the calls ringing for the agent.

Each stream polls the database (one indexed query every `CTI_POLL_SECONDS`) for at most `CTI_STREAM_SECONDS` and
then ends; the browser's EventSource reconnects by itself after the `retry` it was given. No broker or channel layer
is needed, so it works the same on the embedded SQLite default and in docker-compose.

Two ways to serve it, one poll (`_Stream`):
- Under ASGI (the `events` service of docker-compose.yml: uvicorn, to which the proxy sends `/calls/ringing/`) the
  stream is an async iterator: it waits with `asyncio.sleep` and runs each poll through `sync_to_async`, in the
  thread Django gives each ASGI request for its sync middleware. An open page then costs a coroutine and a
  sleeping thread, not a worker process, and one process serves every agent's pages. The connection goes back (to
  the pool, DATABASE_POOL_MAX_SIZE) after each poll, and a client that goes away cancels the iterator: its polls
  stop at once.
- Under WSGI (`runserver` for `make run`, the tests' live server, gunicorn's sync workers of `web`) it is a plain
  generator, since Django would read an async iterator to its end before sending anything; an open stream holds a
  thread, which is why it is short-lived, and why docker-compose keeps it off the `web` workers.

It belongs to the composition root because the pop shows the caller's open complaints and follow-ups owed."""

import asyncio
import json
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
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
    per call and state, so an unchanged call costs no query beyond the poll's own).

    `release`: give the database connection back after each poll. Always under ASGI, where each stream polls from
    a thread of its own (the request's), so a kept connection would be one per open page; under WSGI only with
    the pool, since a worker thread otherwise keeps its one persistent connection (CONN_MAX_AGE) for every request."""

    def __init__(self, user: User, language: str, *, release: bool = False):
        self.user, self.language = user, language
        self.release = release or bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))
        self.shown, self.payloads = None, {}
        self.deadline = time.monotonic() + settings.CTI_STREAM_SECONDS

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
            if self.release:
                connection.close()  # a waiting stream holds no connection
        self.shown = key
        return f"event: calls\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    def wait(self) -> float | None:
        """Seconds until the next poll, or None when the next would come after the stream's end."""
        poll = settings.CTI_POLL_SECONDS
        return None if time.monotonic() + poll > self.deadline else poll


RETRY = "retry: {}\n\n"


def _events(user: User, language: str):
    """The stream under WSGI: a thread sleeps between polls."""
    yield RETRY.format(settings.CTI_RETRY_MS)
    stream = _Stream(user, language)
    while (event := stream.poll()) is not None:
        yield event
        if (wait := stream.wait()) is None:
            return
        time.sleep(wait)


async def _async_events(user: User, language: str):
    """The stream under ASGI: the event loop waits between polls; the poll runs in the request's thread. Django
    cancels the iterator when the client goes away (CancelledError at the await it is in), which ends the polls."""
    yield RETRY.format(settings.CTI_RETRY_MS)
    stream = _Stream(user, language, release=True)
    poll = sync_to_async(stream.poll)
    while (event := await poll()) is not None:
        yield event
        if (wait := stream.wait()) is None:
            return
        await asyncio.sleep(wait)


@role_required("cac.add_calllog")
@require_GET
def screen_pop_stream(request):
    events = _async_events if isinstance(request, ASGIRequest) else _events
    response = StreamingHttpResponse(events(request.user, translation.get_language()), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    return response
