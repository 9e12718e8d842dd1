"""The one attempts rule (seed 000): when nobody answers, try again in a different time slot; after failed attempts
in three different slots the customer is unreachable. Follow-up calls and prospects both use it.

Two failed attempts in the same slot count as one slot, and the next attempt is offered no earlier than the start
of the next slot. The slots and the number of slots are configurable (settings.CAC_CONTACT_SLOTS,
settings.CAC_UNREACHABLE_AFTER_SLOTS)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _


class Slot(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


class AttemptResult(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DECLINED = "declined", _("Declined phone follow-up")


FAILED_RESULTS = {AttemptResult.NO_ANSWER, AttemptResult.BUSY}


def slot_bounds() -> list[tuple[str, time, time]]:
    """(slot, start, end) in local time, in the order of the day."""
    return [
        (name, time.fromisoformat(start), time.fromisoformat(end)) for name, start, end in settings.CAC_CONTACT_SLOTS
    ]


def slot_of(moment: datetime, zone: ZoneInfo) -> str | None:
    """The slot a moment falls in, or None outside every slot (at night)."""
    local = moment.astimezone(zone).time()
    for name, start, end in slot_bounds():
        if start <= local < end:
            return name
    return None


def next_slot_start(moment: datetime, zone: ZoneInfo) -> datetime:
    """When calls may be made again after `moment`: `moment` itself inside a slot, else the next slot's start
    (the first slot of the next day after the last one has ended)."""
    local = moment.astimezone(zone)
    if slot_of(local, zone) is not None:
        return local
    for _name, start, _end in slot_bounds():
        if local.time() < start:
            return datetime.combine(local.date(), start, tzinfo=zone)
    return datetime.combine(local.date() + timedelta(days=1), slot_bounds()[0][1], tzinfo=zone)


def latest_slot_moment(before: datetime, zone: ZoneInfo) -> datetime:
    """The latest whole minute at or before `before` inside a slot: `before` itself (to the minute) inside a slot,
    else the last minute of the slot that ended most recently (yesterday's last one before the first slot)."""
    local = moment = before.astimezone(zone).replace(second=0, microsecond=0)
    if slot_of(moment, zone) is not None:
        return moment
    for _name, _start, end in reversed(slot_bounds()):
        if end <= local.time():
            return datetime.combine(local.date(), end, tzinfo=zone) - timedelta(minutes=1)
    return datetime.combine(local.date() - timedelta(days=1), slot_bounds()[-1][2], tzinfo=zone) - timedelta(minutes=1)


def _next_untried_slot_start(moment: datetime, zone: ZoneInfo, after_slot: str, tried: set[str]) -> datetime:
    """Start of the first slot after `after_slot` that has not failed yet, today or on a following day."""
    local = moment.astimezone(zone)
    bounds = slot_bounds()
    names = [name for name, _start, _end in bounds]
    index = names.index(after_slot)
    for step in range(1, 2 * len(bounds) + 1):
        name, start, _end = bounds[(index + step) % len(bounds)]
        if name not in tried:
            day = local.date() + timedelta(days=(index + step) // len(bounds))
            return datetime.combine(day, start, tzinfo=zone)
    # Every slot has failed: the caller marks the customer unreachable before asking.
    day = local.date() + timedelta(days=1)
    return datetime.combine(day, bounds[0][1], tzinfo=zone)


@dataclass(frozen=True)
class AttemptsState:
    failed_slots: frozenset[str]
    unreachable: bool
    next_attempt_at: datetime | None  # None: may be tried now (or nothing more to try)
    last_slot: str | None


def attempts_state(attempts: Iterable[tuple[datetime, str, str]], *, zone: ZoneInfo) -> AttemptsState:
    """Evaluate attempts given as (time, slot, result), oldest first.

    Unreachable once failed attempts cover `CAC_UNREACHABLE_AFTER_SLOTS` different slots. A wrong number makes the
    customer unreachable at once: there is nobody to try again."""
    needed = settings.CAC_UNREACHABLE_AFTER_SLOTS
    failed_slots: set[str] = set()
    last_time, last_slot, last_failed = None, None, False
    for at, slot, result in attempts:
        last_time, last_slot = at, slot
        last_failed = result in FAILED_RESULTS
        if result == AttemptResult.WRONG_NUMBER:
            return AttemptsState(frozenset(failed_slots), True, None, slot)
        if last_failed:
            failed_slots.add(slot)
    unreachable = len(failed_slots) >= needed
    next_at = None
    if last_failed and not unreachable and last_time is not None and last_slot is not None:
        next_at = _next_untried_slot_start(last_time, zone, last_slot, failed_slots)
    return AttemptsState(frozenset(failed_slots), unreachable, next_at, last_slot)


def attempt_slot(*, at: datetime, zone: ZoneInfo, next_attempt_at: datetime | None, result: str, outside: str) -> str:
    """The contact-attempt protocol shared by follow-up calls and prospects, checked before an attempt is recorded:
    it is made in a call slot of the dealer's day (else `outside`, given the next slot's start as `when`, is
    the error), and not before `next_attempt_at`
    unless the customer answered (reached, or declined the call). Returns the attempt's slot."""
    slot = slot_of(at, zone)
    if slot is None:
        raise ValidationError(
            outside % {"when": formats.date_format(next_slot_start(at, zone), "SHORT_DATETIME_FORMAT")}
        )
    if next_attempt_at and at < next_attempt_at and result not in (AttemptResult.REACHED, AttemptResult.DECLINED):
        raise ValidationError(
            _("Try again in another time slot, from %(when)s.")
            % {"when": formats.date_format(timezone.localtime(next_attempt_at, zone), "SHORT_DATETIME_FORMAT")}
        )
    return slot
