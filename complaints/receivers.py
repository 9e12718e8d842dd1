"""What the complaints workflow does when another workflow tells it something (the seams of cac.seams)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from cac import seams
from cac.models import User
from cac.texts import Text
from complaints.models import Category, Channel, Complaint, KeyAttentionVehicle, Status


def follow_up_concluded(*, outcome: seams.FollowUpOutcome, acting_user: User) -> Complaint | None:
    """Seed 003: a satisfied follow-up closes the complaint it followed, a dissatisfied one reopens it; a customer
    dissatisfied after a sale or a repair is a new complaint, which is returned."""
    from complaints.services import complaint_close_after_follow_up, complaint_create, complaint_transition

    if outcome.kind == "after_complaint":
        complaint = Complaint.objects.get(pk=outcome.complaint_id)
        if complaint.status != Status.RESOLVED:
            return None
        if outcome.satisfied:
            complaint_close_after_follow_up(
                complaint_id=complaint.pk,
                satisfaction=outcome.satisfaction,
                remarks=outcome.remarks,
                acting_user=acting_user,
            )
            return None
        if not has_transition_perm(complaint.reopen, acting_user):
            raise ValidationError(_("Your role cannot close or reopen this complaint."))
        complaint_transition(
            complaint_id=complaint.pk,
            action="reopen",
            acting_user=acting_user,
            note=_("Follow-up call: satisfaction %(score)s/5. %(remarks)s")
            % {"score": outcome.satisfaction, "remarks": outcome.remarks},
        )
        return None
    if outcome.satisfied:
        return None
    if outcome.category not in Category.values:
        raise ValidationError({"complaint_category": _("Choose what the customer is dissatisfied with.")})
    after_sale = outcome.kind == "after_sale"
    return complaint_create(
        customer=outcome.customer,
        acting_user=acting_user,
        channel=Channel.SALES_FOLLOW_UP if after_sale else Channel.SERVICE_FOLLOW_UP,
        category=outcome.category,
        description=outcome.remarks
        or _("Dissatisfied on the follow-up call (%(score)s/5).") % {"score": outcome.satisfaction},
        vehicle=outcome.vehicle,
        call=outcome.call,
    )


def key_attention_flag(*, vehicle, reason: Text, change_reason: str) -> None:
    """Put the vehicle on the key-attention list with the reason (a text, cac.texts), or add the reason to its open
    entry."""
    entry = KeyAttentionVehicle.objects.select_for_update().filter(vehicle=vehicle, released_at__isnull=True).first()
    if entry is None:
        entry = KeyAttentionVehicle(dealer_id=vehicle.dealer_id, vehicle=vehicle)
        entry.add_reason(reason)
        entry._change_reason = change_reason
        try:
            with transaction.atomic():
                entry.save()
            return
        except IntegrityError:
            # Put on the list at the same moment by a complaint: add the reason to that entry.
            entry = KeyAttentionVehicle.objects.select_for_update().get(vehicle=vehicle, released_at__isnull=True)
    entry.add_reason(reason)
    entry._change_reason = change_reason
    entry.save(update_fields=["reason", "reasons", "updated_at"])


def key_attention_among(*, vehicle_ids: list[int]) -> set[int]:
    """Which of these vehicles are on the key-attention list now."""
    return set(
        KeyAttentionVehicle.objects.filter(vehicle_id__in=vehicle_ids, released_at__isnull=True).values_list(
            "vehicle_id", flat=True
        )
    )


def complaint_categories() -> list[tuple[str, str]]:
    """The categories a follow-up caller picks from when a dissatisfied customer becomes a complaint."""
    return list(Category.choices)


def connect() -> None:
    seams.complaint_categories.register(complaint_categories)
    seams.follow_up_concluded.register(follow_up_concluded)
    seams.key_attention_flag.register(key_attention_flag)
    seams.key_attention_among.register(key_attention_among)
