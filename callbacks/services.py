"""Every write of follow-up calls: scheduling, assignment, attempts under the 3-slot rule, and the closed loop
with complaints."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import has_transition_perm

from cac.deadlines.sms import sms_send
from cac.desk.selectors import dealer_ids, dealer_staff
from cac.desk.services import call_log
from cac.models import CallLog, Customer, Dealer, Sale, ServiceVisit, User
from cac.platform.attempts import AttemptResult, attempt_slot, attempts_state
from cac.platform.business_time import dealer_day_closing
from cac.platform.history import save_with_history
from cac.platform.validation import check_choices
from cac.platform.zones import dealer_zone
from cac.roles import AGENT
from cac.seams import FollowUpOutcome, follow_up_concluded
from cac.texts import text
from callbacks.models import OPEN_STATUSES, Callback, CallbackAttempt, Kind, Question, Status


def due_after(*, dealer: Dealer, event_day: date) -> datetime:
    """Closing time of the day `follow_up_days` after the event (seed 000: within 3 days)."""
    return dealer_day_closing(dealer, event_day + timedelta(days=dealer.follow_up_days))


def agent_for(*, dealer: Dealer, exclude: User | None = None) -> User | None:
    """The dealer's agent with the fewest open follow-up calls; never `exclude` (the repair's own advisor)."""
    agents = dealer_staff(dealer=dealer, role=AGENT)
    if exclude is not None:
        agents = agents.exclude(pk=exclude.pk)
    # Counted in a subquery per agent on (agent, status): a join would read every call each agent ever made.
    open_calls = (
        Callback.objects.filter(agent=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("agent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return agents.annotate(open_calls=Coalesce(Subquery(open_calls), 0)).order_by("open_calls", "pk").first()


def _create(callback: Callback, *, acting_user: User | None, reason: str) -> Callback | None:
    """Save a new callback, or return None when the same one exists already (idempotent scheduling)."""
    check_choices(callback)
    callback._history_user = acting_user
    callback._change_reason = reason
    try:
        with transaction.atomic():
            callback.save()
    except IntegrityError:
        return None
    return callback


def callback_schedule_for_sale(*, sale: Sale, acting_user: User | None = None) -> Callback | None:
    return _create(
        Callback(
            dealer_id=sale.dealer_id,
            customer_id=sale.customer_id,
            vehicle_id=sale.vehicle_id,
            kind=Kind.AFTER_SALE,
            sale=sale,
            due_at=due_after(dealer=sale.dealer, event_day=sale.delivered_on),
            agent=agent_for(dealer=sale.dealer),
        ),
        acting_user=acting_user,
        reason="scheduled after sale",
    )


def callback_schedule_for_service(*, visit: ServiceVisit, acting_user: User | None = None) -> Callback | None:
    """The follow-up of a repair is never made by the advisor who handled it."""
    return _create(
        Callback(
            dealer_id=visit.dealer_id,
            customer_id=visit.customer_id,
            vehicle_id=visit.vehicle_id,
            kind=Kind.AFTER_SERVICE,
            service_visit=visit,
            due_at=due_after(dealer=visit.dealer, event_day=visit.date_out or visit.date_in),
            agent=agent_for(dealer=visit.dealer, exclude=visit.advisor),
            excluded_agent=visit.advisor,
        ),
        acting_user=acting_user,
        reason="scheduled after service",
    )


def callback_schedule_for_complaint(*, complaint, acting_user: User | None = None) -> Callback | None:
    """`complaint` is the resolved complaint (complaints.Complaint), heard of through the seam `complaint_resolved`."""
    # The day of the resolution in the dealer's zone: 00:00-08:00 in Shanghai is still the previous day in UTC.
    resolved_day = timezone.localtime(complaint.resolved_at or timezone.now(), dealer_zone(complaint.dealer)).date()
    return _create(
        Callback(
            dealer_id=complaint.dealer_id,
            customer_id=complaint.customer_id,
            vehicle_id=complaint.vehicle_id,
            kind=Kind.AFTER_COMPLAINT,
            complaint=complaint,
            due_at=due_after(dealer=complaint.dealer, event_day=resolved_day),
            agent=agent_for(dealer=complaint.dealer),
        ),
        acting_user=acting_user,
        reason="scheduled after complaint resolved",
    )


def questions_for(*, dealer: Dealer, kind: str) -> list[Question]:
    """The dealer's own questionnaire for the kind, or the default one."""
    own = list(Question.objects.filter(dealer=dealer, kind=kind))
    return own or list(Question.objects.filter(dealer__isnull=True, kind=kind))


def _lock(callback_id: int, acting_user: User) -> Callback:
    try:
        return (
            Callback.objects.select_for_update()
            .select_related("dealer", "customer")
            .get(pk=callback_id, dealer_id__in=dealer_ids(user=acting_user))
        )
    except Callback.DoesNotExist as exc:
        raise PermissionDenied(_("This follow-up call belongs to a dealer you do not work for.")) from exc


@transaction.atomic
def callback_record_attempt(
    *,
    callback_id: int,
    acting_user: User,
    result: str,
    note: str = "",
    satisfaction: int | None = None,
    answers: dict | None = None,
    remarks: str = "",
    complaint_category: str = "",
    at: datetime | None = None,
) -> Callback:
    """Record one attempt and what followed from it, in one transaction: the call log, the attempt, and the
    transition (completed / declined / unreachable) with its consequences for complaints and SMS."""
    callback = _lock(callback_id, acting_user)
    at = at or timezone.now()
    if callback.status not in OPEN_STATUSES:
        raise ValidationError(_("This follow-up call is already finished."))
    if not acting_user.has_perm("callbacks.work_callback"):
        raise PermissionDenied(_("Your role does not make follow-up calls."))
    if callback.excluded_agent_id == acting_user.pk:
        raise ValidationError(_("The service advisor of this repair may not make its follow-up call."))
    if result not in AttemptResult.values:
        raise ValidationError({"result": _("Choose the result of the call.")})
    zone = dealer_zone(callback.dealer)
    slot = attempt_slot(
        at=at,
        zone=zone,
        next_attempt_at=callback.next_attempt_at,
        result=result,
        outside=_("Follow-up calls are made in the call slots of the day; the next one starts %(when)s."),
    )
    if result == AttemptResult.REACHED:
        _validate_answers(callback, satisfaction=satisfaction, answers=answers or {})
    call = call_log(
        dealer=callback.dealer,
        acting_user=acting_user,
        customer=callback.customer,
        phone=callback.customer.mobile,
        started_at=at,
        direction=CallLog.Direction.OUTBOUND,
        purpose=CallLog.Purpose.FOLLOW_UP,
        summary=text(
            gettext_noop("%(kind)s: %(result)s — %(note)s") if note else gettext_noop("%(kind)s: %(result)s"),
            kind=Kind(callback.kind).label,
            result=AttemptResult(result).label,
            **({"note": note} if note else {}),
        ),
        outcome=remarks[:500],
    )
    CallbackAttempt.objects.create(
        callback=callback, attempted_at=at, slot=slot, result=result, agent=acting_user, note=note[:500], call=call
    )
    fields = ["status"]
    if callback.status in (Status.SCHEDULED, Status.DUE):
        callback.start()
    if result == AttemptResult.REACHED:
        callback.complete(at=at, satisfaction=satisfaction, answers=answers or {}, remarks=remarks)
        fields += ["completed_at", "satisfaction", "answers", "remarks", "next_attempt_at"]
        save_with_history(callback, acting_user=acting_user, reason=f"completed: {satisfaction}/5", fields=fields)
        _close_the_loop(callback, acting_user=acting_user, complaint_category=complaint_category)
        return callback
    if result == AttemptResult.DECLINED:
        callback.decline(at=at, remarks=remarks or note)
        fields += ["completed_at", "remarks", "next_attempt_at"]
        save_with_history(callback, acting_user=acting_user, reason="declined phone follow-up", fields=fields)
        _prefer_sms(callback.customer, acting_user=acting_user)
        _send_follow_up_sms(callback, acting_user=acting_user, purpose="follow_up_declined")
        return callback
    state = attempts_state(callback.attempts.values_list("attempted_at", "slot", "result"), zone=zone)
    if state.unreachable:
        callback.give_up(at=at)
        fields += ["completed_at", "next_attempt_at"]
        save_with_history(callback, acting_user=acting_user, reason="unreachable", fields=fields)
        _send_follow_up_sms(callback, acting_user=acting_user, purpose="follow_up_unreachable")
        return callback
    callback.next_attempt_at = state.next_attempt_at
    fields.append("next_attempt_at")
    save_with_history(callback, acting_user=acting_user, reason=f"attempt: {result}", fields=fields)
    return callback


def _validate_answers(callback: Callback, *, satisfaction: int | None, answers: dict) -> None:
    errors = {}
    if satisfaction is None or not 1 <= int(satisfaction) <= 5:
        errors["satisfaction"] = _("Record the customer's satisfaction from 1 to 5.")
    for question in questions_for(dealer=callback.dealer, kind=callback.kind):
        if question.required and not str(answers.get(str(question.pk), "")).strip():
            errors[f"q_{question.pk}"] = _("Answer this question.")
    if errors:
        raise ValidationError(errors)


def _prefer_sms(customer: Customer, *, acting_user: User) -> None:
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.preferred_channel != Customer.ContactChannel.SMS:
        locked.preferred_channel = Customer.ContactChannel.SMS
        locked._history_user = acting_user
        locked._change_reason = "declined phone follow-up"
        locked.save(update_fields=["preferred_channel", "updated_at"])


def _send_follow_up_sms(callback: Callback, *, acting_user: User | None, purpose: str) -> None:
    # The SMS survey of its purpose's template (SmsTemplate), queued now and sent after the commit.
    sms_send(
        dealer=callback.dealer,
        customer=callback.customer,
        phone=callback.customer.mobile,
        purpose=purpose,
        parameters={"dealer": callback.dealer.name, "phone": callback.dealer.phone},
        acting_user=acting_user,
    )


def _close_the_loop(callback: Callback, *, acting_user: User, complaint_category: str = "") -> None:
    """Seed 003: the complaints workflow decides what the reached call means for complaints (the seam
    `follow_up_concluded`); a complaint it opens is kept as the one this call raised."""
    if callback.kind not in (Kind.AFTER_COMPLAINT, Kind.AFTER_SALE, Kind.AFTER_SERVICE):
        return
    if callback.kind == Kind.AFTER_COMPLAINT and not callback.complaint_id:
        return
    attempt = callback.attempts.order_by("-attempted_at").first()
    complaint = follow_up_concluded(
        outcome=FollowUpOutcome(
            kind=callback.kind,
            satisfied=callback.is_satisfied,
            satisfaction=callback.satisfaction,
            remarks=callback.remarks,
            customer=callback.customer,
            vehicle=callback.vehicle,
            call=attempt.call if attempt else None,
            complaint_id=callback.complaint_id if callback.kind == Kind.AFTER_COMPLAINT else None,
            category=complaint_category,
        ),
        acting_user=acting_user,
    )
    if complaint is not None and callback.kind != Kind.AFTER_COMPLAINT:
        callback.raised_complaint = complaint
        save_with_history(
            callback, acting_user=acting_user, reason=f"raised {complaint.number}", fields=["raised_complaint"]
        )


@transaction.atomic
def callback_cancel(*, callback_id: int, reason: str, acting_user: User) -> Callback:
    callback = _lock(callback_id, acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    if not has_transition_perm(callback.cancel, acting_user):
        raise ValidationError(_("You cannot cancel this follow-up call."))
    callback.cancel(at=timezone.now(), reason=reason.strip())
    save_with_history(
        callback,
        acting_user=acting_user,
        reason=f"cancelled: {reason}",
        fields=["status", "completed_at", "cancel_reason", "next_attempt_at"],
    )
    return callback


@transaction.atomic
def callback_assign(*, callback_ids: list[int], agent: User, acting_user: User) -> int:
    if not acting_user.has_perm("callbacks.supervise_callback"):
        raise PermissionDenied(_("Only supervisors assign follow-up calls."))
    changed = 0
    callbacks = Callback.objects.select_for_update().filter(
        pk__in=callback_ids, dealer_id__in=dealer_ids(user=acting_user), status__in=OPEN_STATUSES
    )
    agent_dealers = set(agent.dealers.values_list("pk", flat=True))
    for callback in callbacks:
        if callback.dealer_id not in agent_dealers:
            raise ValidationError({"agent": _("%(name)s does not work for this dealer.") % {"name": agent}})
        if callback.excluded_agent_id == agent.pk:
            raise ValidationError({"agent": _("The service advisor of this repair may not make its follow-up call.")})
        if callback.agent_id != agent.pk:
            callback.agent = agent
            save_with_history(
                callback, acting_user=acting_user, reason=f"assigned to {agent.username}", fields=["agent"]
            )
            changed += 1
    return changed


def callbacks_make_due(*, now: datetime | None = None, batch: int = 500) -> int:
    """scheduled → due for every callback whose time has come. Safe to run twice or in two workers at once."""
    now = now or timezone.now()
    done = 0
    with transaction.atomic():
        rows = list(
            Callback.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SCHEDULED, due_at__lte=now)
            .order_by("due_at")[:batch]
        )
        stamp = timezone.now()
        for callback in rows:
            callback.become_due()
            callback._history_user = None
            callback._change_reason = "due"
            callback.updated_at = stamp
            done += 1
        if rows:  # one UPDATE and one history INSERT for the batch
            Callback.objects.filter(pk__in=[callback.pk for callback in rows]).update(
                status=Status.DUE, updated_at=stamp
            )
            Callback.history.bulk_history_create(rows, update=True)
    return done
