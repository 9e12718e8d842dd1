"""Every read of the phone system's calls a page needs, scoped to the user's dealers."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cac import roles
from cac.desk.selectors import dealer_ids
from cac.models import CallLog, CtiCall, User

RINGING_FOR = timedelta(minutes=2)  # a newCall never followed by an event stops ringing on the pages
TO_COMPLETE_FOR = timedelta(minutes=30)  # an answered call waits this long for its agent to log it
MISSED_SHOWN = 10


def cti_call_list(*, user: User) -> QuerySet[CtiCall]:
    return CtiCall.objects.filter(dealer_id__in=dealer_ids(user=user))


def cti_call_get(*, user: User, call_id: int) -> CtiCall:
    return cti_call_list(user=user).select_related("customer").get(pk=call_id)


def _logged():
    """A call of the CAC's log made for this phone-system call."""
    return Exists(CallLog.objects.filter(dealer_id=OuterRef("dealer_id"), external_id=OuterRef("call_id")))


def _rings_for(user: User) -> Q:
    """The calls ringing for `user`: named by the phone system, or for the line's agents when it named nobody."""
    through = CtiCall.agents.through
    named_me = Exists(through.objects.filter(cticall_id=OuterRef("pk"), user_id=user.pk))
    condition = Q(named_me)
    if roles.AGENT in roles.role_names(user):  # read once per request (the screen pop's stream asks on every poll)
        condition |= ~Exists(through.objects.filter(cticall_id=OuterRef("pk")))
    return condition


def screen_pop_calls(*, user: User, limit: int = 3) -> list[CtiCall]:
    """What the agent's pages pop: the calls ringing for them now, and those they answered and have not logged yet."""
    now = timezone.now()
    ringing = Q(answered_at__isnull=True, ended_at__isnull=True, started_at__gte=now - RINGING_FOR) & _rings_for(user)
    answered = Q(answered_by=user, started_at__gte=now - TO_COMPLETE_FOR) & ~_logged()
    calls = (
        cti_call_list(user=user)
        .filter(started_at__gte=now - TO_COMPLETE_FOR)
        .filter(ringing | answered)
        .select_related("customer")
        .order_by("-started_at", "-pk")
    )
    return list(calls[:limit])


def missed_q() -> Q:
    """The one definition of a missed call: inbound, ended, never answered."""
    return ~Q(direction=CtiCall.Direction.OUTBOUND) & Q(ended_at__isnull=False, answered_at__isnull=True)


def _returned():
    """A call to the number logged (or dialled out and answered) since the missed call: nothing is owed any more."""
    logged = CallLog.objects.filter(
        dealer_id=OuterRef("dealer_id"), phone=OuterRef("phone"), started_at__gte=OuterRef("started_at")
    )
    dialled = CtiCall.objects.filter(
        dealer_id=OuterRef("dealer_id"),
        phone=OuterRef("phone"),
        direction=CtiCall.Direction.OUTBOUND,
        answered_at__isnull=False,
        started_at__gte=OuterRef("started_at"),
    )
    return Exists(logged) | Exists(dialled)


def missed_calls_owed(*, user: User) -> QuerySet[CtiCall]:
    """Missed calls not yet returned: each a call-back owed, oldest first."""
    return (
        cti_call_list(user=user)
        .filter(missed_q())
        .exclude(phone="")
        .exclude(_returned())
        .select_related("customer")
        .order_by("started_at", "pk")
    )


def missed_calls_count(*, user: User) -> dict[str, int]:
    """How many missed calls are owed at the user's dealers, and how many of them rang for the user."""

    owed = missed_calls_owed(user=user).order_by()
    return owed.aggregate(all=Count("pk"), mine=Count("pk", filter=_rings_for(user)))


def cti_call_form_initial(*, user: User, call_id: str | None) -> dict:
    """The call form as the phone system knows the call: number, start, direction, duration and its callId."""
    if not call_id or not str(call_id).isdigit() or len(str(call_id)) > 18:
        return {}
    try:
        call = cti_call_list(user=user).get(pk=int(call_id))
    except CtiCall.DoesNotExist:
        return {}
    initial = {
        "phone": call.phone,
        "started_at": timezone.localtime(call.started_at).replace(microsecond=0),
        "direction": call.direction or CtiCall.Direction.INBOUND,
        "external_id": call.call_id,
    }
    if call.duration_seconds is not None:
        minutes, seconds = divmod(call.duration_seconds, 60)
        initial["duration"] = f"{minutes}:{seconds:02d}"
    return initial
