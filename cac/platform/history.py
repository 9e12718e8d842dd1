"""The one way a service saves a change of a row several people edit: the named fields only, with who and why in
the row's history (django-simple-history).

A history row also says, as data, which step made it (`history_step`: a service's action name such as `resolve`,
`reopen`, `escalate`, `assign`) and the note the user typed with it (`history_note`), so that a timeline or an API
reads them from columns instead of parsing `history_change_reason`, the sentence kept for the admin's history."""

from django.db import models
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from cac.platform.validation import check_choices


class StepRecord(models.Model):
    """The base of a historical model whose rows name the step that made them (`HistoricalRecords(bases=[…])`)."""

    history_step = models.CharField(max_length=40, blank=True, default="", db_default="")
    history_note = models.TextField(blank=True, default="", db_default="")

    class Meta:
        abstract = True


@receiver(pre_create_historical_record)
def _record_step(sender, instance, history_instance, **kwargs):
    if isinstance(history_instance, StepRecord):
        history_instance.history_step = getattr(instance, "_history_step", "") or ""
        history_instance.history_note = getattr(instance, "_history_note", "") or ""


def save_with_history(
    instance: models.Model, *, acting_user, reason: str, fields: list[str], step: str = "", note: str = ""
) -> None:
    """Save `fields` (and `updated_at`) of `instance`, its choice fields checked (cac.platform.validation), recording
    `acting_user` (None: the system) and `reason`; on a history of `StepRecord`, also `step` and `note`."""
    check_choices(instance)
    instance._history_user = acting_user
    instance._change_reason = reason
    instance._history_step, instance._history_note = step, note
    try:
        instance.save(update_fields=[*fields, "updated_at"])
    finally:
        instance._history_step = instance._history_note = ""
