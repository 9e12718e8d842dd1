"""Every write of complaints. Each runs in one transaction, locks the row it changes and records who and why."""

import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_fsm import TransitionNotAllowed, has_transition_perm

from cac.desk.selectors import dealer_ids, dealer_staff
from cac.models import CallLog, Customer, Dealer, User, Vehicle
from cac.platform.history import save_with_history
from cac.platform.queue import enqueue_on_commit
from cac.platform.validation import check_choices
from cac.roles import DIRECTOR
from cac.seams import complaint_changed, complaint_resolved
from cac.security.uploads import AUDIO, DOCUMENTS, IMAGES, CheckedUpload, upload_check
from cac.texts import text
from complaints.deadlines import deadlines_for
from complaints.models import (
    HANDLE,
    MANAGE,
    MANAGER_CLOSE_KINDS,
    OPEN_STATUSES,
    UNRESOLVED_STATUSES,
    Attachment,
    AuthorityRequest,
    Category,
    Channel,
    CloseKind,
    Complaint,
    Department,
    EngineerDispatch,
    Escalation,
    EscalationLevel,
    KeyAttentionVehicle,
    ResolutionType,
    RootCauseClass,
    Severity,
    Status,
    department_manager_role,
)

logger = logging.getLogger(__name__)

SALES_CATEGORIES = {Category.PURCHASE}
SALES_CHANNELS = {Channel.SALES_FOLLOW_UP}
KEY_ATTENTION_CATEGORIES = {Category.PRODUCT_QUALITY, Category.REPAIR_QUALITY}
# What each kind of evidence may be (checked by content, see cac/security/uploads.py), and its size limit.
ATTACHMENT_TYPES = {
    Attachment.Kind.PHOTO: (IMAGES, 10 * 1024 * 1024),
    Attachment.Kind.DOCUMENT: (DOCUMENTS, 10 * 1024 * 1024),
    Attachment.Kind.RECORDING: (AUDIO, 20 * 1024 * 1024),
}


def department_for(*, category: str, channel: str, department: str = "") -> str:
    """Routing (seed 003 §4): the side of the house the complaint is about. Named by whoever takes it — a
    salesperson's attitude is the showroom's, whatever the category — it is that side; else purchase complaints and
    sales follow-ups go to sales, everything else to after-sales."""
    if department:
        return department
    if category in SALES_CATEGORIES or channel in SALES_CHANNELS:
        return Department.SALES
    return Department.AFTER_SALES


def _check_staff_involved(staff_involved: User | None, *, dealer_id: int) -> None:
    """The staff member complained about (当事人) works for the complaint's dealer."""
    if staff_involved is None:
        return
    if not staff_involved.is_active or not staff_involved.dealers.filter(pk=dealer_id).exists():
        raise ValidationError(
            {"staff_involved": _("%(name)s does not work for this dealer.") % {"name": staff_involved}}
        )


def department_manager(*, dealer: Dealer, department: str) -> User | None:
    return dealer_staff(dealer=dealer, role=department_manager_role(department)).first()


def _next_number(dealer: Dealer, received_at: datetime) -> str:
    # The dealer row is locked by the caller, so two complaints never take the same number.
    prefix = f"TS-{received_at.astimezone(ZoneInfo(dealer.time_zone)):%Y%m}-"
    last = (
        Complaint.objects.filter(dealer=dealer, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


@transaction.atomic
def complaint_create(
    *,
    customer: Customer,
    acting_user: User,
    channel: str,
    category: str,
    description: str,
    demand: str = "",
    severity: str = Severity.NORMAL,
    vehicle: Vehicle | None = None,
    received_at: datetime | None = None,
    call: CallLog | None = None,
    oem_reference: str = "",
    department: str = "",
    staff_involved: User | None = None,
) -> Complaint:
    """Open a complaint: number it, route it to the department's manager (the side named, else the one its category
    and channel say), set its deadlines, escalate a major or emergency one to the director, open an engineer
    dispatch for an emergency, and put the vehicle on the key-attention list when the category calls for it."""
    check_choices(Complaint, channel=channel, category=category, severity=severity)
    if department:
        check_choices(Complaint, department=department)
    if customer.dealer_id not in dealer_ids(user=acting_user):
        raise PermissionDenied(_("You do not work for this dealer."))
    if not acting_user.has_perm("complaints.add_complaint"):
        raise PermissionDenied(_("Your role cannot open complaints."))
    if vehicle is not None and vehicle.customer_id != customer.pk:
        raise ValidationError({"vehicle": _("This vehicle belongs to another customer.")})
    if call is not None and call.dealer_id != customer.dealer_id:
        raise ValidationError({"call": _("This call belongs to another dealer.")})
    _check_staff_involved(staff_involved, dealer_id=customer.dealer_id)
    dealer = Dealer.objects.select_for_update().get(pk=customer.dealer_id)
    received_at = received_at or timezone.now()
    department = department_for(category=category, channel=channel, department=department)
    acknowledge_due_at, resolve_due_at = deadlines_for(
        dealer=dealer, channel=channel, severity=severity, received_at=received_at
    )
    complaint = Complaint(
        dealer=dealer,
        number=_next_number(dealer, received_at),
        customer=customer,
        vehicle=vehicle,
        channel=channel,
        category=category,
        severity=severity,
        department=department,
        description=description,
        demand=demand,
        staff_involved=staff_involved,
        owner=department_manager(dealer=dealer, department=department),
        received_at=received_at,
        acknowledge_due_at=acknowledge_due_at,
        resolve_due_at=resolve_due_at,
        oem_reference=oem_reference,
    )
    complaint._history_user = acting_user
    complaint._change_reason = "received"
    complaint._history_step = "received"
    complaint.save()
    complaint._history_step = ""
    if call is not None:
        complaint.calls.add(call)
    if severity in (Severity.MAJOR, Severity.EMERGENCY):
        _escalate(complaint, to_level=EscalationLevel.DIRECTOR, reason=Escalation.Reason.MAJOR, note="", by=acting_user)
        save_with_history(
            complaint,
            acting_user=acting_user,
            reason="escalated: major",
            fields=["escalation_level"],
            step="escalate",
            note=Escalation.Reason.MAJOR,
        )
        _notify_director_on_commit(complaint)
    if severity == Severity.EMERGENCY:
        EngineerDispatch.objects.create(complaint=complaint)
    _put_on_key_attention(complaint)
    complaint_changed.send(
        sender=Complaint, complaint=complaint, event="created", previous_status="", acting_user=acting_user
    )
    return complaint


def _notify_director_on_commit(complaint: Complaint) -> None:
    enqueue_on_commit("complaints.tasks.complaint_notify_director", complaint_id=complaint.pk)


def _escalate(complaint: Complaint, *, to_level: int, reason: str, note: str, by: User | None) -> Escalation:
    check_choices(Escalation, reason=reason, from_level=complaint.escalation_level, to_level=to_level)
    escalation = Escalation.objects.create(
        complaint=complaint,
        from_level=complaint.escalation_level,
        to_level=to_level,
        reason=reason,
        note=note,
        escalated_by=by,
    )
    complaint.escalation_level = to_level
    return escalation


def _put_on_key_attention(complaint: Complaint) -> None:
    vehicle = complaint.vehicle
    if vehicle is None:
        return
    in_warranty = vehicle.warranty_end is None or vehicle.warranty_end >= timezone.localdate()
    qualifies = (
        complaint.category == Category.REPAIR_QUALITY
        or complaint.channel == Channel.REPAIR_REWORK
        or (complaint.category == Category.PRODUCT_QUALITY and in_warranty)
    )
    if not qualifies:
        return
    entry = KeyAttentionVehicle.objects.filter(vehicle=vehicle, released_at__isnull=True).first()
    if entry is None:
        entry = KeyAttentionVehicle(dealer_id=complaint.dealer_id, vehicle=vehicle)
        entry.add_reason(
            text(
                gettext_noop("%(number)s %(category)s"),
                number=complaint.number,
                category=Category(complaint.category).label,
            )
        )
        entry.save()
    entry.complaints.add(complaint)


def _release_key_attention(complaint: Complaint, *, at: datetime) -> None:
    """A vehicle leaves the list when every complaint that put it there is closed after a satisfied follow-up
    (cancelled duplicates aside), and at least one was; or when every one of them was cancelled (entered by
    mistake, or a duplicate of nothing open): no complaint is left to watch the vehicle for."""
    for entry in KeyAttentionVehicle.objects.select_for_update().filter(complaints=complaint, released_at__isnull=True):
        still_open = entry.complaints.exclude(status__in=[Status.CLOSED, Status.CANCELLED]).exists()
        closed = entry.complaints.filter(status=Status.CLOSED)
        unsatisfied = closed.exclude(close_kind=CloseKind.SATISFIED).exists()
        satisfied = closed.filter(close_kind=CloseKind.SATISFIED).exists()
        all_cancelled = not entry.complaints.exclude(status=Status.CANCELLED).exists()
        if not still_open and not unsatisfied and (satisfied or all_cancelled):
            entry.released_at = at
            entry.save(update_fields=["released_at", "updated_at"])


def _lock(complaint_id: int, acting_user: User, *, perm: str | None = None) -> Complaint:
    if perm is not None and not acting_user.has_perm(perm):
        raise PermissionDenied(_("Your role cannot change complaints."))
    try:
        return Complaint.objects.select_for_update().get(pk=complaint_id, dealer_id__in=dealer_ids(user=acting_user))
    except Complaint.DoesNotExist as exc:
        raise PermissionDenied(_("This complaint belongs to a dealer you do not work for.")) from exc


def _require(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# Lazy: the labels are shown in the language of each request, not the one active when this module was imported.
TRANSITIONS = {
    "acknowledge": gettext_lazy("Acknowledge"),
    "investigate": gettext_lazy("Start investigating"),
    "propose_countermeasure": gettext_lazy("Propose countermeasure"),
    "start": gettext_lazy("Customer agreed: carry it out"),
    "resolve": gettext_lazy("Resolve"),
    "close_satisfied": gettext_lazy("Close (customer satisfied)"),
    "close_by_manager": gettext_lazy("Close by manager"),
    "reopen": gettext_lazy("Reopen (customer dissatisfied)"),
    "cancel": gettext_lazy("Cancel the complaint"),
}


@transaction.atomic
def complaint_transition(*, complaint_id: int, action: str, acting_user: User, note: str = "", **data) -> Complaint:
    """Take one step of the state machine. Refused steps raise ValidationError and change nothing.

    `note` is what the user wrote about the step; it is kept in the history as the change reason."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown step."))
    complaint = _lock(complaint_id, acting_user)
    method = getattr(complaint, action)
    if action == "close_satisfied":
        raise ValidationError(
            _(
                "“%(step)s” is not a step to take by hand for %(number)s (status “%(status)s”): the follow-up call "
                "closes it when it finds the customer satisfied."
            )
            % {"step": TRANSITIONS[action], "number": complaint.number, "status": complaint.get_status_display()}
        )
    if not has_transition_perm(method, acting_user):
        raise ValidationError(
            _("“%(step)s” is not possible for %(number)s in status “%(status)s” with your role.")
            % {"step": TRANSITIONS[action], "number": complaint.number, "status": complaint.get_status_display()}
        )
    now = timezone.now()
    fields = ["status"]
    previous_status = complaint.status
    try:
        if action == "acknowledge":
            # What the customer was told; without a time given, the policy's resolution deadline.
            promised = data.get("answer_promised_at")
            if promised is not None and promised <= now:
                raise ValidationError({"answer_promised_at": _("The answer promised must be a time still to come.")})
            promised = promised or complaint.resolve_due_at
            method(at=now, answer_promised_at=promised)
            fields += ["acknowledged_at", "answer_promised_at"]
        elif action == "propose_countermeasure":
            root_cause = _require(data.get("root_cause"), "root_cause", _("Write down the root cause."))
            countermeasure = _require(data.get("countermeasure"), "countermeasure", _("Describe the countermeasure."))
            root_cause_class = data.get("root_cause_class") or ""
            if root_cause_class not in RootCauseClass.values:
                raise ValidationError({"root_cause_class": _("Choose the class of the cause.")})
            method(root_cause=root_cause, root_cause_class=root_cause_class, countermeasure=countermeasure)
            fields += ["root_cause", "root_cause_class", "countermeasure"]
        elif action == "resolve":
            resolution_type = data.get("resolution_type") or ""
            if resolution_type not in ResolutionType.values:
                raise ValidationError({"resolution_type": _("Choose how the complaint was resolved.")})
            amount = data.get("compensation_amount")
            try:
                amount = Decimal(amount) if amount not in (None, "") else None
            except (InvalidOperation, TypeError, ValueError):
                raise ValidationError({"compensation_amount": _("Enter the amount as a number.")}) from None
            if resolution_type == ResolutionType.COMPENSATION and (amount is None or amount <= 0):
                raise ValidationError({"compensation_amount": _("Enter the compensation amount.")})
            method(
                at=now,
                resolution_type=resolution_type,
                resolution_note=_require(note, "note", _("Describe what was done for the customer.")),
                compensation_amount=amount if resolution_type == ResolutionType.COMPENSATION else None,
            )
            fields += ["resolved_at", "resolution_type", "resolution_note", "compensation_amount"]
        elif action == "close_satisfied":
            method(at=now)
            fields += ["closed_at", "close_kind"]
        elif action == "close_by_manager":
            kind = data.get("close_kind") or ""
            if kind not in MANAGER_CLOSE_KINDS:
                raise ValidationError(
                    {"close_kind": _("Choose why the complaint is closed without a satisfied follow-up.")}
                )
            method(at=now, kind=kind, reason=_require(note, "note", _("Give the reason.")))
            fields += ["closed_at", "close_kind", "close_reason"]
        elif action == "cancel":
            method(at=now, reason=_require(note, "note", _("Give the reason.")))
            fields += ["closed_at", "close_reason"]
        elif action == "reopen":
            _acknowledge_due, resolve_due_at = deadlines_for(
                dealer=complaint.dealer, channel=complaint.channel, severity=complaint.severity, received_at=now
            )
            method(resolve_due_at=resolve_due_at)
            fields += ["reopen_count", "resolved_at", "resolve_due_at", "answer_promised_at"]
            # Seed 003 §7: a dissatisfied customer goes back to the department's manager, who handles it again.
            manager = department_manager(dealer=complaint.dealer, department=complaint.department)
            if manager is not None and manager.pk != complaint.owner_id:
                complaint.owner = manager
                fields.append("owner")
        else:
            method()
    except TransitionNotAllowed as exc:
        raise ValidationError(_("This step is no longer possible: the complaint has moved on.")) from exc
    save_with_history(
        complaint,
        acting_user=acting_user,
        reason=f"{action}: {note}" if note else action,
        fields=fields,
        step=action,
        note=note,
    )
    if action == "resolve":
        complaint_resolved.send(sender=Complaint, complaint=complaint, acting_user=acting_user)
    complaint_changed.send(
        sender=Complaint,
        complaint=complaint,
        event="closed" if complaint.status == Status.CLOSED else "status_changed",
        previous_status=previous_status,
        acting_user=acting_user,
    )
    if action in ("close_satisfied", "cancel"):
        # Cancelling the last open duplicate also ends the wait of a vehicle whose follow-up was satisfied.
        _release_key_attention(complaint, at=now)
    return complaint


@transaction.atomic
def complaint_close_after_follow_up(*, complaint_id: int, satisfaction: int | None, remarks: str, acting_user: User):
    """Close a resolved complaint because its follow-up call reached the customer and found them satisfied: the
    one way to `close_satisfied` (the follow-up workflow calls it through the seam `follow_up_concluded`)."""
    complaint = _lock(complaint_id, acting_user)
    complaint._satisfied_follow_up = True
    previous_status = complaint.status
    note = _("Follow-up call: satisfaction %(score)s/5. %(remarks)s") % {"score": satisfaction, "remarks": remarks}
    if not has_transition_perm(complaint.close_satisfied, acting_user):
        raise ValidationError(_("Your role cannot close or reopen this complaint."))
    try:
        complaint.close_satisfied(at=timezone.now())
    except TransitionNotAllowed as exc:
        raise ValidationError(_("This step is no longer possible: the complaint has moved on.")) from exc
    save_with_history(
        complaint,
        acting_user=acting_user,
        reason=f"close_satisfied: {note}",
        fields=["status", "closed_at", "close_kind"],
        step="close_satisfied",
        note=note.strip(),
    )
    complaint_changed.send(
        sender=Complaint, complaint=complaint, event="closed", previous_status=previous_status, acting_user=acting_user
    )
    _release_key_attention(complaint, at=complaint.closed_at)
    return complaint


def available_transitions(*, complaint: Complaint, user: User) -> list[tuple[str, str]]:
    """(action, label) of the steps this user may take now, for the buttons of the detail page."""
    return [(name, label) for name, label in TRANSITIONS.items() if has_transition_perm(getattr(complaint, name), user)]


@transaction.atomic
def complaint_escalate(*, complaint_id: int, reason: str, note: str, acting_user: User) -> Escalation:
    """One level up inside the dealer, with a reason: department manager → director. The OEM region is not a
    level to escalate to: a manager asks it for an authorisation (authority_request_create)."""
    complaint = _lock(complaint_id, acting_user)
    if not acting_user.has_perm("complaints.handle_complaint"):
        raise PermissionDenied(_("Your role cannot escalate complaints."))
    if complaint.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open complaint can be escalated."))
    if complaint.escalation_level >= EscalationLevel.DIRECTOR:
        raise ValidationError(
            _(
                "This complaint is already with the director. What exceeds the dealer's authority is asked of the "
                "OEM region by a manager, with the authorisation needed."
            )
        )
    if reason not in Escalation.Reason.values:
        raise ValidationError({"reason": _("Choose why the complaint is escalated.")})
    escalation = _escalate(
        complaint, to_level=complaint.escalation_level + 1, reason=reason, note=note.strip(), by=acting_user
    )
    save_with_history(
        complaint,
        acting_user=acting_user,
        reason=f"escalated: {reason}",
        fields=["escalation_level"],
        step="escalate",
        note=reason,
    )
    if escalation.to_level == EscalationLevel.DIRECTOR:
        _notify_director_on_commit(complaint)
    return escalation


@transaction.atomic
def complaint_assign(*, complaint_ids: list[int], owner: User, acting_user: User) -> int:
    """Give complaints to a handler of their dealer. Returns how many changed hands."""
    if not acting_user.has_perm(MANAGE):
        raise PermissionDenied(_("Only managers assign complaints."))
    complaints = list(
        Complaint.objects.select_for_update()
        .filter(pk__in=complaint_ids, dealer_id__in=dealer_ids(user=acting_user))
        .order_by("pk")
    )
    if len(complaints) != len(set(complaint_ids)):
        raise PermissionDenied(_("Some of these complaints belong to a dealer you do not work for."))
    if not owner.is_active or not owner.has_perm(HANDLE):
        raise ValidationError({"owner": _("%(name)s cannot handle complaints.") % {"name": owner}})
    owner_dealers = set(owner.dealers.values_list("pk", flat=True))
    changed = 0
    for complaint in complaints:
        if complaint.dealer_id not in owner_dealers:
            raise ValidationError({"owner": _("%(name)s does not work for this dealer.") % {"name": owner}})
        if complaint.owner_id != owner.pk:
            complaint.owner = owner
            save_with_history(
                complaint,
                acting_user=acting_user,
                reason=f"assigned to {owner.username}",
                fields=["owner"],
                step="assign",
            )
            changed += 1
    return changed


@transaction.atomic
def complaint_update_details(*, complaint_id: int, acting_user: User, **fields) -> Complaint:
    """Correct the facts of an open complaint (description, demand, vehicle, abnormal flag, OEM reports)."""
    complaint = _lock(complaint_id, acting_user, perm=HANDLE)
    if complaint.status not in [*OPEN_STATUSES, Status.RESOLVED]:
        raise ValidationError(_("A closed or cancelled complaint can no longer be changed."))
    allowed = {
        "description",
        "demand",
        "vehicle",
        "is_abnormal",
        "abnormal_reason",
        "oem_reference",
        "oem_status_reported_at",
        "oem_result_reported_at",
        "prevention_measure",
    }
    changed = [name for name, value in fields.items() if name in allowed and getattr(complaint, name) != value]
    for name in changed:
        setattr(complaint, name, fields[name])
    if complaint.is_abnormal and not complaint.abnormal_reason.strip():
        raise ValidationError({"abnormal_reason": _("Say why this complaint is abnormal.")})
    if complaint.vehicle is not None and complaint.vehicle.customer_id != complaint.customer_id:
        raise ValidationError({"vehicle": _("This vehicle belongs to another customer.")})
    if changed:
        saved = list(changed)
        if "prevention_measure" in changed:
            # The report shows the latest measure by this date (reports.selectors).
            complaint.prevention_measure_at = timezone.now() if complaint.prevention_measure else None
            saved.append("prevention_measure_at")
        save_with_history(
            complaint,
            acting_user=acting_user,
            reason="updated: " + ", ".join(changed),
            fields=saved,
            step="update",
            note=", ".join(changed),
        )
        if "vehicle" in changed:
            _put_on_key_attention(complaint)
    return complaint


# What the manager's 识别 may correct after intake (seed 003 §5), and the deadlines that depend on each.
IDENTIFIED_FIELDS = ("category", "department", "severity", "channel", "staff_involved")
DEADLINE_FIELDS = {"channel", "severity"}  # the SLA row is chosen by channel × severity (complaints.deadlines)


def _resolve_clock_start(complaint: Complaint) -> datetime:
    """When the running resolution deadline started: the last reopening (which gave it a new one), else receipt."""
    if complaint.reopen_count:
        reopened = (
            complaint.history.filter(history_step="reopen")
            .order_by("-history_date", "-history_id")
            .values_list("history_date", flat=True)
            .first()
        )
        if reopened is not None:
            return reopened
    return complaint.received_at


@transaction.atomic
def complaint_identify(
    *,
    complaint_id: int,
    acting_user: User,
    reason: str,
    category: str,
    department: str,
    severity: str,
    channel: str,
    staff_involved: User | None = None,
) -> Complaint:
    """The manager's 识别 (seed 003 §5): the service or showroom manager finds the cause and defines the scope,
    correcting category, department, severity, channel and the staff member complained about, with the reason.

    Guarantees, all in one transaction and one history row (step `identify`, the reason as its note): the
    deadlines that depend on a corrected channel or severity are computed again from the moment their clock
    started — receipt, or the last reopening for the resolution deadline — never from now; a deadline already met
    (acknowledged, resolved) stays as it was. A new department goes to that department's manager; a complaint made
    major or emergency goes to the director at once, an emergency gets its engineer dispatch, as at intake; the
    vehicle goes on the key-attention list when the new category or channel calls for it. The OEM dual clock and
    reports follow the channel by themselves (complaints.deadlines, api.oem). A closed or cancelled complaint, an
    unknown value, a missing reason or nothing to correct is refused and nothing is written."""
    check_choices(Complaint, category=category, department=department, severity=severity, channel=channel)
    complaint = _lock(complaint_id, acting_user, perm=MANAGE)
    if complaint.status in (Status.CLOSED, Status.CANCELLED):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("%(number)s is %(status)s: a closed or cancelled complaint is not corrected.")
                % {"number": complaint.number, "status": complaint.get_status_display()}
            }
        )
    reason = _require(reason, "reason", _("Say why the complaint is corrected."))
    _check_staff_involved(staff_involved, dealer_id=complaint.dealer_id)
    wanted = {
        "category": category,
        "department": department,
        "severity": severity,
        "channel": channel,
        "staff_involved_id": staff_involved.pk if staff_involved is not None else None,
    }
    changed = [name for name in IDENTIFIED_FIELDS if getattr(complaint, _attname(name)) != wanted[_attname(name)]]
    if not changed:
        raise ValidationError({NON_FIELD_ERRORS: _("Nothing to correct: every value is the one recorded.")})
    was_major = complaint.severity in (Severity.MAJOR, Severity.EMERGENCY)
    for name in changed:
        setattr(complaint, _attname(name), wanted[_attname(name)])
    fields = list(changed)
    if DEADLINE_FIELDS & set(changed):
        fields += _recompute_deadlines(complaint)
    if "department" in changed:
        # Seed 003 §4: each side's manager takes its complaints and gives them to a handler.
        complaint.owner = department_manager(dealer=complaint.dealer, department=complaint.department)
        fields.append("owner")
    major_now = complaint.severity in (Severity.MAJOR, Severity.EMERGENCY) and not was_major
    to_director = (
        major_now
        and complaint.status in OPEN_STATUSES
        and complaint.escalation_level < EscalationLevel.DIRECTOR
        and not complaint.escalations.filter(to_level=EscalationLevel.DIRECTOR).exists()
    )
    if to_director:
        _escalate(
            complaint, to_level=EscalationLevel.DIRECTOR, reason=Escalation.Reason.MAJOR, note=reason, by=acting_user
        )
        fields.append("escalation_level")
    save_with_history(
        complaint,
        acting_user=acting_user,
        reason=f"identified: {', '.join(changed)}: {reason}",
        fields=fields,
        step="identify",
        note=reason,
    )
    if to_director:
        _notify_director_on_commit(complaint)
    if complaint.severity == Severity.EMERGENCY and complaint.status in OPEN_STATUSES:
        EngineerDispatch.objects.get_or_create(complaint=complaint)
    if {"category", "channel"} & set(changed):
        _put_on_key_attention(complaint)
    return complaint


def _attname(name: str) -> str:
    return "staff_involved_id" if name == "staff_involved" else name


def _recompute_deadlines(complaint: Complaint) -> list[str]:
    """The deadlines still running, computed again under the complaint's channel and severity from the moment each
    clock started; returns the fields changed."""
    fields = []
    acknowledge_due_at, resolve_due_at = deadlines_for(
        dealer=complaint.dealer,
        channel=complaint.channel,
        severity=complaint.severity,
        received_at=complaint.received_at,
    )
    if complaint.status == Status.NEW:
        complaint.acknowledge_due_at = acknowledge_due_at
        fields.append("acknowledge_due_at")
    if complaint.status in UNRESOLVED_STATUSES:
        started = _resolve_clock_start(complaint)
        if started != complaint.received_at:
            _acknowledge, resolve_due_at = deadlines_for(
                dealer=complaint.dealer, channel=complaint.channel, severity=complaint.severity, received_at=started
            )
        complaint.resolve_due_at = resolve_due_at
        fields.append("resolve_due_at")
    return fields


@transaction.atomic
def authority_request_create(*, complaint_id: int, kind: str, request: str, acting_user: User) -> AuthorityRequest:
    """A manager asks the OEM region for what exceeds the dealer's authority (seed 000 §五.7): the kind of
    authorisation and what exactly is asked. The first request raises the complaint to the OEM region (one
    Escalation row); every request owes the OEM its escalation report (api.oem). Only an open complaint, one open
    question of each kind at a time."""
    complaint = _lock(complaint_id, acting_user, perm=MANAGE)
    if complaint.status not in OPEN_STATUSES:
        raise ValidationError({NON_FIELD_ERRORS: _("Only an open complaint can ask the OEM region.")})
    if kind not in AuthorityRequest.Kind.values:
        raise ValidationError({"kind": _("Choose the authorisation asked for.")})
    request = _require(request, "request", _("Say what is asked of the OEM region."))
    if len(request) > 2000:
        raise ValidationError({"request": _("At most 2000 characters.")})
    if complaint.authority_requests.filter(kind=kind, answer="").exists():
        raise ValidationError(
            {
                "kind": _("The region has not answered the request for “%(kind)s” yet.")
                % {"kind": AuthorityRequest.Kind(kind).label}
            }
        )
    authority = AuthorityRequest(complaint=complaint, kind=kind, request=request, requested_by=acting_user)
    authority._history_user = acting_user
    authority.save()
    fields = []
    if (
        complaint.escalation_level < EscalationLevel.OEM_REGION
        and not complaint.escalations.filter(to_level=EscalationLevel.OEM_REGION).exists()
    ):
        _escalate(
            complaint,
            to_level=EscalationLevel.OEM_REGION,
            reason=Escalation.Reason.AUTHORITY,
            note=request,
            by=acting_user,
        )
        fields.append("escalation_level")
    save_with_history(
        complaint,
        acting_user=acting_user,
        reason=f"OEM authorisation asked: {kind}: {request}",
        fields=fields,
        step="authority_request",
        note=request,
    )
    return authority


@transaction.atomic
def authority_request_answer(*, request_id: int, answer: str, note: str, acting_user: User) -> AuthorityRequest:
    """Record the OEM region's answer to a request (granted or refused, and what it said): who recorded it and
    when. An answer stands: a second one is refused."""
    if not acting_user.has_perm(MANAGE):
        raise PermissionDenied(_("Only managers record the OEM region's answer."))
    complaint_id = (
        AuthorityRequest.objects.filter(pk=request_id, complaint__dealer_id__in=dealer_ids(user=acting_user))
        .values_list("complaint_id", flat=True)
        .first()
    )
    if complaint_id is None:
        raise PermissionDenied(_("This complaint belongs to a dealer you do not work for."))
    complaint = _lock(complaint_id, acting_user, perm=MANAGE)
    authority = AuthorityRequest.objects.select_for_update().get(pk=request_id)
    if authority.answer:
        raise ValidationError({NON_FIELD_ERRORS: _("The region's answer to this request is recorded already.")})
    if answer not in AuthorityRequest.Answer.values:
        raise ValidationError({"answer": _("Choose what the region answered.")})
    note = _require(note, "answer_note", _("Write what the region answered."))
    if len(note) > 2000:
        raise ValidationError({"answer_note": _("At most 2000 characters.")})
    authority.answer, authority.answer_note = answer, note
    authority.answered_by, authority.answered_at = acting_user, timezone.now()
    authority._history_user = acting_user
    authority.save(update_fields=["answer", "answer_note", "answered_by", "answered_at", "updated_at"])
    save_with_history(
        complaint,
        acting_user=acting_user,
        reason=f"OEM authorisation {answer}: {authority.kind}: {note}",
        fields=[],
        step="authority_answer",
        note=note,
    )
    return authority


@transaction.atomic
def dispatch_update(*, complaint_id: int, acting_user: User, **fields) -> EngineerDispatch:
    complaint = _lock(complaint_id, acting_user, perm=HANDLE)
    dispatch, _created = EngineerDispatch.objects.get_or_create(complaint=complaint)
    names = ["engineer", "called_at", "promised_arrival_at", "arrived_at", "appraisal_result"]
    for name in names:
        if name in fields:
            setattr(dispatch, name, fields[name])
    dispatch._history_user = acting_user
    dispatch.save()
    return dispatch


def attachment_validate(*, kind: str, upload) -> CheckedUpload:
    """The evidence is of its kind by content, within its limit; the upload then carries its safe name."""
    if kind not in ATTACHMENT_TYPES:
        raise ValidationError({"kind": _("Choose what kind of evidence this is.")})
    types, limit = ATTACHMENT_TYPES[kind]
    try:
        return upload_check(upload, types=types, max_bytes=limit)
    except ValidationError as exc:
        raise ValidationError({"file": exc.error_list}) from exc


@transaction.atomic
def attachment_add(*, complaint_id: int, kind: str, upload, description: str, acting_user: User) -> Attachment:
    check_choices(Attachment, kind=kind)
    complaint = _lock(complaint_id, acting_user, perm=HANDLE)
    checked = attachment_validate(kind=kind, upload=upload)
    return Attachment.objects.create(
        complaint=complaint,
        kind=kind,
        file=upload,
        original_name=checked.name,
        content_type=checked.content_type,
        size=upload.size,
        description=description.strip()[:200],
        uploaded_by=acting_user,
    )


@transaction.atomic
def key_attention_assign(*, entry_id: int, responsible: User, acting_user: User) -> KeyAttentionVehicle:
    if not acting_user.has_perm(MANAGE):
        raise PermissionDenied(_("Only managers name the responsible person."))
    entry = KeyAttentionVehicle.objects.select_for_update().get(pk=entry_id, dealer_id__in=dealer_ids(user=acting_user))
    if entry.released_at is not None:
        raise ValidationError(_("This vehicle has already left the key-attention list."))
    if not responsible.dealers.filter(pk=entry.dealer_id).exists():
        raise ValidationError({"responsible": _("%(name)s does not work for this dealer.") % {"name": responsible}})
    entry.responsible = responsible
    entry._history_user = acting_user
    entry.save(update_fields=["responsible", "updated_at"])
    return entry


def directors_of(dealer_id: int) -> list[User]:
    return list(dealer_staff(dealer=dealer_id, role=DIRECTOR))


OEM_REPORT_FIELDS = {"status": "oem_status_reported_at", "result": "oem_result_reported_at"}


@transaction.atomic
def complaint_mark_oem_reported(*, complaint_id: int, report: str, at: datetime, acting_user: User | None) -> bool:
    """Record that the OEM has the status or result report (a 2xx of its webhook, or a sent e-mail). The first
    mark stands: a later one changes nothing. Returns whether the mark was set now."""
    field = OEM_REPORT_FIELDS[report]
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    if getattr(complaint, field) is not None:
        return False
    setattr(complaint, field, at)
    save_with_history(
        complaint,
        acting_user=acting_user,
        reason=f"reported to the OEM: {report}",
        fields=[field],
        step="report_oem",
        note=report,
    )
    return True
