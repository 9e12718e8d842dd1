"""The one way a service saves a change of a row several people edit: the named fields only, with who and why in
the row's history (django-simple-history)."""

from django.db import models

from cac.platform.validation import check_choices


def save_with_history(instance: models.Model, *, acting_user, reason: str, fields: list[str]) -> None:
    """Save `fields` (and `updated_at`) of `instance`, its choice fields checked (cac.platform.validation), recording
    `acting_user` (None: the system) and `reason`."""
    check_choices(instance)
    instance._history_user = acting_user
    instance._change_reason = reason
    instance.save(update_fields=[*fields, "updated_at"])
