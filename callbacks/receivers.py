"""The hook between complaints and follow-up calls: a resolved complaint owes a call within 3 days."""

from complaints.services import complaint_resolved


def schedule_after_complaint(sender, *, complaint, acting_user, **kwargs):
    from callbacks.services import callback_schedule_for_complaint

    callback_schedule_for_complaint(complaint=complaint, acting_user=acting_user)


def connect() -> None:
    complaint_resolved.connect(schedule_after_complaint, dispatch_uid="callbacks.schedule_after_complaint")
