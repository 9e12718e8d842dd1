"""What the follow-up workflow does when the core or another workflow tells it something (cac.seams): a delivery,
a repair order and a resolved complaint each owe a call within 3 days; a repair order also runs the 三包 watch."""

from cac import seams


def schedule_after_complaint(sender, *, complaint, acting_user, **kwargs):
    from callbacks.services import callback_schedule_for_complaint

    callback_schedule_for_complaint(complaint=complaint, acting_user=acting_user)


def schedule_after_sale(sender, *, sale, acting_user, **kwargs):
    from callbacks.services import callback_schedule_for_sale

    callback_schedule_for_sale(sale=sale, acting_user=acting_user)


def schedule_after_service(sender, *, visit, acting_user, **kwargs):
    from callbacks.services import callback_schedule_for_service
    from callbacks.warranty_watch import warranty_watch

    callback_schedule_for_service(visit=visit, acting_user=acting_user)
    warranty_watch(dealer=visit.dealer, vehicle_ids=[visit.vehicle_id])


def connect() -> None:
    seams.complaint_resolved.connect(schedule_after_complaint, dispatch_uid="callbacks.schedule_after_complaint")
    seams.sale_recorded.connect(schedule_after_sale, dispatch_uid="callbacks.schedule_after_sale")
    seams.service_visit_recorded.connect(schedule_after_service, dispatch_uid="callbacks.schedule_after_service")
