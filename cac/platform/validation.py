"""Services check their inputs: a value outside a field's choices is refused before anything is written.

Forms offer only the choices, but imports, scripts and an API call the same services; a stored value that no
choice names would break every page that shows it. `check_choices` raises a ValidationError keyed by the field, in
the user's language, and the database holds the same rule as a CHECK constraint (`choices_constraint`), so that
not even a raw `update()` can store such a value."""

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _


def _allowed(field: models.Field) -> set:
    return {value for value, _label in field.flatchoices}


def _is_valid(field: models.Field, value: Any) -> bool:
    if value is None:
        return field.null
    if value == "" and field.blank and "" not in _allowed(field):
        return True
    try:
        value = field.to_python(value)
    except ValidationError:
        return False
    return value in _allowed(field)


def check_choices(target: models.Model | type[models.Model], /, **values: Any) -> None:
    """Refuse values outside their fields' choices.

    `check_choices(Complaint, channel=channel, severity=severity)` checks the values given; `check_choices(instance)`
    checks every choice field of an unsaved or changed instance. Raises one ValidationError naming each bad field."""
    model = target if isinstance(target, type) else type(target)
    if not values and not isinstance(target, type):
        values = {f.name: getattr(target, f.attname) for f in model._meta.concrete_fields if f.choices}
    errors = {}
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.choices and not _is_valid(field, value):
            errors[name] = ValidationError(
                _("“%(value)s” is not a valid choice for %(field)s."),
                code="invalid_choice",
                params={"value": value, "field": str(field.verbose_name)},
            )
    if errors:
        raise ValidationError(errors)


def choices_enforced(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: a CHECK constraint per choice field (FSM status fields included), derived from its choices,
    so that the database refuses what `check_choices` refuses. Adding a choice means a migration, which
    `makemigrations --check` asks for."""
    added = [
        _choices_constraint(model, field) for field in model._meta.local_concrete_fields if field.choices is not None
    ]
    model._meta.constraints = [*model._meta.constraints, *added]
    # Migrations read the model's options from the attributes its Meta declared.
    model._meta.original_attrs["constraints"] = model._meta.constraints
    return model


def _choices_constraint(model: type[models.Model], field: models.Field) -> models.CheckConstraint:
    values = [value for value, _label in field.flatchoices]
    condition = Q(**{f"{field.attname}__in": values})
    if field.blank and "" not in values and not isinstance(field, models.IntegerField):
        condition |= Q(**{field.attname: ""})
    return models.CheckConstraint(condition=condition, name=f"{model._meta.model_name}_{field.name}_choice")
