"""Every read of complaints a view or report needs, scoped to the user's dealers."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cac import roles
from cac.desk.selectors import dealer_ids
from cac.models import CallLog, User, Vehicle
from cac.roles import ADMIN, DIRECTOR
from complaints.deadlines import ACKNOWLEDGE_DUE_SOON, DUE_SOON
from complaints.models import (
    OPEN_STATUSES,
    Attachment,
    AuthorityRequest,
    Category,
    Channel,
    Complaint,
    Department,
    EngineerDispatch,
    Escalation,
    EscalationLevel,
    KeyAttentionVehicle,
    Severity,
    Status,
    current_due_expression,
    department_manager_role,
)
from complaints.services import TRANSITIONS

HANDLE_PERMISSION = ("complaints", "handle_complaint")


def complaint_list(*, user: User) -> QuerySet[Complaint]:
    """Complaints of the user's dealers, with `current_due_at` (the deadline running now) annotated."""
    return (
        Complaint.objects.filter(dealer_id__in=dealer_ids(user=user))
        .select_related("customer", "vehicle", "owner", "dealer")
        .annotate(current_due=current_due_expression())
    )


def by_nearest_deadline(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Nearest running deadline first; complaints without one (resolved, closed, cancelled) last, newest first."""
    return queryset.order_by(F("current_due").asc(nulls_last=True), "-received_at", "-pk")


def complaint_open_list(*, user: User) -> QuerySet[Complaint]:
    return complaint_list(user=user).filter(status__in=OPEN_STATUSES).order_by("current_due", "pk")


def complaint_mine(*, user: User) -> QuerySet[Complaint]:
    """The open complaints this user handles, nearest deadline first."""
    return complaint_open_list(user=user).filter(owner=user)


def complaint_get(*, user: User, complaint_id: int) -> Complaint:
    return complaint_list(user=user).get(pk=complaint_id)


def complaint_detail(*, user: User, complaint_id: int) -> Complaint:
    """One complaint with its engineer dispatch (if any) in the same query."""
    return complaint_list(user=user).select_related("dispatch").get(pk=complaint_id)


def _at_risk(now: datetime) -> Q:
    """The running deadline is breached or due soon (a shorter window while waiting for acknowledgment)."""
    return Q(status=Status.NEW, current_due__lte=now + ACKNOWLEDGE_DUE_SOON) | (
        ~Q(status=Status.NEW) & Q(current_due__lte=now + DUE_SOON)
    )


def complaint_deadline_q(state: str, *, now: datetime) -> Q | None:
    """The state of the running deadline (breached, due_soon or on_time) as a condition on a queryset annotated
    with `current_due` (complaint_list); None for any other state."""
    soon = _at_risk(now)
    if state == "breached":
        return Q(current_due__lt=now)
    if state == "due_soon":
        return soon & Q(current_due__gte=now)
    if state == "on_time":
        return Q(current_due__isnull=False) & ~soon & Q(current_due__gte=now)
    return None


def complaint_filter_deadline(queryset: QuerySet[Complaint], state: str) -> QuerySet[Complaint]:
    """Filter by the state of the running deadline: breached, due_soon or on_time."""
    condition = complaint_deadline_q(state, now=timezone.now())
    return queryset if condition is None else queryset.filter(condition)


class AgeBucket:
    """The ageing buckets of open complaints, in whole days of the dealers' calendar (cac.platform.zones) since the
    day a complaint was received: received today is under a day old, whatever the hour; yesterday or the day before
    is 1–3 days; 3 to 6 days ago is 3–7; a week ago or longer is over 7. Half-open ranges, so that every complaint
    falls in exactly one."""

    UNDER_1 = "under_1"
    DAYS_1_3 = "1_3"
    DAYS_3_7 = "3_7"
    OVER_7 = "over_7"
    # bucket -> (at least, under) days old; None: no upper bound.
    DAYS = {UNDER_1: (0, 1), DAYS_1_3: (1, 3), DAYS_3_7: (3, 7), OVER_7: (7, None)}
    LABELS = {
        UNDER_1: gettext_lazy("< 1 day"),
        DAYS_1_3: gettext_lazy("1–3 days"),
        DAYS_3_7: gettext_lazy("3–7 days"),
        OVER_7: gettext_lazy("> 7 days"),
    }


def _start_of_day(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def complaint_age_q(bucket: str, *, now: datetime, zone) -> Q:
    """The one definition of a complaint's ageing bucket (AgeBucket), as a condition on `received_at`."""
    at_least, under = AgeBucket.DAYS[bucket]
    today = timezone.localtime(now, zone).date()
    condition = Q(received_at__lt=_start_of_day(today - timedelta(days=at_least - 1), zone))
    if under is not None:
        condition &= Q(received_at__gte=_start_of_day(today - timedelta(days=under - 1), zone))
    return condition


def escalated_on_q(day: date, *, zone) -> Q:
    """Complaints raised a level (an Escalation row, by hand or by the deadline sweep) during `day` in `zone`."""
    escalations = Escalation.objects.filter(
        complaint=OuterRef("pk"),
        escalated_at__gte=_start_of_day(day, zone),
        escalated_at__lt=_start_of_day(day + timedelta(days=1), zone),
    )
    return Q(Exists(escalations))


class TriageGroup:
    URGENT = 0  # escalated, reopened, or the deadline is breached or due soon
    TO_ASSIGN = 1  # no handler yet, or not acknowledged yet
    NEW = 2  # acknowledged (and perhaps assigned at once), the investigation not started yet


def triage_departments(*, user: User) -> list[str]:
    """The departments whose board a user sees: those they manage (the sales manager purchases, the service manager
    the rest); a director or an administrator, who manages no single department, sees all."""
    groups = set(roles.role_names(user)) if not user.is_superuser else set()
    mine = [department for department in Department.values if department_manager_role(department) in groups]
    if not mine or groups & {DIRECTOR, ADMIN} or user.is_superuser:
        return list(Department.values)
    return mine


def complaint_triage(*, user: User) -> QuerySet[Complaint]:
    """The managers' board: every complaint of the user's departments that is unresolved and not simply on track —
    escalated, reopened, breached or due soon first (the deadline states of `_at_risk`, the one definition), then
    those without a handler or not yet acknowledged, then those acknowledged but not yet investigated (a new
    complaint stays on the board after it was acknowledged and assigned). Each row carries `triage` (a TriageGroup)."""
    urgent = Q(escalation_level__gt=EscalationLevel.AGENT) | Q(status=Status.REOPENED) | _at_risk(timezone.now())
    to_assign = Q(owner__isnull=True) | Q(status=Status.NEW)
    return (
        complaint_list(user=user)
        .filter(status__in=OPEN_STATUSES, department__in=triage_departments(user=user))
        .annotate(
            triage=Case(
                When(urgent, then=Value(TriageGroup.URGENT)),
                When(to_assign, then=Value(TriageGroup.TO_ASSIGN)),
                When(status=Status.ACKNOWLEDGED, then=Value(TriageGroup.NEW)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .filter(triage__lte=TriageGroup.NEW)
        .order_by("triage", "-escalation_level", "current_due", "pk")
    )


SEARCH_LIMIT = 10


def complaint_search(*, user: User, query: str, limit: int = SEARCH_LIMIT) -> list[Complaint]:
    """Complaints of the user's dealers whose number or OEM reference starts with the query (the global search);
    the newest first."""
    text = (query or "").replace("\x00", "").strip()
    if len(text) < 3:
        return []
    references = Q(oem_reference__startswith=text) | Q(oem_reference__startswith=text.upper())
    condition = Q(number__startswith=text.upper()) | (
        references & ~Q(oem_reference="")
    )  # the partial index's condition
    return list(complaint_list(user=user).filter(condition).order_by("-received_at", "-pk")[:limit])


def customer_open_complaints(*, user: User, customer_id: int) -> QuerySet[Complaint]:
    """The customer's complaints not yet closed or cancelled (a resolved one still waits for its follow-up call),
    nearest running deadline first."""
    return by_nearest_deadline(
        complaint_list(user=user).filter(customer_id=customer_id).exclude(status__in=[Status.CLOSED, Status.CANCELLED])
    )


def vehicles_with_key_attention() -> QuerySet[Vehicle]:
    """Vehicles annotated with `on_key_attention`: on the key-attention list now (重点关注车辆), for the 360's badge."""
    active = KeyAttentionVehicle.objects.filter(vehicle=OuterRef("pk"), released_at__isnull=True)
    return Vehicle.objects.annotate(on_key_attention=Exists(active))


def key_attention_list(*, user: User) -> QuerySet[KeyAttentionVehicle]:
    return (
        KeyAttentionVehicle.objects.filter(dealer_id__in=dealer_ids(user=user), released_at__isnull=True)
        .select_related("vehicle", "vehicle__customer", "responsible", "dealer")
        .prefetch_related("complaints")
    )


def complaint_handler_list(*, user: User, dealer_id: int | None = None) -> QuerySet[User]:
    """Active staff of the user's dealers (or of one of them) whose role may handle complaints."""
    app_label, codename = HANDLE_PERMISSION
    ids = dealer_ids(user=user)
    if dealer_id is not None:
        ids = [dealer_id] if dealer_id in ids else []
    may_handle = (
        Q(is_superuser=True)
        | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
        | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    )
    return (
        User.objects.filter(is_active=True, is_integration=False, dealers__in=ids)
        .filter(may_handle)
        .distinct()
        .order_by("first_name", "username")
    )


def complaint_staff_choices(*, user: User, dealer_id: int) -> QuerySet[User]:
    """The staff a complaint of the dealer may be about (当事人): its active people, of any role."""
    if dealer_id not in dealer_ids(user=user):
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, is_integration=False, dealers=dealer_id)
        .distinct()
        .order_by("first_name", "username")
    )


def complaint_staff_for_forms(*, user: User, dealer_id: int) -> list[User]:
    """The dealer's staff for the detail page's two choices in one query: every one may be the staff member
    complained about, those with `may_handle` (complaint_handler_list, the one rule) may be given the complaint."""
    handlers = complaint_handler_list(user=user, dealer_id=dealer_id).filter(pk=OuterRef("pk"))
    return list(
        complaint_staff_choices(user=user, dealer_id=dealer_id).annotate(may_handle=Exists(handlers.values("pk")))
    )


def authority_request_get(*, user: User, request_id: int) -> AuthorityRequest:
    """An OEM authorisation request of a complaint of the user's dealers, or AuthorityRequest.DoesNotExist."""
    return AuthorityRequest.objects.get(pk=request_id, complaint__dealer_id__in=dealer_ids(user=user))


def attachment_get(*, user: User, attachment_id: int) -> Attachment:
    """An attachment of a complaint of the user's dealers, or Attachment.DoesNotExist."""
    return Attachment.objects.select_related("complaint").get(
        pk=attachment_id, complaint__dealer_id__in=dealer_ids(user=user)
    )


# --- The timeline of the detail page --------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # history, call, escalation, attachment, dispatch
    title: str
    who: object = None
    text: str = ""
    obj: object = None


@dataclass
class ComplaintRecord:
    """Everything the detail page shows around a complaint, read in one query per kind."""

    calls: list[CallLog]
    escalations: list[Escalation]
    attachments: list[Attachment]
    dispatch: EngineerDispatch | None
    timeline: list[TimelineEntry] = field(default_factory=list)
    authority_requests: list[AuthorityRequest] = field(default_factory=list)


# What the manager's 识别 corrects, with the labels of its values (the staff member is named from the row).
IDENTIFIED = {"category": Category, "department": Department, "severity": Severity, "channel": Channel}


def _identified_text(previous, record) -> str:
    """ "Category: Service attitude → Purchase; …" for what an identification changed."""
    parts = []
    for name, choices in IDENTIFIED.items():
        old, new = getattr(previous, name), getattr(record, name)
        if old != new:
            parts.append(
                _("%(field)s: %(old)s → %(new)s")
                % {
                    "field": Complaint._meta.get_field(name).verbose_name,
                    "old": choices(old).label if old in choices.values else old,
                    "new": choices(new).label if new in choices.values else new,
                }
            )
    if previous.staff_involved_id != record.staff_involved_id:
        parts.append(
            _("%(field)s: %(old)s → %(new)s")
            % {
                "field": Complaint._meta.get_field("staff_involved").verbose_name,
                "old": previous.staff_involved or "—",
                "new": record.staff_involved or "—",
            }
        )
    return "; ".join(parts)


def _history_entries(complaint: Complaint) -> list[TimelineEntry]:
    records = list(
        complaint.history.select_related("history_user", "owner", "staff_involved").order_by(
            "history_date", "history_id"
        )
    )
    tracked = [f for f in Complaint._meta.concrete_fields if f.name not in ("updated_at", "created_at")]
    entries = []
    previous = None
    for record in records:
        who = record.history_user
        step, note = record.history_step, record.history_note
        if previous is None:
            text = _("Received %(when)s · %(channel)s") % {
                "when": date_format(timezone.localtime(record.received_at), "SHORT_DATETIME_FORMAT"),
                "channel": Channel(record.channel).label,
            }
            entries.append(TimelineEntry(record.history_date, "history", _("Complaint recorded"), who, text, record))
            previous = record
            continue
        changed = [f for f in tracked if getattr(previous, f.attname) != getattr(record, f.attname)]
        names = {f.name for f in changed}
        if step == "identify":
            text = " · ".join(part for part in (_identified_text(previous, record), note) if part)
            entries.append(
                TimelineEntry(record.history_date, "identify", _("Identified by the manager (识别)"), who, text, record)
            )
            previous = record
            continue
        if names and names <= {"escalation_level"}:
            previous = record  # the escalation row tells it, with its reason
            continue
        if "status" in names:
            text = _("%(old)s → %(new)s") % {"old": Status(previous.status).label, "new": Status(record.status).label}
            if note:
                text = f"{text} · {note}"
            title = str(TRANSITIONS.get(step, _("Status changed")))
            entries.append(TimelineEntry(record.history_date, "history", title, who, text, obj=record))
        elif "owner" in names:
            entries.append(
                TimelineEntry(
                    record.history_date,
                    "history",
                    _("Handler assigned"),
                    who,
                    _("Handled by %(name)s") % {"name": record.owner or "—"},
                    obj=record,
                )
            )
        elif names:
            labels = ", ".join(str(f.verbose_name) for f in changed if f.name != "owner")
            entries.append(TimelineEntry(record.history_date, "history", _("Details updated"), who, labels, obj=record))
        previous = record
    return entries


def complaint_dispatch(*, complaint: Complaint) -> EngineerDispatch | None:
    try:
        return complaint.dispatch
    except EngineerDispatch.DoesNotExist:
        return None


def complaint_record(*, complaint: Complaint) -> ComplaintRecord:
    """Calls, escalations, attachments, dispatch, the OEM authorisation requests and a timeline merging them with
    the history, newest first."""
    calls = list(complaint.calls.select_related("handled_by").order_by("-started_at", "-pk"))
    escalations = list(complaint.escalations.select_related("escalated_by"))
    attachments = list(complaint.attachments.select_related("uploaded_by"))
    dispatch = complaint_dispatch(complaint=complaint)
    # Asking the region raises the complaint to it: below that level there is nothing to read.
    authority_requests = (
        list(complaint.authority_requests.select_related("requested_by", "answered_by"))
        if complaint.escalation_level >= EscalationLevel.OEM_REGION
        else []
    )
    timeline = _history_entries(complaint)
    for authority in authority_requests:
        timeline.append(
            TimelineEntry(
                authority.requested_at,
                "authority",
                _("OEM region asked: %(kind)s") % {"kind": authority.get_kind_display()},
                authority.requested_by,
                authority.request,
                authority,
            )
        )
        if authority.answered_at:
            timeline.append(
                TimelineEntry(
                    authority.answered_at,
                    "authority",
                    _("OEM region answered: %(answer)s (%(kind)s)")
                    % {"answer": authority.get_answer_display(), "kind": authority.get_kind_display()},
                    authority.answered_by,
                    authority.answer_note,
                    authority,
                )
            )
    for call in calls:
        title = _("%(direction)s call · %(purpose)s") % {
            "direction": call.get_direction_display(),
            "purpose": call.get_purpose_display(),
        }
        timeline.append(TimelineEntry(call.started_at, "call", title, call.handled_by, call.summary, call))
    for escalation in escalations:
        timeline.append(
            TimelineEntry(
                escalation.escalated_at,
                "escalation",
                _("Escalated: %(from)s → %(to)s")
                % {
                    "from": escalation.get_from_level_display(),
                    "to": escalation.get_to_level_display(),
                },
                escalation.escalated_by,
                " · ".join(part for part in (escalation.get_reason_display(), escalation.note) if part),
                escalation,
            )
        )
    for attachment in attachments:
        timeline.append(
            TimelineEntry(
                attachment.uploaded_at,
                "attachment",
                _("Evidence added: %(kind)s") % {"kind": attachment.get_kind_display()},
                attachment.uploaded_by,
                attachment.description or attachment.original_name,
                attachment,
            )
        )
    if dispatch is not None:
        if dispatch.called_at:
            timeline.append(
                TimelineEntry(
                    dispatch.called_at,
                    "dispatch",
                    _("Regional engineer called"),
                    None,
                    dispatch.engineer,
                    dispatch,
                )
            )
        if dispatch.arrived_at:
            timeline.append(
                TimelineEntry(
                    dispatch.arrived_at,
                    "dispatch",
                    _("Engineer arrived on site"),
                    None,
                    dispatch.appraisal_result,
                    dispatch,
                )
            )
    timeline.sort(key=lambda entry: entry.at, reverse=True)
    return ComplaintRecord(calls, escalations, attachments, dispatch, timeline, authority_requests)
