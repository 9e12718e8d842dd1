"""The call events a line's phone system pushes (the generic CTI format: `newCall`, `answer`, `hangup`).

Guarantee: whatever the order, number and lateness of a call's events, the line keeps one `CtiCall` per callId and
it converges to the same state. The row is made with an INSERT that ignores the unique (line, callId) conflict and
then locked, so concurrent events of one call wait for each other; each event only fills what is still empty (times
take the earliest), except `answer`, whose agent is the last one to take the call (a transfer). An unknown callId
on `hangup` still makes the row. A number on the line's block list is answered `reject` and nothing is written."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cac import roles
from cac.cti.lines import cti_line_blocks
from cac.desk.phones import normalize_phone, phone_digits
from cac.models import CallLog, CtiCall, CtiLine, Customer, User

EVENTS = ("newCall", "answer", "hangup")
MAX_NUMBER = 40
MAX_USERS = 20
REJECT = {"action": "reject"}


@dataclass(frozen=True)
class CtiEvent:
    event: str
    call_id: str
    direction: str
    from_number: str
    to_number: str
    users: tuple[str, ...]
    queue: str
    answering_number: str
    cause: str
    recording_url: str

    @property
    def caller_side(self) -> str:
        """The customer's number: the caller of an inbound call, the called party of an outbound one."""
        return self.to_number if self.direction == CtiCall.Direction.OUTBOUND else self.from_number


def _one(values: Mapping[str, Sequence[str]], name: str, *, max_length: int, errors: dict) -> str:
    items = values.get(name) or []
    value = str(items[-1]).strip() if items else ""
    if len(value) > max_length:
        errors[name] = [_("Send at most %(n)d characters.") % {"n": max_length}]
        return ""
    if value and not value.isprintable():
        errors[name] = [_("Send printable characters only.")]
        return ""
    return value


def cti_event_parse(values: Mapping[str, Sequence[str]]) -> CtiEvent:
    """The event in `values` (each name to its list of values, as a form sends them), or a ValidationError naming
    every bad field."""
    errors: dict[str, list[str]] = {}
    event = _one(values, "event", max_length=20, errors=errors)
    call_id = _one(values, "callId", max_length=64, errors=errors)
    if not event and "event" not in errors:
        errors["event"] = [_("Send the event: newCall, answer or hangup.")]
    elif event and event not in EVENTS:
        errors["event"] = [_("Unknown event “%(event)s”: send newCall, answer or hangup.") % {"event": event}]
    if not call_id and "callId" not in errors:
        errors["callId"] = [_("Send the call's callId.")]
    direction = _one(values, "direction", max_length=3, errors=errors)
    if direction and direction not in CtiCall.Direction.values:
        errors["direction"] = [_("Send in or out.")]
    numbers = {name: _one(values, name, max_length=MAX_NUMBER, errors=errors) for name in ("from", "to")}
    answering = _one(values, "answeringNumber", max_length=MAX_NUMBER, errors=errors)
    queue = _one(values, "queue", max_length=60, errors=errors)
    cause = _one(values, "cause", max_length=20, errors=errors)
    recording_url = _one(values, "recordingUrl", max_length=500, errors=errors)
    if recording_url:
        try:
            URLValidator(schemes=["http", "https"])(recording_url)
        except ValidationError:
            errors["recordingUrl"] = [_("Send an http or https link.")]
    users = [str(user).strip() for name in ("user[]", "user") for user in values.get(name) or [] if str(user).strip()]
    if len(users) > MAX_USERS or any(len(user) > 254 or not user.isprintable() for user in users):
        errors["user"] = [_("Send at most %(n)d users, each a username, extension or e-mail.") % {"n": MAX_USERS}]
    if errors:
        raise ValidationError(errors)
    return CtiEvent(
        event=event,
        call_id=call_id,
        direction=direction,
        from_number=numbers["from"],
        to_number=numbers["to"],
        users=tuple(dict.fromkeys(users)),
        queue=queue,
        answering_number=answering,
        # A cause this version does not know is not worth refusing the call for: it is left empty.
        cause=cause if cause in CtiCall.Cause.values else "",
        recording_url=recording_url,
    )


def _stored_phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except ValidationError:
        return phone_digits(raw)[:MAX_NUMBER]  # an extension, "anonymous" or a foreign number: kept as sent


def line_agents(*, line: CtiLine, names: Sequence[str]) -> list[User]:
    """The line's dealer's active staff named by extension, username or e-mail."""
    names = [name for name in names if name]
    if not names:
        return []
    condition = reduce(or_, [Q(email__iexact=name) for name in names if "@" in name], Q(extension__in=names))
    condition |= Q(username__in=names)
    staff = User.objects.filter(condition, is_active=True, is_integration=False, dealers=line.dealer_id)
    return list(staff.distinct().order_by("pk"))


def line_default_agents(*, line: CtiLine):
    """Whom a call rings for when the phone system names nobody: the line's dealer's agents."""
    return User.objects.filter(is_active=True, dealers=line.dealer_id, groups__name=roles.AGENT)


def _fill(call: CtiCall, event: CtiEvent, changed: set[str]) -> None:
    for name, value in (
        ("direction", event.direction),
        ("from_number", event.from_number),
        ("to_number", event.to_number),
        ("queue", event.queue),
    ):
        if value and not getattr(call, name):
            setattr(call, name, value)
            changed.add(name)
    if not call.phone and (call.from_number or call.to_number):
        side = call.to_number if call.direction == CtiCall.Direction.OUTBOUND else call.from_number
        call.phone = _stored_phone(side)
        changed.add("phone")
        if call.phone:
            call.customer = (
                Customer.objects.filter(dealer_id=call.dealer_id, mobile=call.phone).only("pk").first()
                or Customer.objects.filter(dealer_id=call.dealer_id, other_phones__contains=call.phone)
                .exclude(other_phones="")
                .only("pk")
                .first()
            )
            changed.add("customer")


@transaction.atomic
def cti_event_record(*, line: CtiLine, event: CtiEvent) -> dict:
    """Write `event` into its call of `line` and return the answer for the phone system."""
    if cti_line_blocks(line, event.caller_side):
        return REJECT
    now = timezone.now()
    CtiCall.objects.bulk_create(
        [CtiCall(line=line, dealer_id=line.dealer_id, call_id=event.call_id, started_at=now)], ignore_conflicts=True
    )
    call = CtiCall.objects.select_for_update().get(line=line, call_id=event.call_id)
    changed: set[str] = set()
    _fill(call, event, changed)
    named = line_agents(line=line, names=event.users)
    if event.event == "answer":
        answered_at = min(now, call.ended_at) if call.ended_at else now
        if call.answered_at is None or answered_at < call.answered_at:
            call.answered_at = answered_at
            changed.add("answered_at")
        taker = line_agents(line=line, names=[event.answering_number])[:1] or named[:1]
        if taker and call.answered_by_id != taker[0].pk:
            call.answered_by = taker[0]
            changed.add("answered_by")
    elif event.event == "hangup":
        if call.ended_at is None:
            call.ended_at = now
            changed.add("ended_at")
        if event.cause and not call.cause:
            call.cause = event.cause
            changed.add("cause")
        if event.recording_url and not call.recording_url:
            call.recording_url = event.recording_url
            changed.add("recording_url")
    if changed:
        call.save(update_fields=sorted(changed))
    if named:
        call.agents.add(*named)
    if call.ended_at is not None and changed & {"ended_at", "answered_at", "recording_url"}:
        _complete_logged_call(call)
    return {}


def _complete_logged_call(call: CtiCall) -> None:
    """A call the agent logged while it was still on gets the phone system's duration and recording link."""
    logged = CallLog.objects.select_for_update().filter(dealer_id=call.dealer_id, external_id=call.call_id).first()
    if logged is None:
        return
    changed = []
    if call.duration_seconds is not None and logged.duration_seconds != call.duration_seconds:
        logged.duration_seconds = call.duration_seconds
        changed.append("duration_seconds")
    if call.recording_url and not logged.recording_url and len(call.recording_url) <= 200:
        logged.recording_url = call.recording_url
        changed.append("recording_url")
    if changed:
        logged._change_reason = "phone system: " + ", ".join(changed)
        logged.save(update_fields=[*changed, "updated_at"])


def cti_values(data) -> dict[str, list[str]]:
    """A parsed body (a form's QueryDict or a JSON object) as each name to its list of values."""
    if hasattr(data, "getlist"):
        return {name: data.getlist(name) for name in data}
    if not isinstance(data, dict):
        raise ValidationError({"detail": [_("Send the event's fields as a form or a JSON object.")]})
    return {
        str(name): [str(item) for item in value] if isinstance(value, list) else [str(value)]
        for name, value in data.items()
        if value is not None
    }
